/**
 * The vocabulary of the schema/config compatibility gate. Pure data; no I/O here.
 * Rules and their meaning: /work/shared/SCHEMA-RULES.md (mirrored in docs/schema-rules.md).
 */
import type { RuleId } from './rules/catalog.ts';

export type SchemaVerdict = 'block' | 'warn' | 'pass';

export interface SchemaFinding {
  rule: RuleId;
  verdict: SchemaVerdict;
  file?: string;
  line?: number;
  /** The object concerned, e.g. `public.users.email` or `users`. */
  object?: string;
  /** The statement (or config key/value) that triggered the finding, trimmed. */
  statement?: string;
  /** Why the stable version breaks (or why this is worth a look). */
  message: string;
  /** The safe expand/contract alternative. */
  alternative?: string;
  /** Proof by execution: stable statements that worked before the change and fail after it. */
  proof?: ExecutionProof[];
}

export interface ExecutionProof {
  /** The stable version's statement (synthesised, or from `schema.stable-queries`). */
  statement: string;
  params?: unknown[];
  /** Where a user-supplied statement came from. */
  source?: SourceLocation;
  sqlstate: string;
  error: string;
  /** The migration statement after which it fails; absent when it could not be isolated. */
  cause?: SourceLocation & { statement: string };
}

/** What proof by execution did (PostgreSQL with the replay only). */
export interface ExecutionSummary {
  status: 'ran' | 'not-run';
  /** Stable statements that worked before the change and ran after it. */
  statements: number;
  /** Of those, how many fail after it. */
  failures: number;
  /** Why it did not run. */
  reason?: string;
}

export interface SchemaReport {
  verdict: SchemaVerdict;
  findings: SchemaFinding[];
  notes: string[];
  filesChecked: string[];
  replay: 'ran' | 'skipped' | 'unavailable';
  execution: ExecutionSummary;
}

/** Where a statement came from: enough for `file:line` in a finding. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** One SQL statement of a migration, with its text and location. */
export interface SqlStatement extends SourceLocation {
  /** Index among all new statements of the change, in application order. */
  index: number;
  text: string;
}

export function worstVerdict(verdicts: Iterable<SchemaVerdict>): SchemaVerdict {
  let worst: SchemaVerdict = 'pass';
  for (const v of verdicts) {
    if (v === 'block') return 'block';
    if (v === 'warn') worst = 'warn';
  }
  return worst;
}
