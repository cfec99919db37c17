/**
 * MySQL/MariaDB statement rules. Same ids as PostgreSQL; MODIFY and CHANGE restate the whole column,
 * so they are compared with the stable definition field by field (type, NULL, DEFAULT).
 */
import { compareTypes, isStableColumn, isStableObject, isStableTable, type ColumnModel, type SchemaModel } from '../model.ts';
import { alterActions, colName, mysqlColumn, tableName } from '../mysql/ast.ts';
import type { MysqlStatement, MyNode } from '../mysql/parse.ts';
import type { RuleHit } from './hit.ts';

export interface MysqlRuleContext {
  model: SchemaModel;
  /** Later statements of the change (for safe-pattern downgrades). */
  later: readonly MysqlStatement[];
}

export type MysqlRule = (s: MysqlStatement, ctx: MysqlRuleContext) => RuleHit[];

/** SC120: unparsable statements cannot be checked. */
const myOpaque: MysqlRule = (s) =>
  s.ast ? [] : [{ rule: 'SC120', object: s.file, message: `The statement does not parse as MySQL (${s.parseError ?? 'syntax error'}): it cannot be checked statically.` }];

/** SC101 drop table, SC112 drop view/procedure/function/trigger. */
const myDrop: MysqlRule = (s, ctx) => {
  const ast = s.ast;
  if (ast?.type !== 'drop') return [];
  const names: MyNode[] = Array.isArray(ast.name) ? ast.name : [ast.name];
  const hits: RuleHit[] = [];
  for (const n of names) {
    const key = tableName(n);
    if (ast.keyword === 'table' && isStableTable(ctx.model, key)) {
      hits.push({ rule: 'SC101', object: key, message: `Table ${key} is dropped while the stable version still uses it.`, contractable: true });
    } else if (['view', 'procedure', 'function', 'trigger'].includes(ast.keyword)) {
      const kind = ast.keyword === 'view' ? 'view' : ast.keyword === 'trigger' ? 'trigger' : 'function';
      const name = typeof n === 'string' ? n : String(n?.table ?? n?.name ?? colName(n));
      if (isStableObject(ctx.model, kind, name)) {
        hits.push({ rule: 'SC112', object: `${ast.keyword} ${name}`, verdict: kind === 'trigger' ? 'warn' : undefined, message: `The ${ast.keyword} ${name} is dropped while the stable version may still use it.`, contractable: true });
      }
    }
  }
  return hits;
};

/** SC103: RENAME TABLE and ALTER TABLE … RENAME TO. */
const myRenameTable: MysqlRule = (s, ctx) => {
  const pairs: [string, string][] = [];
  if (s.ast?.type === 'rename') for (const [a, b] of s.ast.table ?? []) pairs.push([tableName(a), tableName(b)]);
  for (const { table, action } of alterActions(s.ast)) if (action.resource === 'table' && action.action === 'rename') pairs.push([table, String(action.table)]);
  return pairs
    .filter(([from]) => isStableTable(ctx.model, from))
    .map(([from, to]) => {
      const viewBack = ctx.later.some((o) => o.ast?.type === 'create' && o.ast.keyword === 'view' && tableName(o.ast.view ?? o.ast.table?.[0]) === from);
      return {
        rule: 'SC103',
        object: from,
        verdict: viewBack ? ('warn' as const) : undefined,
        message: viewBack
          ? `${from} is renamed to ${to}; a view under the old name keeps stable reads working (writes only if the view is updatable).`
          : `${from} is renamed to ${to}: the stable version's queries still use ${from} and fail.`,
        contractable: true,
      };
    });
};

/** SC102: DROP COLUMN. */
const myDropColumn: MysqlRule = (s, ctx) =>
  alterActions(s.ast)
    .filter(({ table, action }) => action.resource === 'column' && action.action === 'drop' && isStableColumn(ctx.model, table, colName(action.column)))
    .map(({ table, action }) => ({ rule: 'SC102', object: `${table}.${colName(action.column)}`, message: `Column ${table}.${colName(action.column)} is dropped while the stable version still uses it.`, contractable: true }));

/** SC105: ADD COLUMN … NOT NULL without DEFAULT (strict mode rejects stable INSERTs that omit it). */
const myAddNotNull: MysqlRule = (s, ctx) =>
  alterActions(s.ast)
    .filter(({ table, action }) => action.resource === 'column' && action.action === 'add' && isStableTable(ctx.model, table))
    .filter(({ action }) => {
      const c = mysqlColumn(colName(action.column), action, 'change');
      return c.notNull && !c.hasDefault && !c.generated;
    })
    .map(({ table, action }) => ({ rule: 'SC105', object: `${table}.${colName(action.column)}`, message: `Column ${table}.${colName(action.column)} is added NOT NULL without a DEFAULT: stable INSERTs omit it and fail ("Field doesn't have a default value").` }));

function isRenameBack(ctx: MysqlRuleContext, table: string, oldName: string): boolean {
  return ctx.later.some((o) => alterActions(o.ast).some(({ table: t, action }) => t === table && action.resource === 'column' && action.action === 'add' && colName(action.column) === oldName && Boolean(action.generated)));
}

