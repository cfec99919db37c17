/** Drops and data destruction: SC101, SC102, SC112, SC119. */
import { isStableColumn, isStableObject, isStableTable } from '../model.ts';
import { rangeVarKey } from '../pg/ast.ts';
import { dropObjectKey, kindOf } from '../pg/model-builder.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, type PgRule } from './pg-context.ts';

/** SC101: the stable version still queries the table. */
export const dropTable: PgRule = (s, ctx) => {
  if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_TABLE') return [];
  return (s.node.objects ?? [])
    .map((o: unknown) => dropObjectKey(o, 'OBJECT_TABLE'))
    // DROP TABLE IF EXISTS of a table the known stable schema never had drops nothing stable uses.
    .filter((t: string) => !(s.node.missing_ok && ctx.model.tables.size > 0 && !ctx.model.tables.has(t)))
    .filter((t: string) => isStableTable(ctx.model, t))
    .map((t: string): RuleHit => ({
      rule: 'SC101',
      object: t,
      message: `Table ${t} is dropped while the stable version still reads and writes it: its queries fail with "relation does not exist".`,
      contractable: true,
    }));
};

/** SC102: stable's SELECTs and INSERTs name the column. */
export const dropColumn: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_DropColumn' && isStableColumn(ctx.model, table, cmd.name))
    .map(({ table, cmd }) => ({
      rule: 'SC102',
      object: `${table}.${cmd.name}`,
      message: `Column ${table}.${cmd.name} is dropped while the stable version still uses it: its queries naming the column fail.`,
      contractable: true,
    }));

/** SC112: views, functions, sequences, types, schemas (triggers: warn). */
export const dropOtherObject: PgRule = (s, ctx) => {
  if (s.type !== 'DropStmt') return [];
  const kind = kindOf(s.node.removeType);
  if (!kind) return [];
  return (s.node.objects ?? [])
    .map((o: unknown) => dropObjectKey(o, s.node.removeType))
    .filter((key: string) => isStableObject(ctx.model, kind, key) && (kind !== 'type' || !ctx.model.enums.has(key) || ctx.model.enums.get(key)!.origin === 'stable'))
    .map((key: string): RuleHit => ({
      rule: 'SC112',
      object: `${kind} ${key}`,
      verdict: kind === 'trigger' ? 'warn' : undefined,
      message:
        kind === 'trigger'
          ? `Trigger ${key} is dropped: whatever it kept in sync for the stable version stops.`
          : `The ${kind} ${key} is dropped while the stable version may still use it.`,
      contractable: true,
    }));
};

/** SC119: TRUNCATE, DELETE/UPDATE without WHERE, DROP … CASCADE. */
export const dataDestruction: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  if (s.type === 'TruncateStmt') {
    for (const r of s.node.relations ?? []) {
      const t = rangeVarKey(r.RangeVar);
      if (isStableTable(ctx.model, t)) hits.push({ rule: 'SC119', object: t, message: `TRUNCATE ${t} destroys the data the stable version serves, and a rollback cannot bring it back.` });
    }
  }
  if ((s.type === 'DeleteStmt' || s.type === 'UpdateStmt') && !s.node.whereClause) {
    const t = rangeVarKey(s.node.relation);
    if (isStableTable(ctx.model, t)) {
      const verb = s.type === 'DeleteStmt' ? 'DELETE' : 'UPDATE';
      hits.push({ rule: 'SC119', object: t, message: `${verb} without WHERE touches every row of ${t}, which the stable version is serving.` });
    }
  }
  if (s.type === 'DropStmt' && s.node.behavior === 'DROP_CASCADE') {
    hits.push({ rule: 'SC119', object: (s.node.objects ?? []).map((o: unknown) => dropObjectKey(o, s.node.removeType)).join(', '), message: 'DROP … CASCADE also drops every dependent object (views, foreign keys, …), which the statement does not name.' });
  }
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype === 'AT_DropColumn' && cmd.behavior === 'DROP_CASCADE') {
      hits.push({ rule: 'SC119', object: `${table}.${cmd.name}`, message: 'DROP COLUMN … CASCADE also drops dependent views and constraints, which the statement does not name.' });
    }
  }
  return hits;
};
