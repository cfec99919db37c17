/** Pure pieces: config flattening and CFG rules, the zod config section, the renderers. */
import { describe, expect, it } from '@jest/globals';
import { flattenConfigFile } from '../../src/schema/config/flatten.ts';
import { diffConfig, keyMatches, metricNamesRemoved, valueKind } from '../../src/schema/rules/config.ts';
import { compareTypes, type ColumnType } from '../../src/schema/model.ts';
import { contractDirectives, isContracted } from '../../src/schema/contract.ts';
import { readFileSync } from 'node:fs';
import { RULE_IDS, ruleInfo } from '../../src/schema/rules/catalog.ts';
import { ruleDocUrl, withRulesDoc } from '../../src/schema/rules/doc.ts';
import { escapeMarkdown, renderSchemaJson, renderSchemaMarkdown, schemaConfigSchema, schemaOptionsFromConfig } from '../../src/schema/index.ts';
import type { SchemaReport } from '../../src/schema/types.ts';

describe('config flattening', () => {
  it('flattens nested YAML, ConfigMaps, workloads and .env files', () => {
    expect(flattenConfigFile('app.yaml', 'server:\n  port: 8080\n  tls: false\nnames: [a, b]\n')).toEqual(
      new Map<string, unknown>([['server.port', 8080], ['server.tls', false], ['names', '["a","b"]']]),
    );
    const secret = flattenConfigFile('s.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {PASSWORD: c2VjcmV0}\n');
    expect(secret.get('secret/s/PASSWORD')).toBe('(secret)');
    expect(flattenConfigFile('.env', '# c\nexport A="1"\nB=x=y\n')).toEqual(new Map([['A', '1'], ['B', 'x=y']]));
    const deploy = flattenConfigFile('d.yaml', 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: DB\n              valueFrom: {secretKeyRef: {name: db, key: url}}\n');
    expect(deploy.get('env/web/DB')).toBe('valueFrom:secretKeyRef:db/url');
  });

  it('a file that is not YAML is an error naming the file', () => {
    expect(() => flattenConfigFile('bad.yaml', 'a: [1, 2\n')).toThrow(/bad.yaml/);
  });
});

describe('CFG rules', () => {
  const base = new Map<string, string | number | boolean | null>([['A', '1'], ['URL', 'http://x:80'], ['LOG_FORMAT', 'json']]);
  it('an unchanged config has no findings', () => {
    expect(diffConfig({ file: 'f', stable: base, canary: new Map(base) })).toEqual([]);
  });
  it('a number that becomes text is a type change; a number that stays a number is a value change', () => {
    expect(diffConfig({ file: 'f', stable: base, canary: new Map([...base, ['A', 'one']]) })[0]?.rule).toBe('CFG103');
    expect(diffConfig({ file: 'f', stable: base, canary: new Map([...base, ['A', '2']]) })[0]?.rule).toBe('CFG107');
  });
  it('removed vs renamed (same value under a new key in the same scope)', () => {
    const canary = new Map(base);
    canary.delete('A');
    expect(diffConfig({ file: 'f', stable: base, canary })[0]?.rule).toBe('CFG101');
    canary.set('A2', '1');
    expect(diffConfig({ file: 'f', stable: base, canary })[0]?.rule).toBe('CFG102');
  });
  it.each([
    ['CFG104', 'LOG_FORMAT', 'json', 'logfmt', 'LOG_LEVEL', 'info', 'debug'],
    ['CFG105', 'API_URL', 'http://a:80', 'http://b:80', 'GREETING', 'hello', 'hi'],
  ])('%s fires on %s and not on a plain value change of %s', (rule, key, from, to, otherKey, otherFrom, otherTo) => {
    expect(diffConfig({ file: 'f', stable: new Map([[key, from]]), canary: new Map([[key, to]]) })[0]?.rule).toBe(rule);
    expect(diffConfig({ file: 'f', stable: new Map([[otherKey, otherFrom]]), canary: new Map([[otherKey, otherTo]]) })[0]?.rule).toBe('CFG107');
  });

  it('value kinds and key patterns', () => {
    expect(['1.5', 'true', '{"a":1}', 'x', ''].map((v) => valueKind(v))).toEqual(['number', 'boolean', 'json', 'string', 'empty']);
    expect(keyMatches('env/web/DB_URL', ['DB_*'])).toBe(true);
    expect(keyMatches('env/web/DB_URL', ['DB'])).toBe(false);
    expect(keyMatches('anything', undefined)).toBe(true);
  });
  it('a metric name the stable config mentions and the canary lost is CFG106; a longer name is not a mention', () => {
    const s = new Map([['q', 'sum(rate(http_requests_total[5m]))']]);
    expect(metricNamesRemoved(s, new Map([['q', 'sum(rate(app_requests_total[5m]))']]), ['http_requests_total'])[0]?.rule).toBe('CFG106');
    expect(metricNamesRemoved(s, new Map(s), ['http_requests_total'])).toEqual([]);
    expect(metricNamesRemoved(new Map([['q', 'http_requests_total_bucket']]), new Map(), ['http_requests_total'])).toEqual([]);
  });
});

describe('type coverage', () => {
  const t = (x: Partial<ColumnType>): ColumnType => ({ family: 'other', name: 'x', ...x });
  it.each([
    [t({ family: 'int', bytes: 4 }), t({ family: 'int', bytes: 8 }), 'widen-visible'],
    [t({ family: 'int', bytes: 8 }), t({ family: 'int', bytes: 4 }), 'narrow'],
    [t({ family: 'int', bytes: 4, unsigned: true }), t({ family: 'int', bytes: 4 }), 'narrow'],
    [t({ family: 'text', length: 20 }), t({ family: 'text' }), 'widen-invisible'],
    [t({ family: 'text' }), t({ family: 'text', length: 200 }), 'narrow'],
    [t({ family: 'numeric', precision: 10, scale: 2 }), t({ family: 'numeric', precision: 12, scale: 4 }), 'widen-invisible'],
    [t({ family: 'numeric', precision: 10, scale: 2 }), t({ family: 'numeric', precision: 10, scale: 4 }), 'narrow'],
    [t({ family: 'text' }), t({ family: 'int', bytes: 4 }), 'family-change'],
    [t({ family: 'timestamp' }), t({ family: 'timestamptz' }), 'widen-visible'],
  ])('%o → %o is %s', (a, b, expected) => {
    expect(compareTypes(a, b)).toBe(expected);
  });
});

describe('contract directives', () => {
  it('reads directives from comments only, and matches tables and columns', () => {
    const c = new Set(contractDirectives('-- canary-gate:contract users.legacy_flag, orders\nSELECT 1; -- canary-gate:contract not_here\n'));
    expect([...c]).toEqual(['users.legacy_flag', 'orders']);
    expect(isContracted(c, 'users.legacy_flag')).toBe(true);
    expect(isContracted(c, 'orders.total')).toBe(true);
    expect(isContracted(c, 'users.email')).toBe(false);
  });
});

describe('schema config section', () => {
  it('applies defaults and maps to check options', () => {
    const c = schemaConfigSchema.parse({ dir: 'db/migrations' });
    expect(c).toMatchObject({ dialect: 'postgres', strict: false, replay: true });
    expect(schemaOptionsFromConfig(c, '/repo', { base: 'abc123' })).toMatchObject({ cwd: '/repo', dir: 'db/migrations', base: 'abc123', timeoutMs: 120_000 });
  });
  it.each([
    [{ dialect: 'oracle', dir: 'db' }, 'dialect', 'must be postgres or mysql'],
    [{}, 'dir', 'is required'],
    [{ dir: '../elsewhere' }, 'dir', 'must stay inside the repository'],
    [{ dir: 'db', base: '--upload-pack=x' }, 'base', 'does not start with "-"'],
    [{ command: 'python manage.py sqlmigrate' }, 'command', 'argv list'],
    [{ 'canary-dump': 'c.sql' }, 'stable-dump', 'dumps come in pairs'],
    [{ dir: 'db', config: { files: ['a.yaml'] } }, 'base', 'config comparison'],
    [{ dir: 'db', unknown: 1 }, '', 'nrecognized'],
  ])('%o is rejected at %s', (input, path, message) => {
    const r = schemaConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path);
    expect(issue?.message).toContain(message);
  });
});

