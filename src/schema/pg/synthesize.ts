/**
 * What the stable version does to its tables, synthesised from the stable schema: per table an
 * INSERT of every column it can write, an INSERT of only the columns it must write, a SELECT of
 * every column, and an UPDATE and a DELETE by primary key (each on a row it inserted first, so
 * constraints and triggers fire). Values are untyped literals, as an ORM sends them, so PostgreSQL
 * coerces them on assignment (a varchar too short for the value fails as it would for the app).
 * Pure: the shape of the stable schema in, statements out.
 */
import { USER_NS } from './catalog.ts';

export interface ShapeColumn {
  name: string;
  /** `format_type()` of the column, e.g. `character varying(40)`. */
  type: string;
  /** The type behind domains: `typname` and `typcategory` (pg_type). */
  base: string;
  category: string;
  /** Character length limit (char/varchar), bits for bit types. */
  length: number | null;
  notNull: boolean;
  hasDefault: boolean;
  /** `a` GENERATED ALWAYS AS IDENTITY, `d` BY DEFAULT, '' none. */
  identity: string;
  /** `s` stored generated column, '' none. */
  generated: string;
  /** Enum labels in sort order, for enum columns (or arrays of enums: none). */
  labels: string[] | null;
}

export interface ShapeForeignKey {
  columns: string[];
  /** Referenced table key (`schema.table` without `public.`). */
  refTable: string;
  refColumns: string[];
}

export interface ShapeTable {
  /** `schema.table` without `public.`; the SQL name is `sqlName`. */
  key: string;
  schema: string;
  name: string;
  /** r table, p partitioned table, v view. */
  kind: string;
  columns: ShapeColumn[];
  primaryKey: string[];
  foreignKeys: ShapeForeignKey[];
}

export interface StableShape {
  tables: ShapeTable[];
}

/** One round trip: every table and view of the stable schema with what synthesis needs. */
export const SHAPE_SQL = `SELECT coalesce(json_agg(json_build_object(
  'key', CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END,
  'schema', n.nspname, 'name', c.relname, 'kind', c.relkind::text,
  'columns', (SELECT coalesce(json_agg(json_build_object(
      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'base', bt.typname, 'category', bt.typcategory::text,
      'length', CASE WHEN bt.typname IN ('varchar', 'bpchar') AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4 THEN coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4
                     WHEN bt.typname IN ('bit', 'varbit') AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 0 THEN coalesce(nullif(t.typtypmod, -1), a.atttypmod) END,
      'notNull', a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), 'hasDefault', a.atthasdef OR t.typdefault IS NOT NULL,
      'identity', a.attidentity::text, 'generated', a.attgenerated::text,
      'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid)
    ) ORDER BY a.attnum), '[]')
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primaryKey', (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]') FROM pg_constraint p
    CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = p.conrelid AND a.attnum = k.attnum
    WHERE p.conrelid = c.oid AND p.contype = 'p'),
  'foreignKeys', (SELECT coalesce(json_agg(json_build_object(
      'columns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum),
      'refTable', (SELECT CASE WHEN rn.nspname = 'public' THEN rc.relname::text ELSE rn.nspname || '.' || rc.relname END FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = f.confrelid),
      'refColumns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(f.confkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum)
    )), '[]') FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f')
) ORDER BY n.nspname, c.relname), '[]') AS shape
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition`;

export type ProbeKind = 'insert' | 'insert-required' | 'select' | 'update' | 'delete' | 'query';

/** One statement of the stable version, run in a transaction that is rolled back. */
export interface Probe {
  /** Stable identifier, e.g. `insert users`. */
  id: string;
  kind: ProbeKind;
  /** The table (or view) it exercises; for user queries, the file. */
  table: string;
  /** Rows the statement needs (parents for foreign keys, the row to update); run first, same transaction. */
  setup: string[];
  sql: string;
  params?: unknown[];
  /** Where a user-supplied statement came from. */
  source?: { file: string; line: number };
}