/** SC104: CHANGE old new and RENAME COLUMN. */
const myRenameColumn: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, action } of alterActions(s.ast)) {
    if (action.resource !== 'column' || (action.action !== 'change' && action.action !== 'rename')) continue;
    const from = colName(action.old_column);
    const to = colName(action.column);
    if (from === to || !isStableColumn(ctx.model, table, from)) continue;
    const back = isRenameBack(ctx, table, from);
    hits.push({
      rule: 'SC104',
      object: `${table}.${from}`,
      verdict: back ? 'warn' : undefined,
      message: back
        ? `Column ${table}.${from} is renamed to ${to}; a generated column under the old name keeps stable reads working, but stable writes to it fail.`
        : `Column ${table}.${from} is renamed to ${to}${action.action === 'change' ? ' (CHANGE)' : ''}: the stable version's queries still use the old name and fail.`,
      contractable: true,
    });
  }
  return hits;
};

/** The stable definition and the restated one, for MODIFY/CHANGE. */
function restated(s: MysqlStatement, ctx: MysqlRuleContext): { table: string; object: string; old: ColumnModel; now: ColumnModel }[] {
  const out: { table: string; object: string; old: ColumnModel; now: ColumnModel }[] = [];
  for (const { table, action } of alterActions(s.ast)) {
    if (action.resource !== 'column' || (action.action !== 'modify' && action.action !== 'change')) continue;
    const oldName = action.action === 'change' ? colName(action.old_column) : colName(action.column);
    if (!isStableColumn(ctx.model, table, oldName)) continue;
    const old = ctx.model.tables.get(table)?.columns.get(oldName);
    if (!old) continue;
    out.push({ table, object: `${table}.${oldName}`, old, now: mysqlColumn(colName(action.column), action, 'change') });
  }
  return out;
}

/** SC106, SC107, SC114, SC117 hidden in a MODIFY/CHANGE that restates the column. */
const myRestatedNullability: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { object, old, now } of restated(s, ctx)) {
    if (!old.notNull && now.notNull) hits.push({ rule: 'SC106', object, message: `The MODIFY/CHANGE of ${object} makes it NOT NULL: stable writes that leave it NULL fail.` });
    if (old.notNull && !now.notNull) hits.push({ rule: 'SC114', object, message: `The MODIFY/CHANGE of ${object} leaves NOT NULL out: stable readers may meet NULL.` });
    if (old.hasDefault && !now.hasDefault && now.notNull) {
      hits.push({ rule: 'SC107', object, message: `The MODIFY/CHANGE of ${object} leaves the DEFAULT out (MODIFY restates the whole column): stable INSERTs that omit it now fail.` });
    } else if (old.hasDefault && now.hasDefault && old.defaultText !== now.defaultText) {
      hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
    }
    if (!old.generated && now.generated) hits.push({ rule: 'SC118', object, message: `${object} becomes a generated column: stable writes to it fail.` });
  }
  return hits;
};

/**
 * ALTER COLUMN … SET/DROP DEFAULT (read by the pre-pass). Dropping the default of a stable NOT NULL
 * column is SC107; dropping it from a NOT NULL column the change itself added to a stable table
 * leaves, in net effect, a NOT NULL column without a default that stable INSERTs omit: SC105.
 */
const myAlterDefault: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { table, action } of alterActions(s.ast)) {
    if (action.resource !== 'column' || action.action !== 'alter' || action.default_val === undefined) continue;
    const name = colName(action.column);
    const object = `${table}.${name}`;
    const c = ctx.model.tables.get(table)?.columns.get(name);
    if (!c || !isStableTable(ctx.model, table)) continue;
    if (action.default_val === null) {
      if (!c.notNull || !c.hasDefault || c.identity) continue;
      if (c.origin === 'stable') hits.push({ rule: 'SC107', object, message: `The default of NOT NULL column ${object} is dropped: stable INSERTs that omit it fail ("Field doesn't have a default value").` });
      else hits.push({ rule: 'SC105', object, message: `${object}, added by this change NOT NULL with a default, loses the default here: in net effect a NOT NULL column without a default, which stable INSERTs omit and fail.` });
    } else if (c.origin === 'stable' && c.hasDefault && c.defaultText !== JSON.stringify(action.default_val.value)) {
      hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
    }
  }
  return hits;
};

/** SC108, SC109, SC115, SC116 for MODIFY/CHANGE type changes. */
const myTypeChange: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  for (const { object, old, now } of restated(s, ctx)) {
    const change = compareTypes(old.type, now.type);
    if (old.type.family === 'enum' && now.type.family === 'enum') {
      const missing = (old.type.enumValues ?? []).filter((v) => !(now.type.enumValues ?? []).includes(v));
      if (missing.length) hits.push({ rule: 'SC109', object, message: `${object} drops enum values ${missing.join(', ')}: stable writes of them fail (or are truncated).` });
      else if (change === 'widen-visible') hits.push({ rule: 'SC115', object, message: `${object} gains enum values: stable readers may not know them.` });
      continue;
    }
    if (change === 'narrow' || change === 'family-change') hits.push({ rule: 'SC108', object, message: `${object} changes from ${old.type.name} to ${now.type.name}, which does not hold every old value: stable writes may fail or be truncated.` });
    else if (change === 'widen-visible') hits.push({ rule: 'SC116', object, message: `${object} widens from ${old.type.name} to ${now.type.name}: stable clients read the new type.` });
  }
  return hits;
};

