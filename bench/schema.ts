/**
 * Schema-check benchmark: a change set of 50 migration files against 20 stable ones, checked from
 * git with the PGlite replay and proof by execution. Prints figures; not a timed test.
 *   npm run build && ./node_modules/.bin/node bench/schema.ts [--runs 5]
 *
 * - cold, from dist/: `canary-gate schema-check` (dist/cli/index.js) and the action's `mode: check`
 *   (dist/main/index.js, started as a GitHub runner starts it), each a fresh process with an empty
 *   TMPDIR, as on a fresh CI runner;
 * - warm, from dist/: the same process again, the OS file cache warm;
 * - where the time goes, in-process from src/: the engines' start, rules only, the replay, execution.
 * Wall time depends on the machine's load: the figures say the load average and the CPU seconds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RunnerDir, readActionYml } from '../src/sim/github-runner.ts';
import { runSchemaCheck } from '../src/schema/index.ts';
import { loadLibPgQuery } from '../src/schema/pg/engines.ts';
import { startReplayDatabase } from '../src/schema/pg/replay.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

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

function makeRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'bench');
  mkdirSync(join(dir, 'migrations'));
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'migrations', `V${String(i + 1).padStart(4, '0')}__stable.sql`), stableMigration(i));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'stable');
  git(dir, 'tag', 'stable');
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, 'migrations', `V${String(i + 21).padStart(4, '0')}__change.sql`), changeMigration(i));
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github', 'canary.yml'), 'schema:\n  dir: migrations\n  base: stable\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'change');
}

interface Timing {
  wall: number;
  cpu: number;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a process; wall seconds, and user+sys CPU seconds when /usr/bin/time is there. */
function timed(args: string[], cwd: string, env: Record<string, string>, expectOut: RegExp): Timing {
  const argv = TIME ? [TIME, '-f', 'BENCH %e %U %S', process.execPath, ...args] : [process.execPath, ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: 'utf8', timeout: 180_000 });
  const wall = (performance.now() - t0) / 1000;
  if (!expectOut.test(r.stdout)) throw new Error(`unexpected output from ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  const m = /BENCH ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[2]) + Number(m[3]) : NaN };
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: Timing[]): string => {
  const w = xs.map((x) => x.wall);
  const c = xs.map((x) => x.cpu);
  return `median ${median(w).toFixed(2)} s (min ${Math.min(...w).toFixed(2)}, max ${Math.max(...w).toFixed(2)}; CPU ${Number.isNaN(median(c)) ? 'n/a' : `${median(c).toFixed(2)} s`})`;
};
const secs = (ms: number[]): string => `${(median(ms) / 1000).toFixed(2)} s`;

if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run npm run build first');
const runner = new RunnerDir();
const repo = runner.workspace;
const temps: string[] = [];
const freshTmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'canary-gate-bench-tmp-'));
  temps.push(d);
  return d;
};
try {
  makeRepo(repo);
  console.log(`schema-check benchmark: 20 stable + 50 new migration files, ${RUNS} runs, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at start`);
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const cli = ['dist/cli/index.js', 'schema-check', '--dir', 'migrations', '--base', 'stable', '--format', 'json'].map((a, i) => (i === 0 ? join(ROOT, a) : a));
  const expectCli = /"verdict": "(pass|warn|block)"/;

  const cliCold: Timing[] = [];
  const cliWarm: Timing[] = [];
  for (let r = 0; r < RUNS; r++) {
    const tmp = freshTmp();
    cliCold.push(timed(cli, repo, { ...base, TMPDIR: tmp }, expectCli));
    cliWarm.push(timed(cli, repo, { ...base, TMPDIR: tmp }, expectCli));
  }

  // mode: check as a runner starts it: every declared input, the config file's schema section.
  const action = readActionYml();
  const checkCold: Timing[] = [];
  const checkWarm: Timing[] = [];
  for (let r = 0; r < RUNS; r++) {
    const tmp = freshTmp();
    const step = (): Timing => {
      const { env } = runner.stepEnvironment('main', { inputs: { mode: 'check' }, action });
      return timed([join(ROOT, action.runs.main)], repo, { ...env, TMPDIR: tmp }, /Schema and config compatibility/);
    };
    checkCold.push(step());
    checkWarm.push(step());
  }

  // Where the time goes (in-process, from src/).
  const opts = { dialect: 'postgres' as const, cwd: repo, dir: 'migrations', base: 'stable', head: 'HEAD' };
  let t = performance.now();
  await loadLibPgQuery();
  const parserLoad = performance.now() - t;
  const starts: number[] = [];
  const statics: number[] = [];
  const replays: number[] = [];
  const executions: number[] = [];
  let summary = '';
  for (let r = 0; r < RUNS; r++) {
    t = performance.now();
    const db = await startReplayDatabase();
    starts.push(performance.now() - t);
    try {
      t = performance.now();
      await runSchemaCheck({ ...opts, replay: false });
      statics.push(performance.now() - t);
      t = performance.now();
      await runSchemaCheck({ ...opts, replayDatabase: db, execution: false });
      replays.push(performance.now() - t);
      t = performance.now();
      const report = await runSchemaCheck({ ...opts, replayDatabase: db });
      executions.push(performance.now() - t);
      summary = `verdict ${report.verdict}, ${report.findings.length} findings, replay ${report.replay}, execution ${report.execution.statements} statements / ${report.execution.failures} failures`;
    } finally {
      await db.close();
    }
  }
  console.log(`  ${summary}`);
  console.log(`  canary-gate schema-check, cold (dist, fresh process and TMPDIR): ${fmt(cliCold)}`);
  console.log(`  canary-gate schema-check, warm (dist, second process):            ${fmt(cliWarm)}`);
  console.log(`  mode: check, cold (dist/main as a runner starts it):              ${fmt(checkCold)}`);
  console.log(`  mode: check, warm (dist/main, second process):                    ${fmt(checkWarm)}`);
  console.log(`  where the time goes (in-process, src/, medians):`);
  console.log(`    parser WASM load (libpg-query):          ${(parserLoad / 1000).toFixed(2)} s (once)`);
  console.log(`    PGlite start from the data-dir template: ${secs(starts)}`);
  console.log(`    rules only (git, parse, classify):       ${secs(statics)}`);
  console.log(`    + replay (PGlite started):               ${secs(replays)}`);
  console.log(`    + replay and execution (PGlite started): ${secs(executions)}`);
  console.log(`  target: cold ≤ 3 s median for 50 files over 20, replay included; load average now ${loadavg()[0]!.toFixed(2)}`);
} finally {
  runner.remove();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
}
