/**
 * The PostgreSQL pipeline: parse the stable and new migrations, build the stable model, classify
 * each new statement, replay in PGlite, and merge what the replay saw into the findings.
 */
import { errorMessage, InputError } from '../../util/errors.ts';
import type { MigrationFile } from '../discovery.ts';
import type { SchemaModel } from '../model.ts';
import { ruleInfo, type RuleId } from '../rules/catalog.ts';
import { hitsToFindings, type RuleHit } from '../rules/hit.ts';
import { clipStatement } from '../rules/hit.ts';
import type { ExecutionProof, ExecutionSummary, SchemaFinding } from '../types.ts';
import { buildPgModel, classifyPgChange, type IndexedFinding } from './classify.ts';
import type { ExecutionFailure, StableQuery } from './execute.ts';
import { loadPgParser, type PgParser, type PgStatement } from './parse.ts';
import { replayPgChange, type ExecutionOutcome, type ReplayDatabase, type ReplayOutcome } from './replay.ts';
import type { ProbeKind } from './synthesize.ts';

export interface PgCheckInput {
  stable: readonly MigrationFile[];
  change: readonly MigrationFile[];
  contract: readonly string[];
  /** When given, the stable schema comes from here instead of `stable` (e.g. a schema dump). */
  stableModel?: SchemaModel;
  /** A started replay database, or undefined to skip the replay. */
  replayDb?: Promise<ReplayDatabase>;
  requireLockTimeout?: boolean;
  /** Proof by execution after the replay (default on): seed rows and the stable version's own SQL. */
  execution?: false | { seed?: readonly MigrationFile[]; stableQueries?: readonly MigrationFile[] };
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PgCheckResult {
  findings: SchemaFinding[];
  notes: string[];
  replay: 'ran' | 'skipped' | 'unavailable';
  execution: ExecutionSummary;
}

const OPAQUE = new Set(['DoStmt', 'CallStmt', 'ExecuteStmt', 'Unparsable']);

export async function checkPostgres(input: PgCheckInput): Promise<PgCheckResult> {
  const parser = await loadPgParser();
  const notes: string[] = [];
  const stableStmts: PgStatement[] = [];
  for (const f of input.stable) {
    const stmts = parser.parseFile(f.text, f.path, 0);
    if (stmts.some((s) => s.type === 'Unparsable')) notes.push(`Stable migration ${f.path} does not parse; the stable model leaves it out.`);
    stableStmts.push(...stmts.filter((s) => s.type !== 'Unparsable'));
  }
  const change: PgStatement[] = [];
  for (const f of input.change) change.push(...parser.parseFile(f.text, f.path, change.length));

  const model = input.stableModel ?? buildPgModel(stableStmts, input.contract);
  for (const c of input.contract) model.contract.add(c);
  const { findings } = classifyPgChange(model, change, { requireLockTimeout: input.requireLockTimeout });

  const notRun = (reason: string): ExecutionSummary => ({ status: 'not-run', statements: 0, failures: 0, reason });
  if (!input.replayDb) return { findings: strip(findings), notes, replay: 'skipped', execution: notRun('the replay is off') };
  const wantExecution = input.execution !== false && !input.stableModel;
  const execution = wantExecution
    ? { seed: (input.execution || {}).seed ?? [], queries: stableQueries(parser, (input.execution || {}).stableQueries ?? []) }
    : undefined;
  let outcome: ReplayOutcome;
  try {
    const db = await input.replayDb;
    outcome = await replayPgChange(db, input.stableModel ? [] : input.stable, change, { timeoutMs: input.timeoutMs, signal: input.signal, execution });
  } catch (err) {
    const reason = (err as { reason?: string }).reason;
    if (reason === 'cancelled' || reason === 'invalid-input') throw err;
    notes.push(`Replay unavailable (${errorMessage(err)}); static analysis only.`);
    return { findings: strip(findings), notes, replay: 'unavailable', execution: notRun('the replay is unavailable') };
  }
  notes.push(...outcome.notes);
  if (outcome.status === 'unavailable') return { findings: strip(findings), notes, replay: 'unavailable', execution: notRun('the replay is unavailable') };
  let merged = mergeReplay(findings, change, outcome, model.contract);
  let summary = notRun(input.stableModel ? 'a schema dump has no migrations to replay' : input.execution === false ? 'execution is off' : 'the replay stopped at a statement PostgreSQL rejected');
  if (outcome.execution) {
    const { proven, inconclusive } = splitInconclusive(outcome.execution.failures);
    for (const f of inconclusive) {
      const s = change.find((x) => x.index === f.cause);
      notes.push(
        `Execution: ${f.probe.id} fails after ${s ? `${s.file}:${s.line}` : 'the change'} with SQLSTATE ${f.code} (${f.message}), but its values are synthesised: they are not in the referenced table, while the stable version's real writes may be. Not counted as proof; give schema.seed rows and schema.stable-queries to check it.`,
      );
    }
    merged = mergeExecution(merged, change, { ...outcome.execution, failures: proven }, inconclusive);
    summary = { status: 'ran', statements: outcome.execution.statements, failures: proven.length };
  }
  return { findings: strip(merged), notes, replay: 'ran', execution: summary };
}

/**
 * A foreign key the change adds rejects a synthesised row because the invented key is not in the
 * referenced table; real stable writes reference rows that exist. That proves nothing, so a
 * synthesised statement failing with foreign_key_violation (23503) is a note, not proof. The
 * user's own statements, run against their seed rows, are proof.
 */
function splitInconclusive(failures: readonly ExecutionFailure[]): { proven: ExecutionFailure[]; inconclusive: ExecutionFailure[] } {
  const inconclusive = failures.filter((f) => f.probe.kind !== 'query' && f.code === '23503');
  return { proven: failures.filter((f) => !inconclusive.includes(f)), inconclusive };
}

const PARAMS_DIRECTIVE = /^\s*--\s*canary-gate:params\s+(.*)$/;

/**
 * The statements of `schema.stable-queries` files. Sample values for `$n` parameters come from a
 * `-- canary-gate:params [ … ]` line (a JSON array) above the statement; without one they are
 * synthesised from the parameter types PostgreSQL infers.
 */
export function stableQueries(parser: PgParser, files: readonly MigrationFile[]): StableQuery[] {
  const out: StableQuery[] = [];
  for (const f of files) {
    const stmts = parser.parseFile(f.text, f.path, 0);
    const bad = stmts.find((s) => s.type === 'Unparsable');
    if (bad) throw new InputError('schema.stable-queries', `${f.path}:${bad.line} does not parse as PostgreSQL (${bad.parseError}); give one SQL statement per query, parameters as $1, $2, …`);
    const directives = new Map<number, unknown[]>();
    f.text.split('\n').forEach((line, i) => {
      const m = PARAMS_DIRECTIVE.exec(line);
      if (!m) return;
      let params: unknown;
      try {
        params = JSON.parse(m[1]!);
      } catch {
        params = undefined;
      }
      if (!Array.isArray(params)) throw new InputError('schema.stable-queries', `${f.path}:${i + 1}: canary-gate:params expects a JSON array of sample values, e.g. [42, "a@example.com"]`);
      directives.set(i + 1, params);
    });
    let previous = 0;
    for (const s of stmts) {
      const line = [...directives.keys()].filter((l) => l > previous && l < s.line).pop();
      out.push({ file: f.path, line: s.line, text: s.text, params: line === undefined ? undefined : directives.get(line) });
      previous = s.line;
    }
  }
  return out;
}

const PROBE_TEXT: Record<ProbeKind, string> = {
  insert: 'INSERT of every column it writes',
  'insert-required': 'INSERT of only the columns it must write',
  select: 'SELECT of every column it reads',
  update: 'UPDATE by primary key',
  delete: 'DELETE by primary key',
  query: 'query',
};

/** Rules whose claim is that the stable version's statements fail: execution can confirm or contradict them. */
const EXECUTABLE_CLAIMS = new Set<RuleId>(['SC101', 'SC102', 'SC103', 'SC104', 'SC105', 'SC106', 'SC107', 'SC108', 'SC109', 'SC110', 'SC112', 'SC113', 'SC118']);

/** Does a finding's object (`users`, `users.email`, `view user_status`) concern this table or view? */
function relates(object: string | undefined, table: string): boolean {
  if (object === undefined) return false;
  const o = object.replace(/^view /, '');
  return o === table || o.startsWith(`${table}.`);
}

function proofOf(f: ExecutionFailure, change: readonly PgStatement[]): ExecutionProof {
  const s = change.find((x) => x.index === f.cause);
  const p: ExecutionProof = { statement: clipStatement(f.probe.sql), sqlstate: f.code, error: f.message };
  if (f.probe.params) p.params = f.probe.params;
  if (f.probe.source) p.source = f.probe.source;
  if (s) p.cause = { file: s.file, line: s.line, statement: clipStatement(s.text) };
  return p;
}

/**
 * Merges what execution proved into the findings. A failure confirms the rule finding on the same
 * statement and table (it becomes a block and carries the proof); one no rule saw becomes SC123.
 * A rule finding on a table whose stable statements all still work is kept, with the reason.
 */
function mergeExecution(findings: IndexedFinding[], change: readonly PgStatement[], exec: ExecutionOutcome, inconclusive: readonly ExecutionFailure[] = []): IndexedFinding[] {
  const out = findings.map((f) => ({ ...f }));
  const added = new Map<string, IndexedFinding>();
  for (const failure of exec.failures) {
    const proof = proofOf(failure, change);
    const table = failure.probe.kind === 'query' ? undefined : failure.probe.table;
    const confirmed = out.find(
      (f) => f.index !== undefined && f.index === failure.cause && EXECUTABLE_CLAIMS.has(f.rule) && (table === undefined || relates(f.object, table)),
    );
    if (confirmed) {
      if (!confirmed.proof) {
        confirmed.message += confirmed.verdict === 'block' ? ' Proven by execution (see proof).' : ' Execution proves the stable version breaks: block.';
        confirmed.verdict = 'block';
      }
      (confirmed.proof ??= []).push(proof);
      continue;
    }
    const key = `${failure.cause ?? '?'}|${failure.probe.table}`;
    const existing = added.get(key);
    if (existing) {
      existing.proof!.push(proof);
      continue;
    }
    const s = change.find((x) => x.index === failure.cause);
    const what = failure.probe.kind === 'query' ? `query at ${failure.probe.source?.file}:${failure.probe.source?.line}` : `${PROBE_TEXT[failure.probe.kind]} on ${failure.probe.table}`;
    const f: IndexedFinding = {
      rule: 'SC123',
      verdict: 'block',
      object: failure.probe.kind === 'query' ? failure.probe.id : failure.probe.table,
      message: `The stable version's ${what} worked before the change and fails after it: SQLSTATE ${failure.code}, ${failure.message}.${s ? '' : ' The statement that causes it could not be isolated (it fails only once the whole change has run).'}`,
      alternative: ruleInfo('SC123').alternative,
      proof: [proof],
      index: failure.cause,
    };
    if (s) {
      f.file = s.file;
      f.line = s.line;
      f.statement = clipStatement(s.text);
    }
    added.set(key, f);
    out.push(f);
  }
  const failedTables = new Set([...exec.failures, ...inconclusive].map((f) => f.probe.table));
  for (const f of out) {
    if (f.proof || f.verdict === 'pass' || !EXECUTABLE_CLAIMS.has(f.rule)) continue;
    const table = [...exec.written].find((t) => relates(f.object, t));
    if (!table || failedTables.has(table)) continue;
    f.message += ` Execution did not confirm it: the stable version's synthesised INSERT, SELECT, UPDATE and DELETE on ${table} still work after the change. The verdict stands: sample statements cannot cover every query and value the stable version uses.`;
  }
  return out;
}

function covers(a: string | undefined, b: string): boolean {
  if (!a) return false;
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/**
 * For opaque statements the replay decides (SC120 gives way to what it saw); for plain DDL it adds
 * only what static analysis did not name, e.g. the objects a CASCADE took along.
 */
function mergeReplay(findings: IndexedFinding[], change: readonly PgStatement[], outcome: ReplayOutcome, contract: ReadonlySet<string>): IndexedFinding[] {
  const out: IndexedFinding[] = [];
  const byIndex = new Map<number, IndexedFinding[]>();
  for (const f of findings) {
    const list = byIndex.get(f.index ?? -1) ?? [];
    list.push(f);
    byIndex.set(f.index ?? -1, list);
  }
  for (const s of change) {
    const statics = byIndex.get(s.index) ?? [];
    const replayHits: RuleHit[] = outcome.hits.get(s.index) ?? [];
    const applied = outcome.applied.has(s.index);
    if (OPAQUE.has(s.type) && applied) {
      const kept = statics.filter((f) => f.rule !== 'SC120');
      out.push(...kept);
      if (replayHits.length) {
        out.push(...hitsToFindings(replayHits, s, contract).map((f) => ({ ...f, index: s.index })));
      } else {
        const f = statics.find((x) => x.rule === 'SC120');
        if (f) out.push({ ...f, verdict: 'pass', message: `${f.message} The replay ran it and saw no change to objects the stable version uses.` });
      }
    } else {
      out.push(...statics);
      const extra = replayHits.filter((h) => !statics.some((f) => covers(f.object, h.object)));
      out.push(...hitsToFindings(extra, s, contract).map((f) => ({ ...f, index: s.index })));
    }
    if (outcome.failed?.index === s.index) {
      out.push(
        ...hitsToFindings([{ rule: 'SC120', object: s.type, message: `PostgreSQL rejected this statement during the replay on a fresh copy of the stable schema: ${outcome.failed.error}. The migration is likely to fail in production too.` }], s, contract).map((f) => ({ ...f, index: s.index })),
      );
    }
  }
  return out;
}

function strip(findings: IndexedFinding[]): SchemaFinding[] {
  return findings.map(({ index: _index, ...f }) => f);
}
