/**
 * The replay in PGlite (real PostgreSQL in WASM), one instance shared by the whole file.
 * The block verdicts are proven the honest way: the stable version's typical queries run against
 * the schema before and after each change; they fail after every blocked change and keep working
 * after every passed one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSchemaCheck } from '../../src/schema/index.ts';
import { checkPostgres } from '../../src/schema/pg/check.ts';
import { resetReplayDatabase, startReplayDatabase, type ReplayDatabase } from '../../src/schema/pg/replay.ts';
import { worstVerdict, type SchemaFinding } from '../../src/schema/types.ts';
import { makeRepo } from './git-repo.ts';

const STABLE = `CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email varchar(100) NOT NULL UNIQUE,
  name text,
  status int NOT NULL DEFAULT 0,
  feeling mood
);
CREATE VIEW user_status AS SELECT id, status FROM users;
`;

/** What the stable version does all day. */
const STABLE_QUERIES = [
  "INSERT INTO users (email, name) VALUES ('a@example.com', 'A') ON CONFLICT (email) DO UPDATE SET name = excluded.name",
  "INSERT INTO users (email, name, feeling) VALUES ('a-rather-long-address@example.com', NULL, 'sad')",
  'SELECT id, email, name, status, feeling FROM users',
  "UPDATE users SET name = 'B' WHERE email = 'a@example.com'",
  'SELECT status FROM user_status',
];