/** SC110 new UNIQUE/FOREIGN KEY/CHECK or unique index; SC111 dropped unique index. */
const myConstraints: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  const ast = s.ast;
  if (ast?.type === 'create' && ast.keyword === 'index' && String(ast.index_type ?? '').toLowerCase() === 'unique' && isStableTable(ctx.model, tableName(ast.table))) {
    hits.push({ rule: 'SC110', object: `${tableName(ast.table)}.${ast.index}`, message: `A unique index is added to ${tableName(ast.table)}: stable writes of duplicates fail.` });
  }
  if (ast?.type === 'drop' && ast.keyword === 'index') {
    const key = `${tableName(ast.table)}.${colName(ast.name)}`;
    if (ctx.model.indexes.get(key)?.unique && ctx.model.indexes.get(key)?.origin === 'stable') hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} is dropped: stable upserts (ON DUPLICATE KEY) that rely on it change behaviour.` });
  }
  for (const { table, action } of alterActions(ast)) {
    if (action.resource === 'constraint' && action.action === 'add' && isStableTable(ctx.model, table)) {
      const kind = String(action.create_definitions?.constraint_type ?? '').toUpperCase();
      if (kind.includes('UNIQUE') || kind.includes('FOREIGN') || kind.includes('CHECK') || kind.includes('PRIMARY')) {
        hits.push({ rule: 'SC110', object: `${table}${action.create_definitions?.constraint ? `.${action.create_definitions.constraint}` : ''}`, message: `A ${kind} constraint is added to ${table}: stable writes that violate it fail.` });
      }
    }
    if (action.resource === 'index' && action.action === 'drop') {
      const key = `${table}.${action.index}`;
      if (ctx.model.indexes.get(key)?.unique && ctx.model.indexes.get(key)?.origin === 'stable') hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} is dropped: stable upserts (ON DUPLICATE KEY) that rely on it change behaviour.` });
    }
  }
  return hits;
};

/** SC119: TRUNCATE, DELETE/UPDATE without WHERE. */
const myDataDestruction: MysqlRule = (s, ctx) => {
  const ast = s.ast;
  if (ast?.type === 'truncate') return (ast.name ?? []).map((n: MyNode) => tableName(n)).filter((t: string) => isStableTable(ctx.model, t)).map((t: string) => ({ rule: 'SC119', object: t, message: `TRUNCATE ${t} destroys the data the stable version serves.` }));
  if ((ast?.type === 'delete' || ast?.type === 'update') && !ast.where) {
    const t = tableName(ast.table?.[0]);
    if (isStableTable(ctx.model, t)) return [{ rule: 'SC119', object: t, message: `${ast.type.toUpperCase()} without WHERE touches every row of ${t}.` }];
  }
  return [];
};

/** SC310: ALGORITHM=COPY, LOCK=SHARED/EXCLUSIVE, or a column type change (needs COPY). */
const myLocking: MysqlRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  const acts = alterActions(s.ast);
  for (const { table, action } of acts) {
    if (action.resource === 'algorithm' && String(action.algorithm).toUpperCase() === 'COPY') hits.push({ rule: 'SC310', object: table, message: `ALGORITHM=COPY rebuilds ${table} and blocks writes of both versions meanwhile.` });
    if (action.resource === 'lock' && ['SHARED', 'EXCLUSIVE'].includes(String(action.lock).toUpperCase())) hits.push({ rule: 'SC310', object: table, message: `LOCK=${String(action.lock).toUpperCase()} blocks ${String(action.lock).toUpperCase() === 'SHARED' ? 'writes' : 'reads and writes'} on ${table} for the whole ALTER.` });
  }
  for (const { object, old, now } of restated(s, ctx)) {
    const change = compareTypes(old.type, now.type);
    const inplace = change === 'same' || (change === 'widen-invisible' && old.type.family === 'text' && (old.type.length ?? 0) <= 255 === (now.type.length ?? 0) <= 255);
    if (!inplace) hits.push({ rule: 'SC310', object, message: `Changing ${object} from ${old.type.name} to ${now.type.name} cannot run INPLACE/INSTANT: the table is copied and writes wait.` });
  }
  return hits;
};

export const MYSQL_RULES: readonly MysqlRule[] = [
  myOpaque,
  myDrop,
  myRenameTable,
  myDropColumn,
  myAddNotNull,
  myRenameColumn,
  myRestatedNullability,
  myAlterDefault,
  myTypeChange,
  myConstraints,
  myDataDestruction,
  myLocking,
];
