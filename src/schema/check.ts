/**
 * The schema and config compatibility check: gathers the inputs (git refs, dumps, or an ORM
 * command), runs the dialect pipeline and the config rules, and builds the report.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { CanaryGateError, InputError } from '../util/errors.ts';
import { checkConfig } from './config/check.ts';
import { discoverMigrations, type MigrationFile } from './discovery.ts';
import { runCommand, type GitOptions } from './git.ts';
import { buildMysqlModel, checkMysql, parseMysqlFiles } from './mysql/check.ts';
import { checkPostgres } from './pg/check.ts';
import { buildPgModel } from './pg/classify.ts';
import { loadPgParser } from './pg/parse.ts';
import { bundleEntry } from './pg/engines.ts';
import { resetReplayDatabase, startReplayDatabase, type ReplayDatabase } from './pg/replay.ts';
import { diffModels } from './rules/model-diff.ts';
import { applyStrict, hitsToFindings } from './rules/hit.ts';
import { runInWorker } from './worker.ts';
import { worstVerdict, type ExecutionSummary, type SchemaFinding, type SchemaReport } from './types.ts';

export interface SchemaCheckOptions {
  dialect: 'postgres' | 'mysql';
  /** Repository root. */
  cwd: string;
  /** Migrations directory, relative to cwd. */
  dir?: string;
  /** Stable ref (the commit the stable image was built from, or the PR base). */
  base?: string;
  /** Canary ref; default HEAD. */
  head?: string;
  /** Alternative: two schema dump files (relative to cwd). */
  stableDump?: string;
  canaryDump?: string;
  /** Alternative: argv of a command printing the new SQL (Django sqlmigrate, prisma migrate diff --script, …). */
  sqlCommand?: string[];
  /** warn counts as block. */
  strict?: boolean;
  /** PGlite replay; default true for postgres. */
  replay?: boolean;
  /** Proof by execution after the replay (PostgreSQL); default true. */
  execution?: boolean;
  /** Files of SQL the stable version runs (relative to cwd), for proof by execution. */
  stableQueries?: string[];
  /** Files of rows (INSERTs) loaded after the stable migrations, before execution (relative to cwd). */
  seed?: string[];
  /** SC308: require SET lock_timeout before ACCESS EXCLUSIVE statements (opt-in). */
  requireLockTimeout?: boolean;
  config?: { files?: string[]; keys?: string[]; deploymentManifest?: string; metricNames?: string[] };
  /** Budget for each external call and for the replay; default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A PGlite (or compatible) instance to reuse; it is reset, not closed. */
  replayDatabase?: ReplayDatabase;
  /** Set by the worker (worker.ts): run here, do not start another child. */
  inWorker?: boolean;
}

const DEFAULT_TIMEOUT_MS = 120_000;

function validate(opts: SchemaCheckOptions): void {
  if (opts.dialect !== 'postgres' && opts.dialect !== 'mysql') throw new InputError('dialect', `expected postgres or mysql, found "${String(opts.dialect)}"`);
  const cmd = Boolean(opts.sqlCommand?.length);
  if (opts.canaryDump && !opts.stableDump) throw new InputError('stableDump', 'a canary dump needs the stable dump to compare with');
  if (opts.stableDump && !opts.canaryDump && !cmd) throw new InputError(opts.stableDump ? 'canaryDump' : 'stableDump', 'schema dumps come in pairs: give both the stable and the canary dump (or a stable dump with sqlCommand)');
  const git = Boolean(opts.dir && opts.base);
  const dumps = Boolean(opts.stableDump && opts.canaryDump);
  const command = cmd;
  if (opts.dir && !opts.base && !command) throw new InputError('base', 'is required with dir: the stable ref (e.g. the PR base or the commit of the stable image)');
  if (!git && !dumps && !command) throw new InputError('dir', 'expected a migrations directory with base/head refs, two schema dumps, or a command that prints the new SQL');
  if (dumps && command) throw new InputError('sqlCommand', 'give either schema dumps or a command, not both');
  if (opts.config && !(opts.base)) throw new InputError('config', 'the config comparison needs the base ref (and head, default HEAD)');
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new InputError('timeoutMs', `expected a positive number of milliseconds, found ${opts.timeoutMs}`);
}

