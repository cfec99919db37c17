/**
 * Proof by execution: the stable version's statements run against the database before and after
 * the canary's migrations, each in a transaction rolled back after it. A statement that works
 * before and fails after is proof that the stable version breaks: its SQLSTATE and message, and —
 * found by replaying the change statement by statement — the migration statement that broke it.
 */
import { errorMessage } from '../../util/errors.ts';
import { sampleLiteral, selectProbe, SHAPE_SQL, synthesizeTable, VARIANTS, type Probe, type StableShape } from './synthesize.ts';

/** The slice of PGlite that execution uses. */
export interface ExecDatabase {
  exec(sql: string): Promise<unknown>;
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  describeQuery?(sql: string): Promise<{ queryParams: { dataTypeID: number }[] }>;
}

/** A statement the stable version runs, from `schema.stable-queries`. */
export interface StableQuery {
  file: string;
  line: number;
  text: string;
  /** Sample values for `$1`, `$2`, …; synthesised from the parameter types when absent. */
  params?: unknown[];
}

type ProbeResult = { ok: true } | { ok: false; setup: boolean; code: string; message: string };

export interface ExecutionFailure {
  probe: Probe;
  code: string;
  message: string;
  /** Index of the change statement after which the probe fails (and keeps failing). */
  cause?: number;
}

function sqlState(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : 'XX000';
}

const SAVEPOINT = 'canary_gate_probe';

/**
 * Runs one probe in a transaction (a savepoint inside an open one) and rolls it back. Round trips
 * are most of execution's cost: the opening, the setup and (without parameters) the statement go
 * in one; a failure is the setup's only when the setup alone fails.
 */
async function runProbe(db: ExecDatabase, p: Probe, inTransaction = false): Promise<ProbeResult> {
  const open = inTransaction ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN';
  const close = inTransaction ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK';
  const setup = [open, ...p.setup].join(';\n');
  try {
    if (p.params) {
      await db.exec(setup);
      await db.query(p.sql, p.params);
    } else {
      await db.exec(`${setup};\n${p.sql}`);
    }
    return { ok: true };
  } catch (err) {
    const failure = { code: sqlState(err), message: errorMessage(err) };
    if (p.setup.length === 0) return { ok: false, setup: false, ...failure };
    // Did the rows it needs fail to insert, or the statement itself?
    await db.exec(close).catch(() => undefined);
    try {
      await db.exec(setup);
    } catch (setupErr) {
      return { ok: false, setup: true, code: sqlState(setupErr), message: errorMessage(setupErr) };
    }
    return { ok: false, setup: false, ...failure };
  } finally {
    await db.exec(close).catch(() => undefined);
  }
}

export interface ProbePlan {
  /** Probes that work against the stable schema (the baseline). */
  probes: Probe[];
  notes: string[];
  /** Tables (rule object keys) the probes exercise with writes. */
  written: Set<string>;
}

/**
 * Against the stable schema (before the change): reads its shape, picks for every table the first
 * value set the stable schema accepts, and keeps the statements that work now — only those can
 * prove anything about the change.
 */
