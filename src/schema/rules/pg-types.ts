/** Type changes and identity: SC108, SC109 (via type change), SC116, SC118, SC305. */
import { compareTypes, isStableColumn } from '../model.ts';
import { columnTypeOf } from '../pg/ast.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, type PgRule } from './pg-context.ts';

/** SC108 / SC116 / SC109: does the new type hold what the stable version writes, and read back the same? */
export const typeChange: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype !== 'AT_AlterColumnType' || !isStableColumn(ctx.model, table, cmd.name)) continue;
    const object = `${table}.${cmd.name}`;
    const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
    const newType = columnTypeOf(cmd.def?.ColumnDef?.typeName, ctx.model.enums);
    if (!col) {
      hits.push({ rule: 'SC108', object, verdict: 'warn', message: `${object} changes type to ${newType.name}; its old type is unknown (not in the stable migrations), so coverage cannot be checked.` });
      continue;
    }
    if (col.type.family === 'enum' && newType.family === 'enum') {
      const oldVals = ctx.model.enums.get(col.type.name.replace(/\[\]$/, ''))?.values ?? [];
      const newVals = ctx.model.enums.get(newType.name.replace(/\[\]$/, ''))?.values ?? [];
      const missing = oldVals.filter((v) => !newVals.includes(v));
      if (missing.length) {
        hits.push({ rule: 'SC109', object, message: `${object} moves to enum ${newType.name}, which lacks ${missing.join(', ')}: the stable version writing those values fails.` });
      }
      continue;
    }
    const change = compareTypes(col.type, newType);
    if (change === 'narrow' || change === 'family-change') {
      hits.push({ rule: 'SC108', object, message: `${object} changes from ${col.type.name} to ${newType.name}, which does not hold every ${col.type.name} value: stable writes may fail (and the migration may fail on existing rows).` });
    } else if (change === 'widen-visible') {
      hits.push({ rule: 'SC116', object, message: `${object} widens from ${col.type.name} to ${newType.name}: stable clients read the new type (e.g. 64-bit ids into 32-bit variables, time zone shifts).` });
    }
  }
  return hits;
};

/** SC305: most type changes rewrite the table under ACCESS EXCLUSIVE. */
export const typeChangeRewrite: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype !== 'AT_AlterColumnType' || !isStableColumn(ctx.model, table, cmd.name)) continue;
    const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
    if (!col) continue;
    const newType = columnTypeOf(cmd.def?.ColumnDef?.typeName, ctx.model.enums);
    const change = compareTypes(col.type, newType);
    const binaryCompatible =
      change === 'same' ||
      (change === 'widen-invisible' && (col.type.family === 'text' || (col.type.family === 'numeric' && (col.type.scale ?? 0) === (newType.scale ?? 0))));
    if (!binaryCompatible) {
      hits.push({ rule: 'SC305', object: `${table}.${cmd.name}`, message: `${col.type.name} → ${newType.name} rewrites ${table} under an ACCESS EXCLUSIVE lock: both versions' queries on it wait.` });
    }
  }
  return hits;
};

/** SC118: GENERATED ALWAYS rejects the ids the stable version supplies. */
export const identityAdded: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => isStableColumn(ctx.model, table, cmd.name))
    .filter(({ cmd }) => (cmd.subtype === 'AT_AddIdentity' && cmd.def?.Constraint?.generated_when === 'a') || cmd.subtype === 'AT_SetExpression')
    .map(({ table, cmd }) => ({
      rule: 'SC118',
      object: `${table}.${cmd.name}`,
      message:
        cmd.subtype === 'AT_SetExpression'
          ? `${table}.${cmd.name} becomes a generated column: stable writes to it fail.`
          : `${table}.${cmd.name} becomes GENERATED ALWAYS AS IDENTITY: stable INSERTs that supply a value fail ("cannot insert a non-DEFAULT value").`,
    }));