async function readLocal(cwd: string, path: string, field: string): Promise<string> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    return await readFile(full, 'utf8');
  } catch (err) {
    throw new InputError(field, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); give a path relative to the repository root`);
  }
}

export async function runSchemaCheck(opts: SchemaCheckOptions): Promise<SchemaReport> {
  validate(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // From the bundle, a replay runs in a child whose WASM skips the optimising tier (worker.ts).
  const entry = bundleEntry();
  const replays = opts.dialect === 'postgres' && opts.replay !== false && !(opts.stableDump && opts.canaryDump);
  if (entry && replays && !opts.inWorker && !opts.replayDatabase) return runInWorker(entry, opts, timeoutMs);
  const head = opts.head ?? 'HEAD';
  const gitOpts: GitOptions = { cwd: opts.cwd, timeoutMs, signal: opts.signal };
  const notes: string[] = [];
  const findings: SchemaFinding[] = [];
  const filesChecked: string[] = [];
  const dumps = Boolean(opts.stableDump && opts.canaryDump);
  const wantReplay = opts.dialect === 'postgres' && opts.replay !== false && !dumps;
  if (opts.dialect === 'mysql' && opts.replay) notes.push('The replay runs for PostgreSQL only; MySQL changes are checked statically.');
  if (dumps && opts.replay) notes.push('Dumps carry no object identity, so there is nothing to replay: compared statically.');

  // A missing file is a usage error before anything slow starts.
  const readAll = (paths: string[] | undefined, field: string) => Promise.all((paths ?? []).map(async (p) => ({ path: p, text: await readLocal(opts.cwd, p, field) })));
  const [seed, stableQueries] = wantReplay ? await Promise.all([readAll(opts.seed, 'seed'), readAll(opts.stableQueries, 'stableQueries')]) : [[], []];

  // PGlite takes seconds to start: start it now, while git and the parser work.
  let replayDb: Promise<ReplayDatabase> | undefined;
  let startedHere = false;
  if (wantReplay) {
    if (opts.replayDatabase) {
      const db = opts.replayDatabase;
      replayDb = resetReplayDatabase(db).then(() => db);
    } else {
      replayDb = startReplayDatabase();
      startedHere = true;
    }
    replayDb.catch(() => undefined);
  }
  let replay: SchemaReport['replay'] = wantReplay ? 'ran' : 'skipped';
  let execution: ExecutionSummary = {
    status: 'not-run',
    statements: 0,
    failures: 0,
    reason: opts.dialect === 'mysql' ? 'MySQL is checked by rules only (no embedded MySQL server)' : dumps ? 'schema dumps have no migrations to replay' : 'the replay is off',
  };
  if (opts.dialect === 'mysql' && (opts.stableQueries?.length || opts.seed?.length)) notes.push('Stable queries and seed rows are executed for PostgreSQL only; MySQL changes are checked by rules.');
  try {
    let stable: MigrationFile[] = [];
    let change: MigrationFile[] = [];
    let contract: string[] = [];
    if (opts.dir && opts.base) {
      const set = await discoverMigrations(opts.dir, opts.base, head, gitOpts);
      stable = set.stable;
      change = set.change;
      contract = set.contract;
      findings.push(...set.history);
    }
    if (opts.sqlCommand?.length) {
      const { stdout } = await runCommand(opts.sqlCommand, { cwd: opts.cwd, timeoutMs, signal: opts.signal });
      change = [{ path: `command: ${opts.sqlCommand.join(' ').slice(0, 120)}`, text: stdout }];
      if (opts.stableDump) stable = [{ path: opts.stableDump, text: await readLocal(opts.cwd, opts.stableDump, 'stableDump') }];
      else if (!opts.dir) notes.push('No stable migrations given: every table the command alters counts as one the stable version uses.');
    }
    if (dumps) {
      const [s, c] = await Promise.all([readLocal(opts.cwd, opts.stableDump!, 'stableDump'), readLocal(opts.cwd, opts.canaryDump!, 'canaryDump')]);
      findings.push(...(await compareDumps(opts.dialect, { path: opts.stableDump!, text: s }, { path: opts.canaryDump!, text: c })));
      notes.push('Compared two schema dumps: a rename shows as a drop plus an add.');
      filesChecked.push(opts.stableDump!, opts.canaryDump!);
    } else {
      filesChecked.push(...change.map((f) => f.path));
      if (change.length === 0) notes.push('No new migrations in the change.');
      if (opts.dialect === 'postgres') {
        const r = await checkPostgres({ stable, change, contract, replayDb, requireLockTimeout: opts.requireLockTimeout, execution: opts.execution === false ? false : { seed, stableQueries }, timeoutMs, signal: opts.signal });
        findings.push(...r.findings);
        notes.push(...r.notes);
        replay = r.replay;
        execution = r.execution;
      } else {
        const r = await checkMysql({ stable, change, contract });
        findings.push(...r.findings);
        notes.push(...r.notes);
      }
    }
    if (opts.config) {
      const r = await checkConfig(opts.config, opts.base!, head, gitOpts);
      findings.push(...r.findings);
      notes.push(...r.notes);
      filesChecked.push(...r.files);
    }
  } catch (err) {
    if (err instanceof CanaryGateError) throw err;
    throw new CanaryGateError('internal', `The schema check failed: ${(err as Error).message}`, { cause: err });
  } finally {
    if (startedHere && replayDb) await replayDb.then((db) => db.close()).catch(() => undefined);
  }
  const final = applyStrict(findings, Boolean(opts.strict));
  return { verdict: worstVerdict(final.map((f) => f.verdict)), findings: final, notes, filesChecked, replay, execution };
}

async function compareDumps(dialect: 'postgres' | 'mysql', stable: MigrationFile, canary: MigrationFile): Promise<SchemaFinding[]> {
  let hits;
  if (dialect === 'postgres') {
    const parser = await loadPgParser();
    hits = diffModels(buildPgModel(parser.parseFile(stable.text, stable.path, 0)), buildPgModel(parser.parseFile(canary.text, canary.path, 0)));
  } else {
    hits = diffModels(buildMysqlModel(await parseMysqlFiles([stable])), buildMysqlModel(await parseMysqlFiles([canary])));
  }
  return hitsToFindings(hits, undefined, new Set()).map((f) => ({ ...f, file: canary.path }));
}
