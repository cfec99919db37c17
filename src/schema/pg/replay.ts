/**
 * Replays the migrations in PGlite (real PostgreSQL compiled to WASM): the stable migrations first,
 * then each new statement on its own with a catalog snapshot after it. The diff by OID/attnum sees
 * what the SQL really did, including DO blocks, dynamic SQL and CASCADE.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CanaryGateError, errorMessage, InputError } from '../../util/errors.ts';
import { withTimeout } from '../../util/retry.ts';
import type { MigrationFile } from '../discovery.ts';
import type { RuleHit } from '../rules/hit.ts';
import { diffSnapshots, SNAPSHOT_SQL, STABLE_SNAPSHOT_SQL, stableIdentity, type CatalogSnapshot, type StableIdentity } from './catalog.ts';
import { loadPGlite, shippedTemplate } from './engines.ts';
import { bisectFailures, failingProbes, planProbes, type ExecDatabase, type ExecutionFailure, type StableQuery } from './execute.ts';
import type { PgStatement } from './parse.ts';

/** The slice of PGlite the replay uses (tests and callers may pass their own instance). */
export interface ReplayDatabase extends ExecDatabase {
  close(): Promise<void>;
}

export interface StartReplayOptions {
  /**
   * A file holding a freshly initialised data directory (a tar, gzipped when it ends in `.gz`).
   * Starting from it skips initdb, most of PGlite's start-up time. Default: the one the bundle
   * ships; from source, a file per PGlite version in the OS temp directory, written on the first
   * start. `false` disables it.
   */
  templateCache?: string | false;
}

async function readTemplate(path: string): Promise<Blob | undefined> {
  const data = await readFile(path).catch(() => undefined);
  if (!data) return undefined;
  return new Blob([path.endsWith('.gz') ? gunzipSync(data) : data]);
}

/** Starts an in-memory PGlite; loads the WASM only when called. */
export async function startReplayDatabase(opts: StartReplayOptions = {}): Promise<ReplayDatabase> {
  const { PGlite } = await loadPGlite();
  const shipped = opts.templateCache === undefined ? shippedTemplate() : undefined;
  if (shipped) {
    const template = await readTemplate(shipped);
    // A shipped template that does not load is a broken build: fall through to initdb, still correct.
    if (template) return PGlite.create({ loadDataDir: template }).catch(() => PGlite.create());
  }
  const cache = opts.templateCache === undefined ? await defaultTemplatePath() : opts.templateCache;
  if (cache) {
    const template = await readTemplate(cache);
    if (template) {
      try {
        return await PGlite.create({ loadDataDir: template });
      } catch {
        await rm(cache, { force: true }).catch(() => undefined); // a broken template is rebuilt below
      }
    }
  }
  const db = await PGlite.create();
  if (cache) {
    try {
      const dump = await db.dumpDataDir('none');
      const tmp = `${cache}.${process.pid}.tmp`;
      await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
      await rename(tmp, cache); // atomic: concurrent checks never read half a file
    } catch {
      // The cache is an optimisation only.
    }
  }
  return db;
}

async function defaultTemplatePath(): Promise<string> {
  const require = createRequire(import.meta.url);
  let version = 'unknown';
  try {
    // The package's exports hide package.json; find it beside the resolved entry point.
    const entry = require.resolve('@electric-sql/pglite');
    const root = entry.slice(0, entry.lastIndexOf(`${sep}dist${sep}`));
    version = String((JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string }).version);
  } catch {
    // Unknown version: still cache, under a name that changes nothing when the version is found later.
  }
  return join(tmpdir(), `canary-gate-pglite-${version}-template.tar`);
}

