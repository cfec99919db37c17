/**
 * A dialect-neutral model of the schema the stable version runs against: what the rules compare a
 * new statement with. Built by replaying the stable migrations (or a dump) through a dialect's
 * model builder; each object remembers whether it belongs to stable or was created by the change,
 * because changing an object the stable version never knew is always safe.
 */
export type Origin = 'stable' | 'change';

export type TypeFamily =
  | 'int'
  | 'numeric'
  | 'float'
  | 'text'
  | 'bool'
  | 'timestamp'
  | 'timestamptz'
  | 'date'
  | 'time'
  | 'json'
  | 'uuid'
  | 'bytes'
  | 'enum'
  | 'other';

export interface ColumnType {
  family: TypeFamily;
  /** The type as written, lower case (e.g. `varchar(20)`, `int4`, `mood`). */
  name: string;
  /** Integer width in bytes (int family), float width (float family). */
  bytes?: number;
  unsigned?: boolean;
  /** Character length limit; undefined means unlimited. */
  length?: number;
  precision?: number;
  scale?: number;
  /** MySQL inline enum values. */
  enumValues?: string[];
  array?: boolean;
}

export interface ColumnModel {
  name: string;
  type: ColumnType;
  notNull: boolean;
  hasDefault: boolean;
  /** Default expression as text, for comparing defaults. */
  defaultText?: string;
  identity: boolean;
  generated: boolean;
  origin: Origin;
}

export interface TableModel {
  /** Key: `schema.table` without the default schema (`users`, `billing.invoices`). */
  name: string;
  columns: Map<string, ColumnModel>;
  origin: Origin;
}

export interface IndexModel {
  name: string;
  table: string;
  unique: boolean;
  origin: Origin;
}

export interface SchemaModel {
  tables: Map<string, TableModel>;
  indexes: Map<string, IndexModel>;
  /** Views, functions, sequences, schemas, types, triggers by kind, then key. */
  objects: Map<string, Origin>;
  enums: Map<string, { values: string[]; origin: Origin }>;
  /** `table` or `table.column` entries the stable ref declared deprecated (contract phase). */
  contract: Set<string>;
}

export function emptyModel(): SchemaModel {
  return { tables: new Map(), indexes: new Map(), objects: new Map(), enums: new Map(), contract: new Set() };
}

export function cloneModel(m: SchemaModel): SchemaModel {
  const tables = new Map<string, TableModel>();
  for (const [k, t] of m.tables) {
    const columns = new Map<string, ColumnModel>();
    for (const [ck, c] of t.columns) columns.set(ck, { ...c, type: { ...c.type } });
    tables.set(k, { ...t, columns });
  }
  const enums = new Map<string, { values: string[]; origin: Origin }>();
  for (const [k, e] of m.enums) enums.set(k, { values: [...e.values], origin: e.origin });
  return {
    tables,
    indexes: new Map([...m.indexes].map(([k, v]) => [k, { ...v }])),
    objects: new Map(m.objects),
    enums,
    contract: new Set(m.contract),
  };
}

/** Every object of the model now counts as the stable version's (after the stable migrations ran). */
export function markAllStable(m: SchemaModel): void {
  for (const t of m.tables.values()) {
    t.origin = 'stable';
    for (const c of t.columns.values()) c.origin = 'stable';
  }
  for (const i of m.indexes.values()) i.origin = 'stable';
  for (const k of m.objects.keys()) m.objects.set(k, 'stable');
  for (const e of m.enums.values()) e.origin = 'stable';
}

/**
 * A table is the stable version's unless the change created it. Tables the model does not know
 * (no stable migrations given, or created outside the migrations) count as stable: the safe side.
 */
export function isStableTable(m: SchemaModel, table: string): boolean {
  const t = m.tables.get(table);
  return t ? t.origin === 'stable' : true;
}

export function isStableColumn(m: SchemaModel, table: string, column: string): boolean {
  const t = m.tables.get(table);
  if (!t) return true;
  if (t.origin === 'change') return false;
  const c = t.columns.get(column);
  return c ? c.origin === 'stable' : true;
}

export function isStableObject(m: SchemaModel, kind: string, key: string): boolean {
  const o = m.objects.get(`${kind}:${key}`);
  return o ? o === 'stable' : true;
}

export type TypeChange = 'same' | 'widen-invisible' | 'widen-visible' | 'narrow' | 'family-change';

/**
 * Does the new type hold every value of the old one, and would a client notice the difference?
 * `widen-invisible` (varchar(20) → varchar(50), varchar → text) is safe; `widen-visible`
 * (int → bigint, timestamp ↔ timestamptz) may surprise a client; `narrow` and `family-change` can
 * reject values the stable version writes.
 */
export function compareTypes(oldT: ColumnType, newT: ColumnType): TypeChange {
  if (oldT.array !== newT.array) return 'family-change';
  if (oldT.family !== newT.family) {
    const pair = `${oldT.family}>${newT.family}`;
    if (pair === 'timestamp>timestamptz' || pair === 'timestamptz>timestamp') return 'widen-visible';
    if (pair === 'int>numeric' && (newT.precision === undefined || newT.precision - (newT.scale ?? 0) >= 20)) {
      return 'widen-visible';
    }
    if (pair === 'enum>text' && newT.length === undefined) return 'widen-visible';
    return 'family-change';
  }
  switch (oldT.family) {
    case 'int':
    case 'float': {
      const ob = oldT.bytes ?? 4;
      const nb = newT.bytes ?? 4;
      if (oldT.unsigned && !newT.unsigned && nb <= ob) return 'narrow';
      if (!oldT.unsigned && newT.unsigned) return 'narrow';
      if (nb < ob) return 'narrow';
      if (nb > ob || oldT.unsigned !== newT.unsigned) return 'widen-visible';
      return 'same';
    }
    case 'text': {
      if (oldT.length === newT.length) return oldT.name === newT.name ? 'same' : 'widen-invisible';
      if (newT.length === undefined) return 'widen-invisible';
      if (oldT.length === undefined || newT.length < oldT.length) return 'narrow';
      return 'widen-invisible';
    }
    case 'numeric': {
      if (newT.precision === undefined) return oldT.precision === undefined ? 'same' : 'widen-invisible';
      if (oldT.precision === undefined) return 'narrow';
      const oi = oldT.precision - (oldT.scale ?? 0);
      const ni = newT.precision - (newT.scale ?? 0);
      if (ni < oi || (newT.scale ?? 0) < (oldT.scale ?? 0)) return 'narrow';
      if (ni === oi && (newT.scale ?? 0) === (oldT.scale ?? 0)) return 'same';
      return 'widen-invisible';
    }
    case 'enum': {
      if (oldT.enumValues && newT.enumValues) {
        const removed = oldT.enumValues.some((v) => !newT.enumValues!.includes(v));
        if (removed) return 'narrow';
        return newT.enumValues.length > oldT.enumValues.length ? 'widen-visible' : 'same';
      }
      return oldT.name === newT.name ? 'same' : 'family-change';
    }
    default:
      return oldT.name === newT.name ? 'same' : 'family-change';
  }
}
