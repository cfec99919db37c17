/** Constraints and unique indexes: SC110, SC111, SC303, SC304. */
import { isStableTable } from '../model.ts';
import { qualify, rangeVarKey } from '../pg/ast.ts';
import { dropObjectKey } from '../pg/model-builder.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, notNullCheckColumn, type PgRule } from './pg-context.ts';

const CONSTRAINT_KIND: Record<string, string> = {
  CONSTR_CHECK: 'CHECK',
  CONSTR_UNIQUE: 'UNIQUE',
  CONSTR_PRIMARY: 'PRIMARY KEY',
  CONSTR_FOREIGN: 'FOREIGN KEY',
  CONSTR_EXCLUSION: 'EXCLUDE',
};

/** SC110: rows the stable version writes may violate it, even NOT VALID (enforced on new rows). */
export const newConstraint: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype !== 'AT_AddConstraint' || !isStableTable(ctx.model, table)) continue;
    const c = cmd.def?.Constraint;
    const kind = CONSTRAINT_KIND[c?.contype];
    if (!kind || notNullCheckColumn(c)) continue; // NOT NULL checks are SC106
    hits.push({ rule: 'SC110', object: `${table}${c.conname ? `.${c.conname}` : ''}`, message: `A ${kind} constraint is added to ${table}${c.skip_validation ? ' (NOT VALID still checks every new row)' : ''}: stable writes that violate it fail.` });
  }
  if (s.type === 'IndexStmt' && s.node.unique) {
    const table = rangeVarKey(s.node.relation);
    if (isStableTable(ctx.model, table)) {
      hits.push({ rule: 'SC110', object: `${table}.${s.node.idxname ?? 'unique index'}`, message: `A unique index is added to ${table}: stable writes of duplicate values fail (and the build fails if duplicates exist).` });
    }
  }
  return hits;
};

/** SC111: the stable version may rely on it (ON CONFLICT needs a matching unique index). */
export const dropUnique: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_INDEX') {
    for (const o of s.node.objects ?? []) {
      const key = dropObjectKey(o, 'OBJECT_INDEX');
      const idx = ctx.model.indexes.get(key);
      if (idx?.unique && idx.origin === 'stable') {
        hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} on ${idx.table} is dropped: stable upserts (ON CONFLICT) that name it fail, and duplicates become possible.` });
      }
    }
  }
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype !== 'AT_DropConstraint') continue;
    const key = qualify(table.includes('.') ? table.split('.')[0] : undefined, cmd.name);
    const idx = ctx.model.indexes.get(key);
    if (idx?.unique && idx.origin === 'stable') {
      hits.push({ rule: 'SC111', object: `${table}.${cmd.name}`, message: `Unique constraint ${cmd.name} on ${table} is dropped: stable upserts (ON CONFLICT) that rely on it fail.` });
    }
  }
  return hits;
};

/** SC303: validating scans the table under a lock that blocks writes. */
export const constraintWithoutNotValid: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddConstraint' && isStableTable(ctx.model, table))
    .filter(({ cmd }) => ['CONSTR_CHECK', 'CONSTR_FOREIGN'].includes(cmd.def?.Constraint?.contype) && !cmd.def.Constraint.skip_validation)
    .map(({ table, cmd }) => ({ rule: 'SC303', object: table, message: `${CONSTRAINT_KIND[cmd.def.Constraint.contype]} on ${table} is validated at once, scanning the table while writes wait.` }));

/** SC304: builds the index under a lock that blocks writes. */
export const uniqueAddedDirectly: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddConstraint' && isStableTable(ctx.model, table))
    .filter(({ cmd }) => ['CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_EXCLUSION'].includes(cmd.def?.Constraint?.contype) && !cmd.def.Constraint.indexname)
    .map(({ table, cmd }) => ({ rule: 'SC304', object: table, message: `${CONSTRAINT_KIND[cmd.def.Constraint.contype]} on ${table} builds its index while writes wait.` }));