/** Drops everything a previous replay created, so one instance serves several checks. */
export async function resetReplayDatabase(db: ReplayDatabase): Promise<void> {
  await db.exec(`ROLLBACK; DO $$ DECLARE s text; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
  END $$; DROP SCHEMA public CASCADE; CREATE SCHEMA public; RESET ALL;`).catch(async () => {
    await db.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; RESET ALL;`);
  });
}

export interface ReplayOutcome {
  status: 'ran' | 'unavailable';
  notes: string[];
  /** Hits per change statement index. */
  hits: Map<number, RuleHit[]>;
  /** Statement indexes the replay applied. */
  applied: Set<number>;
  /** The statement the replay could not apply, and why. */
  failed?: { index: number; error: string };
  /** Proof by execution; absent when it did not run (replay stopped, or not asked for). */
  execution?: ExecutionOutcome;
}

export interface ExecutionOutcome {
  /** Stable statements that worked before the change and were run after it. */
  statements: number;
  failures: ExecutionFailure[];
  /** Tables the synthesised writes exercised. */
  written: Set<string>;
}

export interface ExecutionInput {
  /** Rows loaded after the stable migrations, before anything runs (`schema.seed`). */
  seed: readonly MigrationFile[];
  /** Statements the stable version runs (`schema.stable-queries`). */
  queries: readonly StableQuery[];
}

/**
 * Statements that cannot change an object the stable version already has: no snapshot after them
 * (the next diff still compares stable objects correctly, since new objects are never reported).
 */
const CATALOG_NEUTRAL = new Set([
  'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt',
  'ExplainStmt', 'CommentStmt', 'CopyStmt', 'CheckPointStmt', 'VacuumStmt',
  'CreateStmt', 'CreateFunctionStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateSeqStmt', 'CreateSchemaStmt',
  'IndexStmt', 'CreateTrigStmt', 'CreateDomainStmt',
]);

function isCatalogNeutral(s: PgStatement): boolean {
  if (s.type === 'ViewStmt') return !s.node.replace;
  if (s.type === 'CreateStmt') return !s.node.partbound && !s.node.inhRelations?.length;
  return CATALOG_NEUTRAL.has(s.type);
}

/** The full catalog, or (given the stable identity) only what the diff reports on. */
async function snapshot(db: ReplayDatabase, stable?: StableIdentity): Promise<CatalogSnapshot> {
  const r = stable
    ? await db.query<{ snapshot: CatalogSnapshot | string }>(STABLE_SNAPSHOT_SQL, [[...stable.relations], [...stable.others]])
    : await db.query<{ snapshot: CatalogSnapshot | string }>(SNAPSHOT_SQL);
  const raw = r.rows[0]?.snapshot;
  return typeof raw === 'string' ? (JSON.parse(raw) as CatalogSnapshot) : (raw as CatalogSnapshot);
}

function trackTransaction(s: PgStatement, inTransaction: boolean): boolean {
  if (s.type !== 'TransactionStmt') return inTransaction;
  const kind = String(s.node.kind);
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return true;
  if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK') return false;
  return inTransaction;
}

export async function replayPgChange(
  db: ReplayDatabase,
  stable: readonly MigrationFile[],
  change: readonly PgStatement[],
  opts: { timeoutMs: number; signal?: AbortSignal; execution?: ExecutionInput },
): Promise<ReplayOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const timeout = (): Error => new CanaryGateError('timeout', `The PGlite replay did not finish within ${opts.timeoutMs} ms; raise timeoutMs or pass replay: false.`);
  const run = <T>(p: Promise<T>): Promise<T> => withTimeout(p, left(), timeout);
  const cancelled = (): void => {
    if (opts.signal?.aborted) throw new CanaryGateError('cancelled', 'The schema check was cancelled during the replay.');
  };
  const outcome: ReplayOutcome = { status: 'ran', notes: [], hits: new Map(), applied: new Set() };

  for (const f of stable) {
    cancelled();
    try {
      await run(db.exec(f.text));
    } catch (err) {
      if (err instanceof CanaryGateError) throw err;
      outcome.status = 'unavailable';
      outcome.notes.push(`Replay unavailable: the stable migration ${f.path} does not apply in PGlite (${errorMessage(err)}), e.g. an extension PGlite lacks. Static analysis only.`);
      return outcome;
    }
  }
  // A dump may leave session settings behind (pg_dump empties search_path).
  await run(db.exec('RESET ALL'));
  const seed = opts.execution?.seed ?? [];
  for (const f of seed) {
    try {
      await run(db.exec(f.text));
    } catch (err) {
      if (err instanceof CanaryGateError) throw err;
      throw new InputError('schema.seed', `${f.path} does not load on the stable schema: ${errorMessage(err)}. Seed rows must fit the schema the stable migrations build.`);
    }
  }
  const plan = opts.execution ? await run(planProbes(db, opts.execution.queries)) : undefined;
  if (plan) outcome.notes.push(...plan.notes);
  let before = await run(snapshot(db));
  const stableIds = stableIdentity(before);
  let inTransaction = false;
  for (const s of change) {
    cancelled();
    try {
      await run(db.exec(s.text));
    } catch (err) {
      if (err instanceof CanaryGateError) throw err;
      outcome.failed = { index: s.index, error: errorMessage(err) };
      outcome.notes.push(`Replay stopped at ${s.file}:${s.line}: PostgreSQL rejected the statement (${errorMessage(err)}). Later statements were checked statically only${plan ? ', and the stable statements were not executed' : ''}.`);
      if (inTransaction) await db.exec('ROLLBACK').catch(() => undefined);
      return outcome;
    }
    outcome.applied.add(s.index);
    inTransaction = trackTransaction(s, inTransaction);
    if (isCatalogNeutral(s)) continue;
    const after = await run(snapshot(db, stableIds));
    const hits = diffSnapshots(before, after, stableIds);
    if (hits.length) outcome.hits.set(s.index, hits);
    before = after;
  }
  if (inTransaction) await db.exec('COMMIT').catch(() => undefined);
  if (!plan) return outcome;

  cancelled();
  const failures = await run(failingProbes(db, plan.probes));
  outcome.execution = { statements: plan.probes.length, failures, written: plan.written };
  if (failures.length === 0) return outcome;
  // Which statement broke each one: replay again, statement by statement.
  await run(resetReplayDatabase(db));
  for (const f of stable) await run(db.exec(f.text));
  await run(db.exec('RESET ALL'));
  for (const f of seed) await run(db.exec(f.text));
  let tx = false;
  await run(
    bisectFailures(db, failures, change.length, async (k) => {
      cancelled();
      const s = change[k]!;
      await db.exec(s.text);
      tx = trackTransaction(s, tx);
      return { inTransaction: tx };
    }),
  );
  if (tx) await db.exec('COMMIT').catch(() => undefined);
  for (const f of failures) if (f.cause !== undefined) f.cause = change[f.cause]!.index;
  return outcome;
}
