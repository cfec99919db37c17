/** Readers over node-sql-parser's MySQL AST, mapped onto the dialect-neutral model. */
import type { ColumnModel, ColumnType, Origin } from '../model.ts';
import type { MyNode } from './parse.ts';

const INT_BYTES: Record<string, number> = { TINYINT: 1, SMALLINT: 2, MEDIUMINT: 3, INT: 4, INTEGER: 4, BIGINT: 8 };
const TEXT_LENGTH: Record<string, number> = { TINYTEXT: 255, TEXT: 65535, MEDIUMTEXT: 16777215, LONGTEXT: 4294967295 };

function mysqlType(def: MyNode): ColumnType {
  const dt = String(def?.dataType ?? '?').toUpperCase();
  const suffix: string[] = Array.isArray(def?.suffix) ? def.suffix.map((x: unknown) => String(x).toUpperCase()) : [];
  const unsigned = suffix.includes('UNSIGNED');
  const len: number | undefined = typeof def?.length === 'number' ? def.length : undefined;
  const name = `${dt.toLowerCase()}${len !== undefined ? `(${len}${def.scale !== undefined && def.scale !== null ? `,${def.scale}` : ''})` : ''}${unsigned ? ' unsigned' : ''}`;
  const t: ColumnType = { family: 'other', name };
  if (dt in INT_BYTES) return dt === 'TINYINT' && len === 1 ? { ...t, family: 'bool' } : { ...t, family: 'int', bytes: INT_BYTES[dt], unsigned };
  if (dt in TEXT_LENGTH) return { ...t, family: 'text', length: TEXT_LENGTH[dt] };
  switch (dt) {
    case 'VARCHAR':
    case 'CHAR':
      return { ...t, family: 'text', length: len ?? 1 };
    case 'DECIMAL':
    case 'NUMERIC':
      return { ...t, family: 'numeric', precision: len ?? 10, scale: def.scale ?? 0 };
    case 'FLOAT':
      return { ...t, family: 'float', bytes: 4 };
    case 'DOUBLE':
    case 'REAL':
      return { ...t, family: 'float', bytes: 8 };
    case 'BOOLEAN':
    case 'BOOL':
      return { ...t, family: 'bool' };
    case 'DATETIME':
      return { ...t, family: 'timestamp' };
    case 'TIMESTAMP':
      return { ...t, family: 'timestamptz' };
    case 'DATE':
      return { ...t, family: 'date' };
    case 'TIME':
      return { ...t, family: 'time' };
    case 'JSON':
      return { ...t, family: 'json' };
    case 'ENUM':
    case 'SET': {
      const values = (def.expr?.value ?? []).map((v: MyNode) => String(v.value));
      return { ...t, family: 'enum', name: `${dt.toLowerCase()}(${values.join(',')})`, enumValues: values };
    }
    default:
      return t;
  }
}

/** A column definition of CREATE TABLE or ALTER TABLE ADD/MODIFY/CHANGE (MODIFY restates it whole). */
export function mysqlColumn(name: string, d: MyNode, origin: Origin): ColumnModel {
  const notNull = d?.nullable?.type === 'not null' || Boolean(d?.primary_key);
  const hasDefault = Boolean(d?.default_val);
  return {
    name,
    type: mysqlType(d?.definition),
    notNull,
    hasDefault: hasDefault || Boolean(d?.auto_increment),
    defaultText: hasDefault ? JSON.stringify(d.default_val.value) : undefined,
    identity: Boolean(d?.auto_increment),
    generated: Boolean(d?.generated),
    origin,
  };
}

export function colName(c: MyNode): string {
  const v = c?.column;
  if (typeof v === 'string') return v;
  return String(v?.expr?.value ?? v?.value ?? c?.value ?? '?');
}

export function tableName(t: MyNode): string {
  return String(t?.table ?? '?');
}

/** The ALTER TABLE actions of a statement, each with its table. */
export function alterActions(ast: MyNode): { table: string; action: MyNode }[] {
  if (ast?.type !== 'alter' || !Array.isArray(ast.table)) return [];
  const table = tableName(ast.table[0]);
  return (ast.expr ?? []).map((action: MyNode) => ({ table, action }));
}