export async function planProbes(db: ExecDatabase, queries: readonly StableQuery[] = []): Promise<ProbePlan> {
  const r = await db.query<{ shape: StableShape['tables'] | string }>(SHAPE_SQL);
  const raw = r.rows[0]?.shape ?? [];
  const shape: StableShape = { tables: typeof raw === 'string' ? (JSON.parse(raw) as StableShape['tables']) : raw };
  const probes: Probe[] = [];
  const notes: string[] = [];
  const written = new Set<string>();
  const unsynthesised: string[] = [];
  for (const t of shape.tables) {
    const select = selectProbe(t);
    if ((await runProbe(db, select)).ok) probes.push(select);
    if (t.kind === 'v') continue;
    let found = false;
    for (let v = 0; v < VARIANTS && !found; v++) {
      const set = synthesizeTable(shape, t, v);
      if (!set || !(await runProbe(db, set.insert)).ok) continue;
      found = true;
      probes.push(set.insert);
      written.add(t.key);
      for (const p of set.others) if ((await runProbe(db, p)).ok) probes.push(p);
    }
    if (!found) unsynthesised.push(t.key);
  }
  if (unsynthesised.length) {
    notes.push(`Execution: no synthesised row satisfies the stable constraints of ${unsynthesised.join(', ')}; only their SELECT was run. Give schema.seed rows or schema.stable-queries to cover their writes.`);
  }
  for (const q of queries) {
    const probe = await queryProbe(db, q, notes);
    if (!probe) continue;
    const res = await runProbe(db, probe);
    if (res.ok) probes.push(probe);
    else notes.push(`Execution: the stable query at ${q.file}:${q.line} already fails on the stable schema (SQLSTATE ${res.code}: ${res.message}); it is left out.`);
  }
  return { probes, notes, written };
}

async function queryProbe(db: ExecDatabase, q: StableQuery, notes: string[]): Promise<Probe | undefined> {
  const base: Probe = { id: `query ${q.file}:${q.line}`, kind: 'query', table: q.file, setup: [], sql: q.text, source: { file: q.file, line: q.line } };
  if (q.params) return { ...base, params: q.params };
  if (!/\$\d/.test(q.text)) return base;
  if (!db.describeQuery) {
    notes.push(`Execution: ${q.file}:${q.line} has parameters without sample values; give them with "-- canary-gate:params [ … ]" above it.`);
    return undefined;
  }
  try {
    const d = await db.describeQuery(q.text);
    const oids = d.queryParams.map((p) => p.dataTypeID);
    const types = await db.query<{ oid: number; base: string; category: string }>(
      `SELECT t.oid::int AS oid, bt.typname AS base, bt.typcategory::text AS category FROM pg_type t JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END WHERE t.oid = ANY($1::oid[])`,
      [oids],
    );
    const params = oids.map((oid) => {
      const t = types.rows.find((x) => Number(x.oid) === oid);
      const literal = t ? sampleLiteral({ base: t.base, category: t.category, length: null, labels: null }, 1) : undefined;
      if (literal === undefined) return 'sample';
      return literal.startsWith("'") ? literal.slice(1, -1).replace(/''/g, "'") : literal;
    });
    return { ...base, params };
  } catch (err) {
    notes.push(`Execution: the stable query at ${q.file}:${q.line} does not describe on the stable schema (${errorMessage(err)}); it is left out.`);
    return undefined;
  }
}

/**
 * Runs the baseline probes against the migrated database; returns those that now fail. A probe
 * whose setup fails (the rows it needs no longer insert) proves nothing new: the INSERT probes of
 * those tables report it.
 */
export async function failingProbes(db: ExecDatabase, probes: readonly Probe[], inTransaction = false): Promise<ExecutionFailure[]> {
  const out: ExecutionFailure[] = [];
  for (const p of probes) {
    const r = await runProbe(db, p, inTransaction);
    if (!r.ok && !r.setup) out.push({ probe: p, code: r.code, message: r.message });
  }
  return out;
}

/**
 * Which change statement broke each failing probe: `step(k)` applies change statement k (in
 * order, on a database holding the stable schema); after each the failing probes run again. The
 * cause is the statement after which a probe starts failing for the last time.
 */
export async function bisectFailures(
  db: ExecDatabase,
  failures: ExecutionFailure[],
  statements: number,
  step: (k: number) => Promise<{ inTransaction: boolean }>,
): Promise<void> {
  const failing = new Set<ExecutionFailure>();
  for (let k = 0; k < statements; k++) {
    const { inTransaction } = await step(k);
    for (const f of failures) {
      const r = await runProbe(db, f.probe, inTransaction);
      if (!r.ok && !r.setup && !failing.has(f)) {
        failing.add(f);
        f.cause = k;
      } else if (r.ok || r.setup) failing.delete(f);
    }
  }
}
