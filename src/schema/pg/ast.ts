/**
 * Small readers over libpg-query's JSON AST (PostgreSQL's own parse tree). The AST is untyped JSON
 * here on purpose: the rules only read a handful of fields, and each reader names what it expects.
 */
import type { ColumnType } from '../model.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

/** `users`, or `billing.users` outside the default schema. */
export function qualify(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

export function rangeVarKey(rv: Node): string {
  return qualify(rv?.schemaname, String(rv?.relname ?? '?'));
}

/** A list of String nodes (`names`, `typeName`, a List's items) joined as a key. */
export function nameList(items: Node[] | undefined): string[] {
  return (items ?? []).map((n: Node) => String(n?.String?.sval ?? n?.sval ?? '?'));
}

export function namesKey(items: Node[] | undefined): string {
  const names = nameList(items);
  if (names.length === 1) return names[0]!;
  return qualify(names[names.length - 2], names[names.length - 1]!);
}

function intConst(n: Node): number | undefined {
  const v = n?.A_Const?.ival;
  if (v === undefined) return undefined;
  return typeof v.ival === 'number' ? v.ival : 0;
}

const INT_BYTES: Record<string, number> = {
  int2: 2, smallint: 2, smallserial: 2, serial2: 2,
  int4: 4, int: 4, integer: 4, serial: 4, serial4: 4,
  int8: 8, bigint: 8, bigserial: 8, serial8: 8,
};

const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

export function isSerialType(tn: Node): boolean {
  return SERIALS.has(nameList(tn?.names).at(-1) ?? '');
}

/** Maps a TypeName node to the model's type; `enums` tells user enum types apart. */
export function columnTypeOf(tn: Node, enums?: Map<string, unknown>): ColumnType {
  const names = nameList(tn?.names);
  const base = names[names.length - 1] ?? '?';
  const mods = (tn?.typmods ?? []).map(intConst);
  const array = Array.isArray(tn?.arrayBounds) && tn.arrayBounds.length > 0;
  const name = (mods.length ? `${base}(${mods.join(',')})` : base) + (array ? '[]' : '');
  const t: ColumnType = { family: 'other', name, array };
  if (base in INT_BYTES) return { ...t, family: 'int', bytes: INT_BYTES[base] };
  switch (base) {
    case 'numeric':
    case 'decimal':
      return { ...t, family: 'numeric', precision: mods[0], scale: mods[0] === undefined ? undefined : (mods[1] ?? 0) };
    case 'float4':
    case 'real':
      return { ...t, family: 'float', bytes: 4 };
    case 'float8':
      return { ...t, family: 'float', bytes: 8 };
    case 'varchar':
    case 'bpchar':
    case 'char':
      return { ...t, family: 'text', length: mods[0] };
    case 'text':
      return { ...t, family: 'text' };
    case 'bool':
    case 'boolean':
      return { ...t, family: 'bool' };
    case 'timestamp':
      return { ...t, family: 'timestamp' };
    case 'timestamptz':
      return { ...t, family: 'timestamptz' };
    case 'date':
      return { ...t, family: 'date' };
    case 'time':
    case 'timetz':
      return { ...t, family: 'time' };
    case 'json':
    case 'jsonb':
      return { ...t, family: 'json' };
    case 'uuid':
      return { ...t, family: 'uuid' };
    case 'bytea':
      return { ...t, family: 'bytes' };
    default: {
      const key = namesKey(tn?.names);
      if (enums?.has(key)) return { ...t, family: 'enum', name: key + (array ? '[]' : '') };
      return t;
    }
  }
}

export function constraintsOf(colDef: Node): Node[] {
  return (colDef?.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
}

/** Deterministic text of an expression node, for comparing defaults. */
export function exprText(n: Node): string {
  return JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v));
}

const VOLATILE_FUNCS = new Set(['random', 'gen_random_uuid', 'uuid_generate_v4', 'clock_timestamp', 'nextval', 'timeofday']);

/** True when the expression calls a volatile function (forces a table rewrite as a default). */
export function isVolatileExpr(n: Node): boolean {
  let found = false;
  const walk = (x: Node): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (x.FuncCall) {
      const fname = nameList(x.FuncCall.funcname).at(-1) ?? '';
      if (VOLATILE_FUNCS.has(fname)) found = true;
    }
    for (const v of Object.values(x)) walk(v);
  };
  walk(n);
  return found;
}
