/**
 * Classifies a change set of PostgreSQL statements against the stable schema model. Pure: parsed
 * statements in, findings out. The model follows the change statement by statement, so an object
 * the change itself created is never reported.
 */
import { cloneModel, markAllStable, emptyModel, type SchemaModel } from '../model.ts';
import { hitsToFindings, type RuleHit } from '../rules/hit.ts';
import { alterCmds, notNullCheckColumn, type PgRuleContext } from '../rules/pg-context.ts';
import { PG_RULES } from '../rules/pg-index.ts';
import type { SchemaFinding } from '../types.ts';
import { rangeVarKey } from './ast.ts';
import { applyPgStatement } from './model-builder.ts';
import type { PgStatement } from './parse.ts';

export interface IndexedFinding extends SchemaFinding {
  /** Index of the statement in the change (for merging with the replay). */
  index?: number;
}

/** Builds the stable schema from the stable migrations, in order. */
export function buildPgModel(stmts: readonly PgStatement[], contract: Iterable<string> = []): SchemaModel {
  const model = emptyModel();
  for (const s of stmts) applyPgStatement(model, s, 'stable');
  markAllStable(model);
  for (const c of contract) model.contract.add(c);
  return model;
}

export interface PgClassifyOptions {
  requireLockTimeout?: boolean;
}

export function classifyPgChange(stable: SchemaModel, change: readonly PgStatement[], opts: PgClassifyOptions = {}): { findings: IndexedFinding[]; model: SchemaModel } {
  const model = cloneModel(stable);
  const findings: IndexedFinding[] = [];
  const validatedNotNull = new Set<string>();
  const pendingChecks = new Map<string, string>();
  let file = '';
  let inTransaction = false;
  let lockTimeoutSet = false;
  for (const s of change) {
    if (s.file !== file) {
      file = s.file;
      inTransaction = false;
      lockTimeoutSet = false;
    }
    const ctx: PgRuleContext = { model, inTransaction, lockTimeoutSet, requireLockTimeout: Boolean(opts.requireLockTimeout), validatedNotNull };
    let hits: RuleHit[] = [];
    for (const rule of PG_RULES) hits = hits.concat(rule(s, ctx));
    hits = downgradeForSafePatterns(hits, s, change);
    for (const f of hitsToFindings(hits, s, model.contract)) findings.push({ ...f, index: s.index });

    // Session facts for later statements of the same file.
    if (s.type === 'TransactionStmt') {
      const kind = String(s.node.kind);
      if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') inTransaction = true;
      if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK') inTransaction = false;
    }
    if (s.type === 'VariableSetStmt' && s.node.name === 'lock_timeout') lockTimeoutSet = true;
    for (const { table, cmd } of alterCmds(s)) {
      const col = cmd.subtype === 'AT_AddConstraint' ? notNullCheckColumn(cmd.def?.Constraint) : undefined;
      if (col && cmd.def.Constraint.skip_validation) pendingChecks.set(String(cmd.def.Constraint.conname), `${table}.${col}`);
      else if (col) validatedNotNull.add(`${table}.${col}`);
      if (cmd.subtype === 'AT_ValidateConstraint' && pendingChecks.has(cmd.name)) validatedNotNull.add(pendingChecks.get(cmd.name)!);
    }
    applyPgStatement(model, s, 'change');
  }
  return { findings, model };
}

/**
 * The stable version keeps working through a rename when the change leaves the old name behind:
 * a view under the old table name (SC103), or a generated column under the old column name (SC104,
 * reads work, writes do not).
 */
function downgradeForSafePatterns(hits: RuleHit[], s: PgStatement, change: readonly PgStatement[]): RuleHit[] {
  return hits.map((h) => {
    if (h.rule === 'SC103' && s.type === 'RenameStmt') {
      const oldName = rangeVarKey(s.node.relation);
      const viewBack = change.some((o) => o.index > s.index && o.type === 'ViewStmt' && rangeVarKey(o.node.view) === oldName);
      if (viewBack) return { ...h, verdict: 'warn', message: `${h.message.split(':')[0]}; a view under the old name keeps stable reads working (writes through the view work only if it is simple and updatable).` };
    }
    if (h.rule === 'SC104' && s.type === 'RenameStmt') {
      const table = rangeVarKey(s.node.relation);
      const genBack = change.some((o) =>
        o.index > s.index &&
        alterCmds(o).some(({ table: t, cmd }) =>
          t === table &&
          cmd.subtype === 'AT_AddColumn' &&
          cmd.def?.ColumnDef?.colname === s.node.subname &&
          (cmd.def.ColumnDef.constraints ?? []).some((c: { Constraint?: { contype?: string } }) => c.Constraint?.contype === 'CONSTR_GENERATED'),
        ),
      );
      if (genBack) return { ...h, verdict: 'warn', message: `${h.message.split(':')[0]}; a generated column under the old name keeps stable reads working, but stable writes to it fail.` };
    }
    return h;
  });
}