/** Quotes an identifier the way PostgreSQL's quote_ident does. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with']);

function tableSql(t: Pick<ShapeTable, 'schema' | 'name'>): string {
  return t.schema === 'public' ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** How many value sets synthesis tries before it gives up on a table (the first the stable schema accepts wins). */
export const VARIANTS = 4;

const TEXTS = ['canary-gate sample value 0123456789abcdef', 'sample', 'a@example.com', 'X'];
const NUMBERS = ['4242', '7', '1', '0'];

/**
 * A literal for one column in value set `variant`, or undefined when synthesis does not know the
 * type. Each set is uniform across columns (the first tries distinctive values, later ones small ones).
 */
export function sampleLiteral(c: Pick<ShapeColumn, 'base' | 'category' | 'length' | 'labels'>, variant: number): string | undefined {
  const v = variant % VARIANTS;
  if (c.labels?.length) return lit(c.labels[v % 2 === 0 ? 0 : c.labels.length - 1]!);
  switch (c.category) {
    case 'N':
      if (c.base === 'money') return lit(NUMBERS[v]!);
      return NUMBERS[v];
    case 'S': {
      const text = TEXTS[v]!;
      return lit(c.length ? text.slice(0, c.length) : text);
    }
    case 'B':
      return v % 2 === 0 ? 'true' : 'false';
    case 'D':
      if (c.base === 'date') return lit(`2024-01-0${v + 2}`);
      if (c.base === 'timestamptz') return lit(`2024-01-0${v + 2} 03:04:05+00`);
      if (c.base === 'timestamp') return lit(`2024-01-0${v + 2} 03:04:05`);
      return c.base === 'timetz' ? lit(`03:04:0${v}+00`) : lit(`03:04:0${v}`);
    case 'T':
      return lit(`${v + 1} day`);
    case 'I':
      return lit(c.base === 'cidr' ? `10.0.${v}.0/24` : `10.0.0.${v + 1}`);
    case 'A':
      return lit('{}');
    case 'V':
      return lit(c.base === 'bit' ? '0'.repeat(c.length ?? 1) : '1');
    case 'U':
      if (c.base === 'uuid') return lit(`00000000-0000-4000-8000-00000000424${v}`);
      if (c.base === 'json' || c.base === 'jsonb') return lit(v % 2 === 0 ? '{}' : '[]');
      if (c.base === 'bytea') return lit('\\x00');
      if (c.base === 'xml') return lit('<a/>');
      if (c.base === 'macaddr') return lit(`08:00:2b:01:02:0${v}`);
      return undefined;
    case 'G':
      return c.base === 'point' ? lit(`(${v},${v})`) : undefined;
    default:
      return undefined;
  }
}

/** Columns an INSERT may set: not generated, not GENERATED ALWAYS AS IDENTITY. */
function writable(c: ShapeColumn): boolean {
  return c.generated === '' && c.identity !== 'a';
}

/** Columns the stable version must set: NOT NULL with no default of any kind. */
function required(c: ShapeColumn): boolean {
  return writable(c) && c.notNull && !c.hasDefault && c.identity === '';
}

/** A row of a table in one value set, with the parent rows its foreign keys need. */
interface RowPlan {
  values: Map<string, string>;
  /** INSERTs of parent rows, parents first. */
  parents: string[];
}

const MAX_FK_DEPTH = 4;