describe('renderers', () => {
  const report: SchemaReport = {
    verdict: 'block',
    replay: 'ran',
    execution: { status: 'ran', statements: 12, failures: 0 },
    filesChecked: ['db/V2.sql'],
    notes: ['note with <b>html</b>'],
    findings: [
      { rule: 'SC115', verdict: 'warn', file: 'db/V2.sql', line: 3, object: 'mood.x', message: 'warn', alternative: 'alt' },
      { rule: 'SC102', verdict: 'block', file: 'db/V2.sql', line: 1, object: 'users.name', statement: 'ALTER TABLE users DROP COLUMN name -- @team [x](http://evil) | `code`', message: 'msg', alternative: 'alt' },
    ],
  };
  it('JSON has the agreed top level and findings ordered block first', () => {
    const j = JSON.parse(renderSchemaJson(report));
    expect(j.verdict).toBe('block');
    expect(j.findings.map((f: { rule: string }) => f.rule)).toEqual(['SC102', 'SC115']);
    expect(Object.keys(j.findings[0])).toEqual(['rule', 'verdict', 'file', 'line', 'object', 'statement', 'message', 'alternative', 'proof']);
  });
  it('Markdown escapes everything from the input', () => {
    const md = renderSchemaMarkdown(report);
    expect(md).not.toMatch(/<b>|\[x\]\(http|@team|`code`/);
    expect(md).toContain('&lt;b&gt;');
    expect(md.split('\n').filter((l) => l.startsWith('| ')).every((l) => (l.match(/(?<!\\)\|/g) ?? []).length === 6)).toBe(true);
  });
  it('escapeMarkdown neutralises table pipes, newlines and emphasis', () => {
    expect(escapeMarkdown('a|b\n*c*')).toBe('a\\|b \\*c\\*');
  });
});

describe('docs/schema-rules.md', () => {
  const doc = readFileSync(new URL('../../docs/schema-rules.md', import.meta.url), 'utf8');
  it('holds the rules section rendered from the catalog (run npm run docs:schema-rules after changing it)', () => {
    expect(withRulesDoc(doc)).toBe(doc);
  });
  it('has a section per rule id with why it breaks and the expand/contract alternative, which reports link to', () => {
    for (const id of RULE_IDS) {
      const section = doc.split(`\n### ${id}\n`)[1]?.split('\n### ')[0] ?? '';
      expect(section).toContain(`Safe alternative (expand/contract): ${ruleInfo(id).alternative}`);
      expect(section).toContain('Why: ');
    }
    const md = renderSchemaMarkdown({
      verdict: 'block', replay: 'ran', execution: { status: 'ran', statements: 3, failures: 1 }, filesChecked: [], notes: [],
      findings: [{ rule: 'SC123', verdict: 'block', object: 'orders', message: 'm', proof: [{ statement: 'INSERT INTO orders DEFAULT VALUES', sqlstate: '23502', error: 'e' }] }],
    });
    expect(md).toContain(`[**SC123**](${ruleDocUrl('SC123')})`);
    expect(ruleDocUrl('SC123')).toMatch(/docs\/schema-rules\.md#sc123$/);
  });
});