let db: ReplayDatabase;
beforeAll(async () => {
  db = await startReplayDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function check(change: string, stable = STABLE): Promise<{ findings: SchemaFinding[]; notes: string[]; replay: string; execution: { status: string; failures: number } }> {
  await resetReplayDatabase(db);
  return checkPostgres({ stable: [{ path: 'V1.sql', text: stable }], change: [{ path: 'V2.sql', text: change }], contract: [], replayDb: Promise.resolve(db), timeoutMs: 30_000 });
}

/** Applies stable + change to a fresh schema and returns the stable queries that fail. */
async function stableQueryFailures(change: string): Promise<string[]> {
  await resetReplayDatabase(db);
  await db.exec(STABLE);
  for (const q of STABLE_QUERIES) await db.exec(q); // all work before the change
  await db.exec('DELETE FROM users');
  await db.exec(change);
  const failures: string[] = [];
  for (const q of STABLE_QUERIES) {
    try {
      await db.exec(q);
    } catch (err) {
      failures.push(`${q.slice(0, 40)}: ${(err as Error).message}`);
    }
  }
  return failures;
}

const BLOCKED: [string, string][] = [
  ['SC101', 'DROP TABLE users CASCADE;'],
  ['SC102', 'ALTER TABLE users DROP COLUMN name;'],
  ['SC104', 'ALTER TABLE users RENAME COLUMN name TO full_name;'],
  ['SC104', "DO $$ BEGIN EXECUTE 'ALTER TABLE users RENAME COLUMN ' || 'name TO full_name'; END $$;"],
  ['SC105', 'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL;'],
  ['SC106', 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;'],
  ['SC106', 'ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;'],
  ['SC107', 'ALTER TABLE users ALTER COLUMN status DROP DEFAULT;'],
  ['SC108', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(20);'],
  ['SC109', "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';"],
  ['SC112', 'DROP VIEW user_status;'],
  ['SC113', 'CREATE SCHEMA app; ALTER TABLE users SET SCHEMA app;'],
];

const PASSED: string[] = [
  'ALTER TABLE users ADD COLUMN nickname text;',
  'ALTER TABLE users ALTER COLUMN email TYPE varchar(200);',
  "ALTER TABLE users ADD COLUMN region text NOT NULL DEFAULT 'eu';",
  'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);',
  'CREATE TABLE audit (id bigserial PRIMARY KEY, note text NOT NULL); ALTER TABLE audit DROP COLUMN note;',
  "ALTER TABLE users ALTER COLUMN status SET DEFAULT 1;",
];

describe('blocked changes really break the stable version', () => {
  it.each(BLOCKED)('%s: %s', async (rule, change) => {
    const r = await check(change);
    expect(r.replay).toBe('ran');
    expect(worstVerdict(r.findings.map((f) => f.verdict))).toBe('block');
    expect(r.findings.filter((f) => f.verdict === 'block').map((f) => f.rule)).toContain(rule);
    expect(await stableQueryFailures(change)).not.toEqual([]);
  });
});

describe('passed changes keep the stable version working', () => {
  it.each(PASSED)('%s', async (change) => {
    const r = await check(change);
    expect(r.replay).toBe('ran');
    expect(r.findings.filter((f) => f.verdict === 'block')).toEqual([]);
    expect(r.execution).toMatchObject({ status: 'ran', failures: 0 });
    expect(await stableQueryFailures(change)).toEqual([]);
  });
});

describe('what only the replay sees', () => {
  it('a type change PostgreSQL refuses (a view depends on the column) is reported from the replay', async () => {
    const r = await check('ALTER TABLE users ALTER COLUMN status TYPE bigint;');
    expect(r.findings.map((f) => `${f.rule}:${f.verdict}`)).toEqual(expect.arrayContaining(['SC116:warn', 'SC120:warn']));
    expect(r.findings.find((f) => f.rule === 'SC120')?.message).toMatch(/view or rule/);
  });

  it('a DO block that renames a column: SC120 gives way to the replay’s SC104', async () => {
    const r = await check("DO $$ BEGIN EXECUTE format('ALTER TABLE %I RENAME COLUMN %I TO %I', 'users', 'name', 'full_name'); END $$;");
    expect(r.findings.map((f) => `${f.rule}:${f.verdict}:${f.object}`)).toEqual(['SC104:block:users.name']);
    expect(r.findings[0]!.message).toMatch(/Replay: .*same attnum/);
  });

  it('a harmless DO block passes once replayed', async () => {
    const r = await check("DO $$ BEGIN PERFORM 1; END $$;");
    expect(r.findings.map((f) => `${f.rule}:${f.verdict}`)).toEqual(['SC120:pass']);
  });

  it('DROP COLUMN … CASCADE: the replay names the view it took along', async () => {
    const r = await check('ALTER TABLE users DROP COLUMN status CASCADE;');
    expect(r.findings.map((f) => `${f.rule}:${f.object}`)).toEqual(expect.arrayContaining(['SC102:users.status', 'SC112:view user_status']));
  });

  it('a rename by OID is a rename, while drop + add of the same name is a drop', async () => {
    const renamed = await check('ALTER TABLE users RENAME COLUMN name TO tmp; ALTER TABLE users RENAME COLUMN tmp TO name;');
    // Between the two statements the stable version is broken: the first rename is reported.
    expect(renamed.findings.filter((f) => f.rule === 'SC104').map((f) => f.object)).toContain('users.name');
    expect(renamed.findings.map((f) => f.rule)).not.toContain('SC102');
    const dropped = await check("DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN name'; EXECUTE 'ALTER TABLE users ADD COLUMN name text'; END $$;");
    expect(dropped.findings.map((f) => f.rule)).toEqual(['SC102']);
  });

  it('a statement PostgreSQL rejects stops the replay with a warning; later statements are still checked statically', async () => {
    const r = await check('GRANT SELECT ON users TO role_that_does_not_exist;\nALTER TABLE users DROP COLUMN name;');
    expect(r.findings.map((f) => `${f.rule}:${f.verdict}:${f.line}`)).toEqual(['SC120:warn:1', 'SC102:block:2']);
    expect(r.notes.join(' ')).toMatch(/Replay stopped at V2.sql:1/);
  });

  it('falls back to static analysis when the stable migrations need what PGlite lacks', async () => {
    const r = await check('ALTER TABLE places DROP COLUMN geom;', 'CREATE EXTENSION postgis; CREATE TABLE places (id int, geom geometry);');
    expect(r.replay).toBe('unavailable');
    expect(r.notes.join(' ')).toMatch(/Replay unavailable: the stable migration V1.sql/);
    expect(r.findings.map((f) => f.rule)).toEqual(['SC102']);
  });
});

describe('through git, with the shared instance', () => {
  it('runSchemaCheck reports replay "ran" and the replayed finding', async () => {
    const repo = makeRepo({ 'migrations/0001_users.sql': STABLE }, { 'migrations/0002_do.sql': "DO $$ BEGIN EXECUTE 'ALTER TABLE users RENAME TO customers'; END $$;" });
    try {
      const report = await runSchemaCheck({ dialect: 'postgres', cwd: repo.dir, dir: 'migrations', base: 'stable', replayDatabase: db });
      expect(report.replay).toBe('ran');
      expect(report.verdict).toBe('block');
      expect(report.findings.map((f) => `${f.rule}:${f.object}`)).toEqual(['SC103:users']);
    } finally {
      repo.cleanup();
    }
  });
});
