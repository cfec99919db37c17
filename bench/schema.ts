/**
 * Schema-check benchmark: a change set of 50 migration files against 20 stable ones, checked from
 * git with the PGlite replay. Prints figures; not a timed test.
 *   ./node_modules/.bin/node bench/schema.ts [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSchemaCheck } from '../src/schema/index.ts';
import { startReplayDatabase } from '../src/schema/pg/replay.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

function stableMigration(i: number): string {
  return `CREATE TABLE t${i} (
  id bigserial PRIMARY KEY,
  name varchar(100) NOT NULL,
  note text,
  amount numeric(10,2) NOT NULL DEFAULT 0,
  created_at timestamp NOT NULL DEFAULT now()
);
CREATE INDEX t${i}_name_idx ON t${i} (name);
`;
}

/** A mix of the statements real change sets carry: additive ones, index builds, a few risky ones. */
function changeMigration(i: number): string {
  const t = `t${i % 20}`;
  switch (i % 10) {
    case 0: return `ALTER TABLE ${t} ADD COLUMN c${i} text;\nCREATE INDEX CONCURRENTLY ${t}_c${i}_idx ON ${t} (c${i});\n`;
    case 1: return `CREATE TABLE n${i} (id bigserial PRIMARY KEY, ref bigint REFERENCES ${t} (id), payload jsonb NOT NULL DEFAULT '{}');\n`;
    case 2: return `ALTER TABLE ${t} ALTER COLUMN name TYPE varchar(200);\n`;
    case 3: return `ALTER TABLE ${t} ADD COLUMN flag${i} boolean NOT NULL DEFAULT false;\nUPDATE ${t} SET note = 'x' WHERE id < 0;\n`;
    case 4: return `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'x${i}') THEN CREATE TABLE x${i} (id int); END IF; END $$;\n`;
    case 5: return `ALTER TABLE ${t} ADD CONSTRAINT ${t}_amount_${i} CHECK (amount >= 0) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_amount_${i};\n`;
    case 6: return `CREATE VIEW v${i} AS SELECT id, name FROM ${t};\nCOMMENT ON VIEW v${i} IS 'report ${i}';\n`;
    case 7: return `ALTER TABLE ${t} ALTER COLUMN note SET DEFAULT '';\n`;
    case 8: return `CREATE TYPE e${i} AS ENUM ('a', 'b');\nALTER TABLE ${t} ADD COLUMN e${i} e${i};\n`;
    default: return `CREATE FUNCTION f${i}() RETURNS int LANGUAGE sql AS $$ SELECT ${i} $$;\n`;
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore', timeout: 30_000 });
}

const repo = mkdtempSync(join(tmpdir(), 'canary-gate-bench-schema-'));
try {
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'bench@example.com');
  git(repo, 'config', 'user.name', 'bench');
  mkdirSync(join(repo, 'migrations'));
  for (let i = 0; i < 20; i++) writeFileSync(join(repo, 'migrations', `V${String(i + 1).padStart(4, '0')}__stable.sql`), stableMigration(i));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'stable');
  git(repo, 'tag', 'stable');
  for (let i = 0; i < 50; i++) writeFileSync(join(repo, 'migrations', `V${String(i + 21).padStart(4, '0')}__change.sql`), changeMigration(i));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'change');

  console.log(`schema-check benchmark: 20 stable + 50 new migration files, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`);
  const opts = { dialect: 'postgres' as const, cwd: repo, dir: 'migrations', base: 'stable', head: 'HEAD' };

  // Cold: what one CI run pays (PGlite start included, overlapped with git and parsing).
  const cold: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const report = await runSchemaCheck(opts);
    cold.push(performance.now() - t0);
    if (r === 0) console.log(`  verdict ${report.verdict}, ${report.findings.length} findings, replay ${report.replay}, ${report.filesChecked.length} files`);
  }

  // Parts: PGlite start alone, static only, and replay with a started instance.
  const t1 = performance.now();
  const db = await startReplayDatabase();
  const start = performance.now() - t1;
  const warm: number[] = [];
  const statics: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      await runSchemaCheck({ ...opts, replayDatabase: db });
      warm.push(performance.now() - t);
      t = performance.now();
      await runSchemaCheck({ ...opts, replay: false });
      statics.push(performance.now() - t);
    }
  } finally {
    await db.close();
  }
  const fmt = (xs: number[]): string => `median ${(xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]! / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)})`;
  console.log(`  full check, cold (PGlite started per run): ${fmt(cold)}`);
  console.log(`  PGlite start alone:                        ${(start / 1000).toFixed(2)} s`);
  console.log(`  full check, PGlite already started:        ${fmt(warm)}`);
  console.log(`  static analysis only (no replay):          ${fmt(statics)}`);
  console.log(`  target: < 5 s for 50 files, replay included`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
