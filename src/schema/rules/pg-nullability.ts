/** Nullability and defaults: SC105, SC106, SC107, SC114, SC117. */
import { isStableColumn, isStableTable } from '../model.ts';
import { exprText } from '../pg/ast.ts';
import { columnFromDef } from '../pg/model-builder.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, notNullCheckColumn, type PgRule } from './pg-context.ts';

/** SC105: the stable version's INSERTs do not know the column and fail on NOT NULL. */
export const addNotNullColumnWithoutDefault: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddColumn' && isStableTable(ctx.model, table))
    .filter(({ cmd }) => {
      const c = columnFromDef(cmd.def?.ColumnDef, ctx.model, 'change');
      return c.notNull && !c.hasDefault && !c.generated;
    })
    .map(({ table, cmd }) => ({
      rule: 'SC105',
      object: `${table}.${cmd.def.ColumnDef.colname}`,
      message: `Column ${table}.${cmd.def.ColumnDef.colname} is added NOT NULL without a default: the stable version's INSERTs omit it and fail (and the migration fails on a non-empty table).`,
    }));

/** SC106: SET NOT NULL, or a CHECK (col IS NOT NULL) even NOT VALID, on a column stable may leave NULL. */
export const setNotNull: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, cmd } of alterCmds(s)) {
    if (cmd.subtype === 'AT_SetNotNull' && isStableColumn(ctx.model, table, cmd.name)) {
      const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
      if (col?.notNull) continue;
      hits.push({ rule: 'SC106', object: `${table}.${cmd.name}`, message: `${table}.${cmd.name} becomes NOT NULL: stable INSERTs/UPDATEs that leave it NULL fail.` });
    }
    if (cmd.subtype === 'AT_AddConstraint' && isStableTable(ctx.model, table)) {
      const col = notNullCheckColumn(cmd.def?.Constraint);
      if (col && isStableColumn(ctx.model, table, col)) {
        const notValid = Boolean(cmd.def.Constraint.skip_validation);
        hits.push({
          rule: 'SC106',
          object: `${table}.${col}`,
          message: `CHECK (${col} IS NOT NULL)${notValid ? ' NOT VALID is still enforced on every new or updated row at once' : ' is enforced at once'}: stable writes that leave ${col} NULL fail.`,
        });
      }
    }
  }
  return hits;
};

/** SC107: stable INSERTs that omit the column relied on the default. */
export const dropDefaultOfNotNull: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_ColumnDefault' && !cmd.def && isStableColumn(ctx.model, table, cmd.name))
    .filter(({ table, cmd }) => {
      const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
      return col ? col.notNull && col.hasDefault : true;
    })
    .map(({ table, cmd }) => {
      const known = ctx.model.tables.get(table)?.columns.get(cmd.name);
      return {
        rule: 'SC107',
        object: `${table}.${cmd.name}`,
        verdict: known ? undefined : ('warn' as const),
        message: known
          ? `The default of NOT NULL column ${table}.${cmd.name} is dropped: stable INSERTs that omit it now fail.`
          : `The default of ${table}.${cmd.name} is dropped; the stable schema does not say whether it is NOT NULL (if it is, stable INSERTs that omit it fail).`,
      };
    });

/** SC114: readers in the stable version may meet NULL. */
export const dropNotNull: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_DropNotNull' && isStableColumn(ctx.model, table, cmd.name))
    .map(({ table, cmd }) => ({ rule: 'SC114', object: `${table}.${cmd.name}`, message: `${table}.${cmd.name} may now be NULL: stable readers that assume a value may fail.` }));

/** SC117: information only. */
export const defaultChanged: PgRule = (s, ctx) =>
  alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_ColumnDefault' && cmd.def && isStableColumn(ctx.model, table, cmd.name))
    .filter(({ table, cmd }) => ctx.model.tables.get(table)?.columns.get(cmd.name)?.defaultText !== exprText(cmd.def))
    .map(({ table, cmd }) => ({ rule: 'SC117', object: `${table}.${cmd.name}`, message: `The default of ${table}.${cmd.name} changes; stable INSERTs that omit it get the new value.` }));
