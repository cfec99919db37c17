/**
 * The schema gate as it ships: `canary-gate schema-check` run from the bundle (dist/cli/index.js,
 * built by `npm run build`), copied away from the repository so nothing resolves from node_modules.
 * Both dialects; the Postgres cases need the parser's and PGlite's WASM that the build ships.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRepo, type TempRepo } from './git-repo.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let shipped = '';
const repos: TempRepo[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run npm run build first');
  shipped = mkdtempSync(join(tmpdir(), 'canary-gate-dist-'));
  cpSync(join(ROOT, 'dist'), shipped, { recursive: true });
});
afterAll(() => {
  if (shipped) rmSync(shipped, { recursive: true, force: true });
  repos.forEach((r) => r.cleanup());
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runBundle(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join(shipped, 'cli', 'index.js'), 'schema-check', ...args], { cwd, timeout: 90_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function repo(stable: Record<string, string>, change: Record<string, string>): string {
  const r = makeRepo(stable, change);
  repos.push(r);
  return r.dir;
}

interface Proof {
  statement: string;
  params?: unknown[];
  source?: { file: string; line: number };
  sqlstate: string;
  error: string;
  cause?: { file: string; line: number; statement: string };
}
interface Report {
  verdict: string;
  replay: string;
  execution: { status: string; statements: number; failures: number; reason?: string };
  notes: string[];
  findings: { rule: string; verdict: string; object?: string; message: string; line?: number; proof: Proof[] | null }[];
}
const json = (r: Run) => JSON.parse(r.stdout) as Report;
const proofs = (report: Report, object: string) => report.findings.filter((f) => f.object === object).flatMap((f) => f.proof ?? []);

describe('schema-check from dist/cli/index.js', () => {
  it('postgres: a renamed column blocks, with the PGlite replay run', async () => {
    const dir = repo({ 'm/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n' }, { 'm/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--head', 'HEAD', '--dialect', 'postgres', '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report).toMatchObject({ verdict: 'block', replay: 'ran' });
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'SC104', verdict: 'block', object: 'users.email' }));
  });

  it('postgres: an error inside the check (its worker process) keeps its reason and message: a missing seed file is a usage error', async () => {
    const dir = repo({ 'm/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' }, { 'm/0002_add.sql': 'ALTER TABLE users ADD COLUMN n text;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--seed', 'nope.sql'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^canary-gate schema-check: seed: cannot read nope\.sql \(ENOENT\)/);
  });

  it('mysql: a renamed column blocks', async () => {
    const dir = repo({ 'm/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n' }, { 'm/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--dialect', 'mysql', '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(json(r).findings).toContainEqual(expect.objectContaining({ rule: 'SC104', verdict: 'block' }));
  });

  it('mysql: ALTER COLUMN … DROP DEFAULT is read (no parse finding); the example blocks; the output says MySQL is rule-based', async () => {
    const dir = repo(
      { 'm/0001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total decimal(10,2) NOT NULL);\n' },
      { 'm/0002_currency.sql': "ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';\nALTER TABLE orders ALTER COLUMN currency DROP DEFAULT;\n" },
    );
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--dialect', 'mysql', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.findings.map((f) => `${f.rule}:${f.verdict}:${f.line}`)).toEqual(['SC105:block:2']);
    expect(report.execution).toMatchObject({ status: 'not-run', reason: expect.stringMatching(/MySQL is checked by rules only/) });
  });
});

const SHOP = `CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric(10,2) NOT NULL, note text);
CREATE TABLE payments (id bigserial PRIMARY KEY, order_id bigint REFERENCES orders (id), amount int NOT NULL);
CREATE TABLE reviews (id bigserial PRIMARY KEY, rating int NOT NULL, body text);
`;

describe('proof by execution, from dist/cli/index.js', () => {
  // One cold run covers the blocking cases: each breaks the stable version on its own table.
  const change = `ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';
ALTER TABLE orders ALTER COLUMN currency DROP DEFAULT;
ALTER TABLE payments ADD CONSTRAINT amount_large CHECK (amount > 100000) NOT VALID;
CREATE FUNCTION reviews_need_body() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.body IS NULL THEN RAISE EXCEPTION 'a review needs a body'; END IF; RETURN NEW; END $$;
CREATE TRIGGER reviews_body BEFORE INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_need_body();
ALTER TABLE customers ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;
`;
  const queries = `-- canary-gate:params ["Ada@Example.com", 1]
UPDATE customers SET email = $1 WHERE id = $2;
SELECT id, total FROM orders WHERE customer_id = $1;
`;
  let report: Report;
  let markdown: Run;
  beforeAll(async () => {
    const dir = repo(
      { 'm/0001_init.sql': SHOP, 'q/stable.sql': queries, 'q/seed.sql': "INSERT INTO customers (id, name, email) VALUES (1, 'Ada', 'ada@example.com');\n" },
      { 'm/0002_canary.sql': change },
    );
    const args = ['--dir', 'm', '--base', 'stable', '--stable-queries', 'q/stable.sql', '--seed', 'q/seed.sql'];
    const [j, md] = await Promise.all([runBundle([...args, '--format', 'json'], dir), runBundle([...args, '--format', 'markdown'], dir)]);
    expect(j.stderr).toBe('');
    expect(j.code).toBe(1);
    report = json(j);
    markdown = md;
  });

  it('ADD COLUMN … NOT NULL DEFAULT then DROP DEFAULT blocks, proven by the stable INSERT and pinned on the DROP DEFAULT', () => {
    expect(report.replay).toBe('ran');
    expect(report.execution.status).toBe('ran');
    const f = report.findings.find((x) => x.object === 'orders')!;
    expect(f).toMatchObject({ rule: 'SC123', verdict: 'block', line: 2 });
    const required = f.proof!.find((p) => p.statement === 'INSERT INTO orders (customer_id, total) VALUES (4242, 4242)');
    expect(required).toMatchObject({ sqlstate: '23502', cause: { file: 'm/0002_canary.sql', line: 2, statement: 'ALTER TABLE orders ALTER COLUMN currency DROP DEFAULT' } });
    expect(required!.error).toMatch(/currency/);
  });

  it('a CHECK constraint the stable INSERT violates blocks: the rule’s warning becomes a proven block', () => {
    const f = report.findings.find((x) => x.object === 'payments.amount_large' && x.rule === 'SC110')!;
    expect(f.verdict).toBe('block');
    expect(f.proof!.map((p) => p.sqlstate)).toContain('23514');
    expect(f.proof![0]!.cause).toMatchObject({ line: 3 });
  });

  it('a trigger the canary adds that rejects the stable version’s writes blocks, pinned on CREATE TRIGGER', () => {
    const p = proofs(report, 'reviews');
    expect(p).toContainEqual(expect.objectContaining({ statement: 'INSERT INTO reviews (rating) VALUES (4242)', sqlstate: 'P0001', error: 'a review needs a body', cause: expect.objectContaining({ line: 5 }) }));
  });

  it('user-supplied stable queries run with their sample values, against the seed rows', () => {
    // Without the seed row the UPDATE touches nothing and passes; with it the new CHECK rejects it.
    const all = report.findings.flatMap((f) => f.proof ?? []);
    const update = all.find((p) => p.source?.file === 'q/stable.sql');
    expect(update).toMatchObject({ source: { line: 2 }, params: ['Ada@Example.com', 1], sqlstate: '23514', cause: expect.objectContaining({ line: 6 }) });
    // The synthesised writes to customers use lower-case values: only the user's query proves the break.
    expect(all.filter((p) => p.statement.startsWith('INSERT INTO customers'))).toEqual([]);
    // The parameterised SELECT without sample values ran with synthesised ones and still works.
    expect(report.notes.join(' ')).not.toMatch(/stable\.sql:3/);
  });

  it('the Markdown report shows each proof with its statement, SQLSTATE and cause', () => {
    expect(markdown.code).toBe(1);
    const md = markdown.stdout.replace(/\\/g, ''); // Markdown escapes punctuation
    expect(md).toMatch(/Proof: <code>INSERT INTO orders \(customer_id, total\) VALUES \(4242, 4242\)<\/code> fails with SQLSTATE <code>23502<\/code>/);
    expect(md).toMatch(/broken by <code>m\/0002_canary\.sql:2<\/code>/);
    expect(md).toMatch(/execution: \d+ stable statement\(s\) run, \d+ fail after the change/);
  });
});

describe('changes the stable version survives, from dist/cli/index.js', () => {
  it('a migration that only adds a nullable column passes with zero execution failures', async () => {
    const dir = repo({ 'm/0001_init.sql': SHOP }, { 'm/0002_nickname.sql': 'ALTER TABLE customers ADD COLUMN nickname text;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report).toMatchObject({ verdict: 'pass', replay: 'ran', execution: { status: 'ran', failures: 0 } });
    // Four tables: INSERT (all columns, required ones), SELECT, UPDATE and DELETE each.
    expect(report.execution.statements).toBeGreaterThanOrEqual(16);
  });

  it('a table rename with a compatibility view under the old name does not block; execution says why', async () => {
    const dir = repo({ 'm/0001_init.sql': SHOP }, { 'm/0002_rename.sql': 'ALTER TABLE reviews RENAME TO product_reviews;\nCREATE VIEW reviews AS SELECT * FROM product_reviews;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report.verdict).not.toBe('block');
    expect(report.execution).toMatchObject({ status: 'ran', failures: 0 });
    const rename = report.findings.find((f) => f.rule === 'SC103')!;
    expect(rename.verdict).toBe('warn');
    expect(rename.message).toMatch(/Execution did not confirm it/);
  });
});
