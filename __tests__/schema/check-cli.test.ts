/**
 * The check end to end without the replay: git discovery between two refs of a temporary
 * repository, history rewrites (SC122), the contract phase, the ORM-command and dump inputs, the
 * config rules, the CLI's exit codes and output, and the pre-check.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSchemaCheck, schemaCheckCli, schemaPreCheck } from '../../src/schema/index.ts';
import { makeRepo, type TempRepo } from './git-repo.ts';

const V1 = `CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(100) NOT NULL, name text, legacy_flag boolean);
-- canary-gate:contract users.legacy_flag
`;
const repos: TempRepo[] = [];
function repo(...args: Parameters<typeof makeRepo>): TempRepo {
  const r = makeRepo(...args);
  repos.push(r);
  return r;
}
afterAll(() => repos.forEach((r) => r.cleanup()));

function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return schemaCheckCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd }).then((code) => ({ code, out, err }));
}

describe('git discovery', () => {
  const r = repo({ 'db/migrations/V1__users.sql': V1 }, {
    'db/migrations/V2__drop_name.sql': 'ALTER TABLE users DROP COLUMN name;\n',
    'db/migrations/V3__contract.sql': 'ALTER TABLE users DROP COLUMN legacy_flag;\n',
    'db/migrations/V2__drop_name.down.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
  });

  it('checks only the migrations the change adds, against the schema the stable ref built', async () => {
    const report = await runSchemaCheck({ dialect: 'postgres', cwd: r.dir, dir: 'db/migrations', base: 'stable', head: 'HEAD', replay: false });
    expect(report.filesChecked).toEqual(['db/migrations/V2__drop_name.sql', 'db/migrations/V3__contract.sql']);
    expect(report.verdict).toBe('block');
    const drop = report.findings.find((f) => f.object === 'users.name');
    expect(drop).toMatchObject({ rule: 'SC102', verdict: 'block', file: 'db/migrations/V2__drop_name.sql', line: 1 });
    // The stable ref declared legacy_flag deprecated: the contract phase allows dropping it.
    expect(report.findings.find((f) => f.object === 'users.legacy_flag')?.verdict).toBe('pass');
    expect(report.replay).toBe('skipped');
  });

  it('a bad ref is a usage error that names the ref', async () => {
    await expect(runSchemaCheck({ dialect: 'postgres', cwd: r.dir, dir: 'db/migrations', base: 'no-such-ref', replay: false })).rejects.toMatchObject({ reason: 'invalid-input', message: expect.stringContaining('no-such-ref') });
  });

  it('a ref that looks like an option is refused before git sees it', async () => {
    await expect(runSchemaCheck({ dialect: 'postgres', cwd: r.dir, dir: 'db/migrations', base: '--output=/tmp/x', replay: false })).rejects.toMatchObject({ reason: 'invalid-input' });
  });
});

describe('SC122 history rewritten', () => {
  it('flags edited, deleted, renamed and back-dated migrations; a plain new one passes', async () => {
    const r = repo(
      { 'm/001_a.sql': 'CREATE TABLE a (id int);', 'm/002_b.sql': 'CREATE TABLE b (id int);', 'm/003_c.sql': 'CREATE TABLE c (id int);', 'm/005_e.sql': 'CREATE TABLE e (id int);' },
      { 'm/001_a.sql': 'CREATE TABLE a (id bigint);', 'm/002_b.sql': null, 'm/003_c.sql': { renameTo: 'm/003_cc.sql' }, 'm/004_d.sql': 'CREATE TABLE d (id int);', 'm/006_f.sql': 'CREATE TABLE f (id int);' },
    );
    const report = await runSchemaCheck({ dialect: 'postgres', cwd: r.dir, dir: 'm', base: 'stable', replay: false });
    const h = report.findings.filter((f) => f.rule === 'SC122');
    expect(h.map((f) => f.object).sort()).toEqual(['m/001_a.sql', 'm/002_b.sql', 'm/003_c.sql', 'm/004_d.sql']);
    expect(h.every((f) => f.verdict === 'block')).toBe(true);
    expect(report.findings.some((f) => f.object === 'm/006_f.sql')).toBe(false);
  });
});

describe('other inputs', () => {
  it('an ORM command printing SQL is run with an argv array and checked', async () => {
    const r = repo({ 'db/V1.sql': V1 }, {});
    const sql = 'ALTER TABLE users ALTER COLUMN email TYPE varchar(20);';
    const report = await runSchemaCheck({ dialect: 'postgres', cwd: r.dir, dir: 'db', base: 'stable', sqlCommand: [process.execPath, '-e', `process.stdout.write(${JSON.stringify(sql)})`], replay: false });
    expect(report.findings.map((f) => `${f.rule}:${f.verdict}`)).toContain('SC108:block');
  });

  it('a command that hangs is stopped by the timeout', async () => {
    const r = repo({ 'db/V1.sql': V1 }, {});
    await expect(runSchemaCheck({ dialect: 'postgres', cwd: r.dir, sqlCommand: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], replay: false, timeoutMs: 500 })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('two schema dumps are compared (MySQL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-gate-dumps-'));
    try {
      writeFileSync(join(dir, 'stable.sql'), "CREATE TABLE users (id int NOT NULL, email varchar(100) NOT NULL DEFAULT '', name varchar(50));");
      writeFileSync(join(dir, 'canary.sql'), 'CREATE TABLE users (id int NOT NULL, email varchar(100) NOT NULL, full_name varchar(50));');
      const report = await runSchemaCheck({ dialect: 'mysql', cwd: dir, stableDump: 'stable.sql', canaryDump: 'canary.sql' });
      expect(report.findings.map((f) => `${f.rule}:${f.object}`).sort()).toEqual(['SC102:users.name', 'SC107:users.email']);
      expect(report.notes.join(' ')).toMatch(/rename shows as a drop/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two pg_dump schema dumps are compared (PostgreSQL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-gate-dumps-'));
    const dump = (cols: string) => `SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.users (
    id bigint NOT NULL,
    ${cols}
);
CREATE SEQUENCE public.users_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
`;
    try {
      writeFileSync(join(dir, 'stable.sql'), dump('email character varying(100) NOT NULL,\n    name text'));
      writeFileSync(join(dir, 'canary.sql'), dump('email character varying(50) NOT NULL,\n    name text NOT NULL'));
      const report = await runSchemaCheck({ dialect: 'postgres', cwd: dir, stableDump: 'stable.sql', canaryDump: 'canary.sql' });
      expect(report.findings.map((f) => `${f.rule}:${f.object}`).sort()).toEqual(['SC106:users.name', 'SC108:users.email']);
      expect(report.replay).toBe('skipped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MySQL migrations through git: MODIFY dropping the default blocks', async () => {
    const r = repo({ 'sql/001.sql': "CREATE TABLE t (id int NOT NULL, state varchar(10) NOT NULL DEFAULT 'new');" }, { 'sql/002.sql': 'ALTER TABLE t MODIFY state varchar(10) NOT NULL;' });
    const report = await runSchemaCheck({ dialect: 'mysql', cwd: r.dir, dir: 'sql', base: 'stable' });
    expect(report.verdict).toBe('block');
    expect(report.findings[0]).toMatchObject({ rule: 'SC107', line: 1 });
  });
});

describe('config compatibility', () => {
  const deployment = (env: Record<string, string>, port: number, scrapePath: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    metadata:
      annotations: { prometheus.io/path: "${scrapePath}" }
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ name: http, containerPort: ${port} }]
          env:
${Object.entries(env).map(([k, v]) => `            - { name: ${k}, value: "${v}" }`).join('\n')}
`;
  const configMap = (data: Record<string, string>) => `apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}
`;

  it('reports removed, renamed, retyped keys, log format, endpoints and lost metric names', async () => {
    const r = repo(
      {
        'k8s/deploy.yaml': deployment({ DATABASE_URL: 'postgres://db:5432/app', CACHE_TTL: '30', LOG_FORMAT: 'json', FEATURE_X: 'on', OLD_NAME: 'v' }, 8080, '/metrics'),
        'k8s/cm.yaml': configMap({ 'metrics.prefix': 'http_requests_total', retries: '3' }),
      },
      {
        'k8s/deploy.yaml': deployment({ DATABASE_URL: 'postgres://db2:5432/app', CACHE_TTL: 'thirty', LOG_FORMAT: 'logfmt', NEW_NAME: 'v' }, 9090, '/metrics'),
        'k8s/cm.yaml': configMap({ 'metrics.prefix': 'app_requests_total', retries: '4' }),
      },
    );
    const report = await runSchemaCheck({
      dialect: 'postgres',
      cwd: r.dir,
      base: 'stable',
      sqlCommand: [process.execPath, '-e', ''],
      replay: false,
      config: { files: ['k8s/cm.yaml'], deploymentManifest: 'k8s/deploy.yaml', metricNames: ['http_requests_total'] },
    });
    const got = Object.fromEntries(report.findings.filter((f) => f.rule.startsWith('CFG')).map((f) => [f.object, `${f.rule}:${f.verdict}`]));
    expect(got).toMatchObject({
      'env/web/FEATURE_X': 'CFG101:block',
      'env/web/OLD_NAME': 'CFG102:block',
      'env/web/CACHE_TTL': 'CFG103:block',
      'env/web/LOG_FORMAT': 'CFG104:warn',
      'env/web/DATABASE_URL': 'CFG105:warn',
      'port/web/http': 'CFG105:warn',
      http_requests_total: 'CFG106:block',
      'configmap/web-config/retries': 'CFG107:pass',
    });
    expect(got['annotation/prometheus.io/path']).toBeUndefined();
  });

  it('keys narrow the comparison to what the user named', async () => {
    const r = repo({ 'app.env': 'A=1\nB=2\n' }, { 'app.env': 'A=1\n' });
    const all = await runSchemaCheck({ dialect: 'postgres', cwd: r.dir, base: 'stable', sqlCommand: [process.execPath, '-e', ''], replay: false, config: { files: ['app.env'] } });
    expect(all.findings.map((f) => f.object)).toEqual(['B']);
    const named = await runSchemaCheck({ dialect: 'postgres', cwd: r.dir, base: 'stable', sqlCommand: [process.execPath, '-e', ''], replay: false, config: { files: ['app.env'], keys: ['A'] } });
    expect(named.findings).toEqual([]);
  });
});

describe('schema-check CLI', () => {
  const r = repo({ 'db/V1__users.sql': V1 }, { 'db/V2__add.sql': 'ALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX users_nick ON users (nick);\n' });
  const blocked = repo({ 'db/V1__users.sql': V1 }, { 'db/V2__rename.sql': 'ALTER TABLE users RENAME COLUMN name TO "<img src=x onerror=alert(1)>|**x**";\n' });

  it('exit 0 on warn, with a JSON report of the agreed shape', async () => {
    const { code, out } = await cli(['schema-check', '--dir', 'db', '--base', 'stable', '--head', 'HEAD', '--format', 'json', '--no-replay'], r.dir);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.verdict).toBe('warn');
    expect(json.findings[0]).toEqual(expect.objectContaining({ rule: 'SC301', verdict: 'warn', file: 'db/V2__add.sql', line: 2, object: 'users', message: expect.any(String), alternative: expect.any(String) }));
  });

  it('--strict turns warn into block: exit 1', async () => {
    const { code } = await cli(['--dir', 'db', '--base', 'stable', '--strict', '--no-replay'], r.dir);
    expect(code).toBe(1);
  });

  it('exit 1 on block; the Markdown escapes names taken from the SQL', async () => {
    const { code, out } = await cli(['schema-check', '--dir', 'db', '--base', 'stable', '--no-replay'], blocked.dir);
    expect(code).toBe(1);
    expect(out).toContain('SC104');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('**x**');
    expect(out).toContain('&lt;img');
  });

  it('exit 2 on usage errors, with the usage text', async () => {
    for (const argv of [['--dir', 'db'], ['--dir', 'db', '--base', 'stable', '--dialect', 'oracle'], ['--bogus'], ['--dir', 'db', '--base', 'nope']]) {
      const { code, err } = await cli(argv, r.dir);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toContain('Usage: canary-gate schema-check');
    }
  });
});

describe('pre-check', () => {
  it('reports block with a summary, Markdown and findings for the rollout', async () => {
    const r = repo({ 'db/V1.sql': V1 }, { 'db/V2.sql': 'DROP TABLE users;' });
    const result = await schemaPreCheck({ dialect: 'postgres', cwd: r.dir, dir: 'db', base: 'stable', replay: false }).run();
    expect(result.verdict).toBe('block');
    expect(result.summary).toMatch(/^schema block — 1 blocking/);
    expect(result.summary).toContain('SC101 users');
    expect(result.markdown).toContain('SC101');
    expect(result.findings).toHaveLength(1);
  });
});
