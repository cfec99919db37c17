/**
 * Applies parsed PostgreSQL statements to the schema model: how the stable schema is built from the
 * stable migrations (or a dump), and how the model follows the change statement by statement.
 */
import type { ColumnModel, Origin, SchemaModel, TableModel } from '../model.ts';
import { columnTypeOf, constraintsOf, exprText, isSerialType, nameList, namesKey, qualify, rangeVarKey, type Node } from './ast.ts';
import type { PgStatement } from './parse.ts';

export function columnFromDef(def: Node, model: SchemaModel, origin: Origin): ColumnModel {
  const cons = constraintsOf(def);
  const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
  const serial = isSerialType(def.typeName);
  return {
    name: String(def.colname),
    type: columnTypeOf(def.typeName, model.enums),
    notNull: serial || cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
    hasDefault: serial || Boolean(dflt) || cons.some((c) => c.contype === 'CONSTR_IDENTITY'),
    defaultText: dflt ? exprText(dflt.raw_expr) : serial ? 'serial' : undefined,
    identity: serial || cons.some((c) => c.contype === 'CONSTR_IDENTITY'),
    generated: cons.some((c) => c.contype === 'CONSTR_GENERATED'),
    origin,
  };
}

const KIND_OF: Record<string, string> = {
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'view',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function',
  OBJECT_ROUTINE: 'function',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_SCHEMA: 'schema',
  OBJECT_TRIGGER: 'trigger',
};

export function kindOf(objtype: string): string | undefined {
  return KIND_OF[objtype];
}

/** Key of a dropped object in a DropStmt's `objects` list. */
export function dropObjectKey(o: Node, removeType: string): string {
  if (o?.List) return namesKey(o.List.items);
  if (o?.ObjectWithArgs) return namesKey(o.ObjectWithArgs.objname);
  if (o?.TypeName) return namesKey(o.TypeName.names);
  if (o?.String) return String(o.String.sval);
  return removeType === 'OBJECT_SCHEMA' ? String(o?.sval ?? '?') : '?';
}

/** Unique and primary-key constraints are unique indexes to the rules (SC111 looks them up by name). */
function addUniqueConstraint(model: SchemaModel, table: string, c: Node, cols: string[], origin: Origin): void {
  if (c.contype !== 'CONSTR_UNIQUE' && c.contype !== 'CONSTR_PRIMARY') return;
  const rel = table.includes('.') ? table.slice(table.indexOf('.') + 1) : table;
  const schema = table.includes('.') ? table.slice(0, table.indexOf('.')) : undefined;
  const name = c.conname ?? (c.contype === 'CONSTR_PRIMARY' ? `${rel}_pkey` : `${rel}_${cols.join('_')}_key`);
  model.indexes.set(qualify(schema, name), { name, table, unique: true, origin });
}

