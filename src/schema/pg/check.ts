/**
 * The PostgreSQL pipeline: parse the stable and new migrations, build the stable model, classify
 * each new statement, replay in PGlite, and merge what the replay saw into the findings.
 */
import { errorMessage } from '../../util/errors.ts';
import type { MigrationFile } from '../discovery.ts';
import type { SchemaModel } from '../model.ts';
import { hitsToFindings, type RuleHit } from '../rules/hit.ts';
import type { SchemaFinding } from '../types.ts';
import { buildPgModel, classifyPgChange, type IndexedFinding } from './classify.ts';
import { loadPgParser, type PgStatement } from './parse.ts';
import { replayPgChange, type ReplayDatabase, type ReplayOutcome } from './replay.ts';

export interface PgCheckInput {
  stable: readonly MigrationFile[];
  change: readonly MigrationFile[];
  contract: readonly string[];
  /** When given, the stable schema comes from here instead of `stable` (e.g. a schema dump). */
  stableModel?: SchemaModel;
  /** A started replay database, or undefined to skip the replay. */
  replayDb?: Promise<ReplayDatabase>;
  requireLockTimeout?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PgCheckResult {
  findings: SchemaFinding[];
  notes: string[];
  replay: 'ran' | 'skipped' | 'unavailable';
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

  if (!input.replayDb) return { findings: strip(findings), notes, replay: 'skipped' };
  let outcome: ReplayOutcome;
  try {
    const db = await input.replayDb;
    outcome = await replayPgChange(db, input.stableModel ? [] : input.stable, change, { timeoutMs: input.timeoutMs, signal: input.signal });
  } catch (err) {
    if ((err as { reason?: string }).reason === 'cancelled') throw err;
    notes.push(`Replay unavailable (${errorMessage(err)}); static analysis only.`);
    return { findings: strip(findings), notes, replay: 'unavailable' };
  }
  notes.push(...outcome.notes);
  if (outcome.status === 'unavailable') return { findings: strip(findings), notes, replay: 'unavailable' };
  return { findings: strip(mergeReplay(findings, change, outcome, model.contract)), notes, replay: 'ran' };
}

function covers(a: string | undefined, b: string): boolean {
  if (!a) return false;
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/**
 * For opaque statements the replay decides (SC120 gives way to what it saw); for plain DDL it adds
 * only what static analysis did not name, e.g. the objects a CASCADE took along.
 */
export function mergeReplay(findings: IndexedFinding[], change: readonly PgStatement[], outcome: ReplayOutcome, contract: ReadonlySet<string>): IndexedFinding[] {
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
