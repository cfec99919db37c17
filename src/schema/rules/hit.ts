import { isContracted } from '../contract.ts';
import type { SchemaFinding, SchemaVerdict, SqlStatement } from '../types.ts';
import { ruleInfo, type RuleId } from './catalog.ts';

/** What a pure rule returns: the rule, the object, why; the engine adds location and advice. */
export interface RuleHit {
  rule: RuleId;
  object: string;
  message: string;
  /** Overrides the rule's default verdict (e.g. a downgrade when a safe pattern is present). */
  verdict?: SchemaVerdict;
  /** Drops and renames become legitimate once the stable ref declared the object deprecated. */
  contractable?: boolean;
}

const MAX_STATEMENT = 600;

export function clipStatement(text: string): string {
  const t = text.trim();
  return t.length > MAX_STATEMENT ? `${t.slice(0, MAX_STATEMENT)} …` : t;
}

/** Turns hits into findings: default verdicts, contract phase, location and the alternative. */
export function hitsToFindings(hits: RuleHit[], stmt: SqlStatement | undefined, contract: ReadonlySet<string>): SchemaFinding[] {
  return hits.map((h) => {
    const info = ruleInfo(h.rule);
    let verdict = h.verdict ?? info.verdict;
    let message = h.message;
    if (h.contractable && verdict !== 'pass' && isContracted(contract, h.object)) {
      verdict = 'pass';
      message += ' Allowed: the stable ref declares it deprecated (contract phase).';
    }
    const f: SchemaFinding = { rule: h.rule, verdict, object: h.object, message, alternative: info.alternative };
    if (stmt) {
      f.file = stmt.file;
      f.line = stmt.line;
      f.statement = clipStatement(stmt.text);
    }
    return f;
  });
}

/** `strict` turns every warn into block. */
export function applyStrict(findings: SchemaFinding[], strict: boolean): SchemaFinding[] {
  if (!strict) return findings;
  return findings.map((f) => (f.verdict === 'warn' ? { ...f, verdict: 'block', message: `${f.message} (strict: warn counts as block)` } : f));
}