function planRow(shape: Map<string, ShapeTable>, t: ShapeTable, columns: ShapeColumn[], variant: number, depth: number): RowPlan | undefined {
  const values = new Map<string, string>();
  const parents: string[] = [];
  for (const c of columns) {
    const v = sampleLiteral(c, variant);
    if (v === undefined) {
      if (c.notNull) return undefined;
      continue;
    }
    values.set(c.name, v);
  }
  for (const fk of t.foreignKeys) {
    if (!fk.columns.every((c) => values.has(c))) {
      for (const c of fk.columns) values.delete(c); // a partial key is left NULL (MATCH SIMPLE: not checked)
      if (fk.columns.some((c) => t.columns.find((x) => x.name === c)?.notNull)) return undefined;
      continue;
    }
    const parent = shape.get(fk.refTable);
    if (!parent) return undefined;
    if (parent.key === t.key) {
      fk.columns.forEach((c, i) => {
        const own = values.get(fk.refColumns[i]!);
        if (own !== undefined) values.set(c, own);
      });
      continue;
    }
    if (depth >= MAX_FK_DEPTH) {
      if (fk.columns.some((c) => t.columns.find((x) => x.name === c)?.notNull)) return undefined;
      for (const c of fk.columns) values.delete(c);
      continue;
    }
    const parentRow = planRow(shape, parent, parent.columns.filter(writable), variant, depth + 1);
    if (!parentRow || !fk.refColumns.every((c) => parentRow.values.has(c))) return undefined;
    fk.columns.forEach((c, i) => values.set(c, parentRow.values.get(fk.refColumns[i]!)!));
    parents.push(...parentRow.parents, insertSql(parent, parentRow.values));
  }
  return { values, parents: [...new Set(parents)] };
}

function insertSql(t: ShapeTable, values: Map<string, string>): string {
  if (values.size === 0) return `INSERT INTO ${tableSql(t)} DEFAULT VALUES`;
  return `INSERT INTO ${tableSql(t)} (${[...values.keys()].map(quoteIdent).join(', ')}) VALUES (${[...values.values()].join(', ')})`;
}

/** The probes of one table in one value set; `undefined` when its row cannot be synthesised. */
export interface TableProbes {
  table: string;
  /** The full INSERT with its parents: the row UPDATE and DELETE work on. */
  insert: Probe;
  others: Probe[];
}

export function synthesizeTable(shape: StableShape, t: ShapeTable, variant: number): TableProbes | undefined {
  const byKey = new Map(shape.tables.map((x) => [x.key, x]));
  const all = t.columns.filter(writable);
  const row = planRow(byKey, t, all, variant, 0);
  if (!row) return undefined;
  const insert: Probe = { id: `insert ${t.key}`, kind: 'insert', table: t.key, setup: row.parents, sql: insertSql(t, row.values) };
  const others: Probe[] = [];
  const req = t.columns.filter(required);
  if (req.length < row.values.size) {
    const reqRow = planRow(byKey, t, req, variant, 0);
    if (reqRow) {
      const sql = insertSql(t, reqRow.values);
      others.push({ id: `insert-required ${t.key}`, kind: 'insert-required', table: t.key, setup: reqRow.parents, sql });
    }
  }
  const key = t.primaryKey.length && t.primaryKey.every((c) => row.values.has(c)) ? t.primaryKey : undefined;
  if (key) {
    const where = key.map((c) => `${quoteIdent(c)} = ${row.values.get(c)}`).join(' AND ');
    const set = [...row.values].filter(([c]) => !key.includes(c));
    const assignments = (set.length ? set : [[key[0]!, row.values.get(key[0]!)!] as [string, string]]).map(([c, v]) => `${quoteIdent(c)} = ${v}`).join(', ');
    const setup = [...row.parents, insert.sql];
    others.push({ id: `update ${t.key}`, kind: 'update', table: t.key, setup, sql: `UPDATE ${tableSql(t)} SET ${assignments} WHERE ${where}` });
    others.push({ id: `delete ${t.key}`, kind: 'delete', table: t.key, setup, sql: `DELETE FROM ${tableSql(t)} WHERE ${where}` });
  }
  return { table: t.key, insert, others };
}

export function selectProbe(t: ShapeTable): Probe {
  const cols = t.columns.map((c) => quoteIdent(c.name)).join(', ') || '*';
  return { id: `select ${t.key}`, kind: 'select', table: t.key, setup: [], sql: `SELECT ${cols} FROM ${tableSql(t)} LIMIT 1` };
}