export function applyPgStatement(model: SchemaModel, s: PgStatement, origin: Origin): void {
  const n = s.node;
  switch (s.type) {
    case 'CreateStmt': {
      const key = rangeVarKey(n.relation);
      const table: TableModel = { name: key, columns: new Map(), origin };
      for (const el of n.tableElts ?? []) {
        if (el.ColumnDef) {
          const c = columnFromDef(el.ColumnDef, model, origin);
          table.columns.set(c.name, c);
        }
        if (el.Constraint?.contype === 'CONSTR_PRIMARY') {
          for (const k of nameList(el.Constraint.keys)) {
            const c = table.columns.get(k);
            if (c) c.notNull = true;
          }
        }
        if (el.Constraint) addUniqueConstraint(model, key, el.Constraint, nameList(el.Constraint.keys), origin);
        for (const c of el.ColumnDef ? constraintsOf(el.ColumnDef) : []) {
          addUniqueConstraint(model, key, c, [String(el.ColumnDef.colname)], origin);
        }
      }
      model.tables.set(key, table);
      return;
    }
    case 'AlterTableStmt': {
      const key = rangeVarKey(n.relation);
      const table = model.tables.get(key);
      if (!table) return;
      for (const cmdWrap of n.cmds ?? []) {
        const cmd = cmdWrap.AlterTableCmd;
        if (!cmd) continue;
        const col = cmd.name ? table.columns.get(cmd.name) : undefined;
        switch (cmd.subtype) {
          case 'AT_AddColumn': {
            const c = columnFromDef(cmd.def.ColumnDef, model, origin);
            table.columns.set(c.name, c);
            break;
          }
          case 'AT_DropColumn':
            if (cmd.name) table.columns.delete(cmd.name);
            break;
          case 'AT_AlterColumnType':
            if (col) col.type = columnTypeOf(cmd.def?.ColumnDef?.typeName, model.enums);
            break;
          case 'AT_SetNotNull':
            if (col) col.notNull = true;
            break;
          case 'AT_DropNotNull':
            if (col) col.notNull = false;
            break;
          case 'AT_ColumnDefault':
            if (col) {
              col.hasDefault = Boolean(cmd.def);
              col.defaultText = cmd.def ? exprText(cmd.def) : undefined;
            }
            break;
          case 'AT_AddIdentity':
            if (col) {
              col.identity = true;
              col.hasDefault = true;
            }
            break;
          case 'AT_AddConstraint': {
            const c = cmd.def?.Constraint;
            if (c) addUniqueConstraint(model, key, c, nameList(c.keys), origin);
            break;
          }
          case 'AT_DropConstraint':
            if (cmd.name) model.indexes.delete(qualify(n.relation.schemaname, cmd.name));
            break;
          case 'AT_DropIdentity':
            if (col) {
              col.identity = false;
              col.hasDefault = false;
            }
            break;
          default:
            break;
        }
      }
      return;
    }
    case 'RenameStmt': {
      if (n.renameType === 'OBJECT_COLUMN') {
        const table = model.tables.get(rangeVarKey(n.relation));
        const col = table?.columns.get(n.subname);
        if (table && col) {
          table.columns.delete(n.subname);
          table.columns.set(n.newname, { ...col, name: n.newname });
        }
      } else if (n.renameType === 'OBJECT_TABLE') {
        const oldKey = rangeVarKey(n.relation);
        const table = model.tables.get(oldKey);
        if (table) {
          model.tables.delete(oldKey);
          const newKey = qualify(n.relation.schemaname, n.newname);
          model.tables.set(newKey, { ...table, name: newKey });
        }
      } else if (n.renameType === 'OBJECT_INDEX') {
        const idx = model.indexes.get(rangeVarKey(n.relation));
        if (idx) {
          model.indexes.delete(rangeVarKey(n.relation));
          model.indexes.set(qualify(n.relation.schemaname, n.newname), { ...idx, name: n.newname });
        }
      }
      return;
    }
    case 'AlterObjectSchemaStmt': {
      if (n.objectType === 'OBJECT_TABLE' && n.relation) {
        const oldKey = rangeVarKey(n.relation);
        const table = model.tables.get(oldKey);
        if (table) {
          model.tables.delete(oldKey);
          const newKey = qualify(n.newschema, n.relation.relname);
          model.tables.set(newKey, { ...table, name: newKey });
        }
      }
      return;
    }
    case 'DropStmt': {
      for (const o of n.objects ?? []) {
        const key = dropObjectKey(o, n.removeType);
        if (n.removeType === 'OBJECT_TABLE') model.tables.delete(key);
        else if (n.removeType === 'OBJECT_INDEX') model.indexes.delete(key);
        else if (n.removeType === 'OBJECT_TYPE') model.enums.delete(key);
        const kind = kindOf(n.removeType);
        if (kind) model.objects.delete(`${kind}:${key}`);
      }
      return;
    }
    case 'IndexStmt': {
      const key = qualify(n.relation?.schemaname, n.idxname ?? `${n.relation?.relname}_idx`);
      model.indexes.set(key, { name: key, table: rangeVarKey(n.relation), unique: Boolean(n.unique), origin });
      return;
    }
    case 'CreateEnumStmt':
      model.enums.set(namesKey(n.typeName), { values: (n.vals ?? []).map((v: Node) => String(v.String?.sval)), origin });
      model.objects.set(`type:${namesKey(n.typeName)}`, origin);
      return;
    case 'AlterEnumStmt': {
      const e = model.enums.get(namesKey(n.typeName));
      if (!e) return;
      if (n.oldVal) e.values = e.values.map((v) => (v === n.oldVal ? n.newVal : v));
      else if (n.newVal && !e.values.includes(n.newVal)) e.values.push(n.newVal);
      return;
    }
    case 'ViewStmt':
      model.objects.set(`view:${rangeVarKey(n.view)}`, origin);
      return;
    case 'CreateTableAsStmt':
      if (n.objtype === 'OBJECT_MATVIEW') model.objects.set(`view:${rangeVarKey(n.into?.rel)}`, origin);
      return;
    case 'CreateFunctionStmt':
      model.objects.set(`function:${namesKey(n.funcname)}`, origin);
      return;
    case 'CreateSeqStmt':
      model.objects.set(`sequence:${rangeVarKey(n.sequence)}`, origin);
      return;
    case 'CreateSchemaStmt':
      model.objects.set(`schema:${n.schemaname}`, origin);
      return;
    case 'CompositeTypeStmt':
      model.objects.set(`type:${rangeVarKey(n.typevar)}`, origin);
      return;
    case 'CreateDomainStmt':
      model.objects.set(`type:${namesKey(n.domainname)}`, origin);
      return;
    case 'CreateTrigStmt':
      model.objects.set(`trigger:${rangeVarKey(n.relation)}.${n.trigname}`, origin);
      return;
    default:
      return;
  }
}
