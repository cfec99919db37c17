/** Locks and availability: SC301, SC302, SC306, SC307, SC308, SC309. */
import { isStableTable } from '../model.ts';
import { isVolatileExpr, rangeVarKey } from '../pg/ast.ts';
import { columnFromDef, dropObjectKey } from '../pg/model-builder.ts';
import { constraintsOf } from '../pg/ast.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, type PgRule } from './pg-context.ts';

/** SC301: a plain CREATE INDEX blocks writes for the whole build. */
export const createIndexNotConcurrently: PgRule = (s, ctx) => {
  if (s.type !== 'IndexStmt' || s.node.concurrent) return [];
  const table = rangeVarKey(s.node.relation);
  if (!isStableTable(ctx.model, table)) return [];
  return [{ rule: 'SC301', object: table, message: `CREATE INDEX on ${table} without CONCURRENTLY blocks writes of both versions until the index is built.` }];
};

/** SC302: a plain DROP INDEX takes ACCESS EXCLUSIVE on the table. */
export const dropIndexNotConcurrently: PgRule = (s, ctx) => {
  if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_INDEX' || s.node.concurrent) return [];
  return (s.node.objects ?? [])
    .map((o: unknown) => dropObjectKey(o, 'OBJECT_INDEX'))
    .filter((k: string) => (ctx.model.indexes.get(k)?.origin ?? 'stable') === 'stable')
    .map((k: string): RuleHit => ({ rule: 'SC302', object: k, message: `DROP INDEX ${k} without CONCURRENTLY locks its table against reads and writes.` }));
};

/** SC306: the default or generation is computed for every existing row (rewrite). */
export const heavyAddColumn: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddColumn' && isStableTable(ctx.model, table))
    .filter(({ cmd }) => {
      const def = cmd.def?.ColumnDef;
      const c = columnFromDef(def, ctx.model, 'change');
      const volatile = constraintsOf(def).some((k) => k.contype === 'CONSTR_DEFAULT' && isVolatileExpr(k.raw_expr));
      return volatile || c.identity || (c.generated && constraintsOf(def).some((k) => k.contype === 'CONSTR_GENERATED'));
    })
    .map(({ table, cmd }) => ({ rule: 'SC306', object: `${table}.${cmd.def.ColumnDef.colname}`, message: `Adding ${cmd.def.ColumnDef.colname} computes a value for every row of ${table}: the table is rewritten under ACCESS EXCLUSIVE.` }));

/** SC307: SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK proves it. */
export const setNotNullWithoutCheck: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_SetNotNull' && isStableTable(ctx.model, table) && !ctx.validatedNotNull.has(`${table}.${cmd.name}`))
    .filter(({ table, cmd }) => !ctx.model.tables.get(table)?.columns.get(cmd.name)?.notNull)
    .map(({ table, cmd }) => ({ rule: 'SC307', object: `${table}.${cmd.name}`, message: `SET NOT NULL on ${table}.${cmd.name} scans the table under ACCESS EXCLUSIVE.` }));

const ACCESS_EXCLUSIVE = new Set(['AlterTableStmt', 'RenameStmt', 'TruncateStmt', 'AlterObjectSchemaStmt']);

/** SC308 (opt-in): without lock_timeout, a queued ACCESS EXCLUSIVE request blocks every query behind it. */
export const missingLockTimeout: PgRule = (s, ctx) => {
  if (!ctx.requireLockTimeout || ctx.lockTimeoutSet) return [];
  const heavy = ACCESS_EXCLUSIVE.has(s.type) || (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE');
  if (!heavy) return [];
  return [{ rule: 'SC308', object: s.type, message: 'This statement takes ACCESS EXCLUSIVE with no lock_timeout set: while it waits, every query of both versions on the table queues behind it.' }];
};

/** SC309: PostgreSQL refuses CONCURRENTLY inside a transaction block: the migration fails. */
export const concurrentlyInTransaction: PgRule = (s, ctx) => {
  if (!ctx.inTransaction) return [];
  const concurrent =
    (s.type === 'IndexStmt' && s.node.concurrent) ||
    (s.type === 'DropStmt' && s.node.concurrent) ||
    (s.type === 'ReindexStmt' && (s.node.params ?? []).some((p: { DefElem?: { defname?: string } }) => p.DefElem?.defname === 'concurrently'));
  if (!concurrent) return [];
  return [{ rule: 'SC309', object: s.type, message: 'CONCURRENTLY cannot run inside a transaction block: the migration fails.' }];
};
