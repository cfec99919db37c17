/** Applies parsed MySQL statements to the schema model (stable migrations, dumps, the change). */
import type { Origin, SchemaModel, TableModel } from '../model.ts';
import { alterActions, colName, mysqlColumn, tableName } from './ast.ts';
import type { MysqlStatement, MyNode } from './parse.ts';

function indexName(cd: MyNode): string | undefined {
  return cd?.index ?? cd?.constraint ?? undefined;
}

export function applyMysqlStatement(model: SchemaModel, s: MysqlStatement, origin: Origin): void {
  const ast = s.ast;
  if (!ast) return;
  if (ast.type === 'create' && ast.keyword === 'table') {
    const key = tableName(ast.table?.[0]);
    const t: TableModel = { name: key, columns: new Map(), origin };
    for (const d of ast.create_definitions ?? []) {
      if (d.resource === 'column') {
        const c = mysqlColumn(colName(d.column), d, origin);
        t.columns.set(c.name, c);
        if (d.unique) model.indexes.set(`${key}.${c.name}`, { name: c.name, table: key, unique: true, origin });
      } else if (d.resource === 'constraint' && /unique|primary/i.test(String(d.constraint_type))) {
        const name = indexName(d) ?? (/primary/i.test(String(d.constraint_type)) ? 'PRIMARY' : colName(d.definition?.[0]));
        model.indexes.set(`${key}.${name}`, { name, table: key, unique: true, origin });
        if (/primary/i.test(String(d.constraint_type))) for (const k of d.definition ?? []) { const c = t.columns.get(colName(k)); if (c) c.notNull = true; }
      } else if (d.resource === 'index') {
        const name = indexName(d) ?? colName(d.definition?.[0]);
        model.indexes.set(`${key}.${name}`, { name, table: key, unique: false, origin });
      }
    }
    model.tables.set(key, t);
    return;
  }
  if (ast.type === 'create' && ast.keyword === 'index') {
    const table = tableName(ast.table);
    model.indexes.set(`${table}.${ast.index}`, { name: String(ast.index), table, unique: String(ast.index_type ?? '').toLowerCase() === 'unique', origin });
    return;
  }
  if (ast.type === 'create' && ast.keyword === 'view') {
    model.objects.set(`view:${tableName(ast.view ?? ast.table?.[0])}`, origin);
    return;
  }
  if (ast.type === 'create' && (ast.keyword === 'procedure' || ast.keyword === 'function' || ast.keyword === 'trigger')) {
    const kind = ast.keyword === 'trigger' ? 'trigger' : 'function';
    const name = String(ast.trigger?.table ?? ast.name?.name?.[0]?.value ?? ast.name ?? '?');
    model.objects.set(`${kind}:${name}`, origin);
    return;
  }
  if (ast.type === 'drop') {
    const names: MyNode[] = Array.isArray(ast.name) ? ast.name : [ast.name];
    for (const n of names) {
      if (ast.keyword === 'table') model.tables.delete(tableName(n));
      else if (ast.keyword === 'index') model.indexes.delete(`${tableName(ast.table)}.${colName(n)}`);
      else if (ast.keyword === 'view') model.objects.delete(`view:${tableName(n)}`);
    }
    return;
  }
  if (ast.type === 'rename') {
    for (const [from, to] of ast.table ?? []) renameTable(model, tableName(from), tableName(to));
    return;
  }
  for (const { table, action } of alterActions(ast)) {
    const t = model.tables.get(table);
    if (!t) continue;
    if (action.resource === 'column') {
      if (action.action === 'add') {
        const c = mysqlColumn(colName(action.column), action, origin);
        t.columns.set(c.name, c);
      } else if (action.action === 'drop') {
        t.columns.delete(colName(action.column));
      } else if (action.action === 'modify' || action.action === 'change') {
        const oldName = action.action === 'change' ? colName(action.old_column) : colName(action.column);
        const prev = t.columns.get(oldName);
        const c = mysqlColumn(colName(action.column), action, prev?.origin ?? origin);
        t.columns.delete(oldName);
        t.columns.set(c.name, c);
      } else if (action.action === 'alter' && action.default_val !== undefined) {
        const c = t.columns.get(colName(action.column));
        if (c) {
          c.hasDefault = action.default_val !== null || c.identity;
          c.defaultText = action.default_val ? JSON.stringify(action.default_val.value) : undefined;
        }
      } else if (action.action === 'rename') {
        const prev = t.columns.get(colName(action.old_column));
        if (prev) {
          t.columns.delete(prev.name);
          t.columns.set(colName(action.column), { ...prev, name: colName(action.column) });
        }
      }
    } else if (action.resource === 'table' && action.action === 'rename') {
      renameTable(model, table, String(action.table));
    } else if (action.resource === 'constraint' && action.action === 'add') {
      const cd = action.create_definitions;
      if (/unique|primary/i.test(String(cd?.constraint_type))) {
        const name = indexName(cd) ?? colName(cd?.definition?.[0]);
        model.indexes.set(`${table}.${name}`, { name, table, unique: true, origin });
      }
    } else if (action.resource === 'index' && action.action === 'add') {
      model.indexes.set(`${table}.${action.index}`, { name: String(action.index), table, unique: false, origin });
    } else if (action.resource === 'index' && action.action === 'drop') {
      model.indexes.delete(`${table}.${action.index}`);
    }
  }
}

function renameTable(model: SchemaModel, from: string, to: string): void {
  const t = model.tables.get(from);
  if (!t) return;
  model.tables.delete(from);
  model.tables.set(to, { ...t, name: to });
  for (const idx of model.indexes.values()) if (idx.table === from) idx.table = to;
}
