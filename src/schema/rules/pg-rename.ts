/** Renames and schema moves: SC103, SC104, SC113. */
import { isStableColumn, isStableObject, isStableTable } from '../model.ts';
import { rangeVarKey } from '../pg/ast.ts';
import type { PgRule } from './pg-context.ts';

/** SC103: the stable version queries the old name. */
export const renameTable: PgRule = (s, ctx) => {
  if (s.type !== 'RenameStmt') return [];
  const { renameType, relation, newname } = s.node;
  if (renameType !== 'OBJECT_TABLE' && renameType !== 'OBJECT_VIEW' && renameType !== 'OBJECT_MATVIEW') return [];
  const old = rangeVarKey(relation);
  const stable = renameType === 'OBJECT_TABLE' ? isStableTable(ctx.model, old) : isStableObject(ctx.model, 'view', old);
  if (!stable) return [];
  return [{ rule: 'SC103', object: old, message: `${old} is renamed to ${newname}: the stable version's queries still use ${old} and fail.`, contractable: true }];
};

/** SC104: stable's queries name the old column. */
export const renameColumn: PgRule = (s, ctx) => {
  if (s.type !== 'RenameStmt' || s.node.renameType !== 'OBJECT_COLUMN') return [];
  const table = rangeVarKey(s.node.relation);
  if (!isStableColumn(ctx.model, table, s.node.subname)) return [];
  return [{
    rule: 'SC104',
    object: `${table}.${s.node.subname}`,
    message: `Column ${table}.${s.node.subname} is renamed to ${s.node.newname}: the stable version's queries still use the old name and fail.`,
    contractable: true,
  }];
};

/** SC113: ALTER TABLE … SET SCHEMA, ALTER SCHEMA … RENAME. */
export const schemaMove: PgRule = (s, ctx) => {
  if (s.type === 'AlterObjectSchemaStmt' && s.node.relation && ['OBJECT_TABLE', 'OBJECT_VIEW'].includes(s.node.objectType)) {
    const t = rangeVarKey(s.node.relation);
    if (s.node.objectType === 'OBJECT_TABLE' && !isStableTable(ctx.model, t)) return [];
    return [{ rule: 'SC113', object: t, message: `${t} moves to schema ${s.node.newschema}: the stable version's queries (and search_path) still find it under the old schema and fail.`, contractable: true }];
  }
  if (s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_SCHEMA') {
    const old = String(s.node.subname);
    if (!isStableObject(ctx.model, 'schema', old)) return [];
    return [{ rule: 'SC113', object: `schema ${old}`, message: `Schema ${old} is renamed to ${s.node.newname}: every stable query qualified with ${old} fails.`, contractable: true }];
  }
  return [];
};
