import type { SchemaModel } from '../model.ts';
import type { Node } from '../pg/ast.ts';
import { rangeVarKey } from '../pg/ast.ts';
import type { PgStatement } from '../pg/parse.ts';
import type { RuleHit } from './hit.ts';

/** What a PostgreSQL rule sees besides the statement: the schema just before it, and session facts. */
export interface PgRuleContext {
  /** Stable schema plus the change's earlier statements; objects remember their origin. */
  model: SchemaModel;
  /** Inside an explicit BEGIN … COMMIT of the same file. */
  inTransaction: boolean;
  /** A `SET lock_timeout` ran earlier in the same file. */
  lockTimeoutSet: boolean;
  /** SC308 is opt-in. */
  requireLockTimeout: boolean;
  /** `table.column` pairs that have a validated CHECK (col IS NOT NULL) in the change. */
  validatedNotNull: ReadonlySet<string>;
}

export type PgRule = (s: PgStatement, ctx: PgRuleContext) => RuleHit[];

export interface AlterCmd {
  table: string;
  cmd: Node;
}

/** The sub-commands of an ALTER TABLE, each with its table key. */
export function alterCmds(s: PgStatement): AlterCmd[] {
  if (s.type !== 'AlterTableStmt' || (s.node.objtype && s.node.objtype !== 'OBJECT_TABLE')) return [];
  const table = rangeVarKey(s.node.relation);
  return (s.node.cmds ?? []).map((c: Node) => ({ table, cmd: c.AlterTableCmd })).filter((c: AlterCmd) => c.cmd);
}

/** For `ADD CONSTRAINT … CHECK (col IS NOT NULL)`: the column, else undefined. */
export function notNullCheckColumn(constraint: Node): string | undefined {
  if (constraint?.contype !== 'CONSTR_CHECK') return undefined;
  const t = constraint.raw_expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = t.arg?.ColumnRef?.fields ?? [];
  const last = fields[fields.length - 1];
  return last?.String?.sval;
}
