/**
 * A snapshot of the PostgreSQL catalog keyed by object identity (OIDs, attnums), and a pure diff of
 * two snapshots into rule hits. Identity is what tells a rename (same OID, new name) from a drop and
 * an add, whatever SQL (DDL, DO blocks, CASCADE) caused it.
 */
import { compareTypes, type ColumnType } from '../model.ts';
import type { RuleHit } from '../rules/hit.ts';
import { qualify } from './ast.ts';

export interface RelationRow { oid: number; schema: string; name: string; kind: string; rls: boolean; acl: string | null; unique: boolean | null }
export interface ColumnRow { relid: number; attnum: number; name: string; type: string; notnull: boolean; def: string | null; identity: string; generated: string }
export interface EnumRow { oid: number; typid: number; type: string; label: string }
export interface ConstraintRow { oid: number; relid: number; name: string; type: string; def: string }
export interface NamedRow { oid: number; schema: string; name: string; kind: string }

export interface CatalogSnapshot {
  relations: RelationRow[];
  columns: ColumnRow[];
  enums: EnumRow[];
  constraints: ConstraintRow[];
  /** Functions, procedures, types (domains, enums), schemas, triggers. */
  others: NamedRow[];
}

/** The user's schemas: not the system catalogs, TOAST or temporary schemas. */
export const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

/**
 * One round trip: the user catalog as JSON. `restricted` (parameters: the stable relations' and
 * other objects' OIDs) reads only what the diff can report on — stable objects, the columns and
 * constraints of stable relations, all enum labels — through the catalogs' OID indexes instead of
 * scanning pg_attribute and pg_proc: the snapshots after each statement are most of the replay's
 * time.
 */
function snapshotSql(restricted: boolean): string {
  const rel = restricted ? 'c.oid = ANY($1::oid[])' : `${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f')`;
  const col = restricted ? 'a.attrelid = ANY($1::oid[])' : `${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`;
  const con = restricted ? 'k.conrelid = ANY($1::oid[])' : `${USER_NS} AND k.conrelid <> 0`;
  const other = (o: string): string => (restricted ? `${o} = ANY($2::oid[])` : USER_NS);
  return `SELECT json_build_object(
 'relations', (SELECT coalesce(json_agg(json_build_object('oid', c.oid::int8, 'schema', n.nspname, 'name', c.relname, 'kind', c.relkind::text, 'rls', c.relrowsecurity, 'acl', c.relacl::text, 'unique', i.indisunique)), '[]')
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
   WHERE ${rel}),
 'columns', (SELECT coalesce(json_agg(json_build_object('relid', a.attrelid::int8, 'attnum', a.attnum, 'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull, 'def', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity::text, 'generated', a.attgenerated::text)), '[]')
   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE ${col} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
 'enums', (SELECT coalesce(json_agg(json_build_object('oid', e.oid::int8, 'typid', e.enumtypid::int8, 'type', CASE WHEN n.nspname = 'public' THEN t.typname::text ELSE n.nspname || '.' || t.typname END, 'label', e.enumlabel)), '[]')
   FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace),
 'constraints', (SELECT coalesce(json_agg(json_build_object('oid', k.oid::int8, 'relid', k.conrelid::int8, 'name', k.conname, 'type', k.contype::text, 'def', pg_get_constraintdef(k.oid))), '[]')
   FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE ${con} AND k.contype IN ('c', 'u', 'f', 'x', 'p')),
 'others', (SELECT coalesce(json_agg(o), '[]') FROM (
     SELECT p.oid::int8 AS oid, n.nspname AS schema, p.proname::text AS name, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${other('p.oid')}
     UNION ALL SELECT t.oid::int8, n.nspname, t.typname::text, 'type' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${other('t.oid')} AND t.typtype IN ('e', 'd')
     UNION ALL SELECT n.oid::int8, n.nspname, n.nspname::text, 'schema' FROM pg_namespace n WHERE ${other('n.oid')} AND n.nspname <> 'public'${restricted ? ` AND ${USER_NS}` : ''}
     UNION ALL SELECT g.oid::int8, n.nspname, c.relname || '.' || g.tgname, 'trigger' FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${other('g.oid')} AND NOT g.tgisinternal
   ) o)
) AS snapshot`;
}

/** The whole user catalog: the first snapshot, which defines what the stable version has. */
export const SNAPSHOT_SQL = snapshotSql(false);
/** Only the stable objects: `$1` the stable relations' OIDs, `$2` the other stable objects' OIDs. */
export const STABLE_SNAPSHOT_SQL = snapshotSql(true);

const PG_TYPES: Record<string, Partial<ColumnType>> = {
  smallint: { family: 'int', bytes: 2 },
  integer: { family: 'int', bytes: 4 },
  bigint: { family: 'int', bytes: 8 },
  real: { family: 'float', bytes: 4 },
  'double precision': { family: 'float', bytes: 8 },
  text: { family: 'text' },
  boolean: { family: 'bool' },
  date: { family: 'date' },
  json: { family: 'json' },
  jsonb: { family: 'json' },
  uuid: { family: 'uuid' },
  bytea: { family: 'bytes' },
};

/** Maps `format_type()` output (e.g. `character varying(50)`, `timestamp(3) with time zone`) to the model. */
function typeFromCatalog(formatted: string, enumTypes: ReadonlySet<string>): ColumnType {
  const array = formatted.endsWith('[]');
  const t = array ? formatted.slice(0, -2) : formatted;
  const open = t.indexOf('(');
  const close = t.indexOf(')');
  const base = (open >= 0 ? t.slice(0, open) + t.slice(close + 1) : t).trim();
  const mods = open >= 0 ? t.slice(open + 1, close).split(',').map((x) => Number(x.trim())) : [];
  const out: ColumnType = { family: 'other', name: formatted, array };
  if (base in PG_TYPES) return { ...out, ...PG_TYPES[base] };
  if (base === 'character varying' || base === 'character') return { ...out, family: 'text', length: mods[0] };
  if (base === 'numeric') return { ...out, family: 'numeric', precision: mods[0], scale: mods[0] === undefined ? undefined : (mods[1] ?? 0) };
  if (base.startsWith('timestamp')) return { ...out, family: base.endsWith('with time zone') && !base.endsWith('without time zone') ? 'timestamptz' : 'timestamp' };
  if (base.startsWith('time')) return { ...out, family: 'time' };
  if (enumTypes.has(base)) return { ...out, family: 'enum' };
  return out;
}

/** The objects that existed when the stable migrations had run: only changes to these matter. */
export interface StableIdentity {
  relations: ReadonlySet<number>;
  columns: ReadonlySet<string>;
  enums: ReadonlySet<number>;
  others: ReadonlySet<number>;
}

export function stableIdentity(s: CatalogSnapshot): StableIdentity {
  return {
    relations: new Set(s.relations.map((r) => r.oid)),
    columns: new Set(s.columns.map((c) => `${c.relid}:${c.attnum}`)),
    enums: new Set(s.enums.map((e) => e.oid)),
    others: new Set(s.others.map((o) => o.oid)),
  };
}

function aclItems(acl: string | null): string[] {
  if (!acl) return [];
  return acl.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
}

const KIND_NAME: Record<string, string> = { v: 'view', m: 'view', S: 'sequence', f: 'foreign table' };

/** Diffs two snapshots into hits about stable objects only. Pure. */
export function diffSnapshots(before: CatalogSnapshot, after: CatalogSnapshot, stable: StableIdentity): RuleHit[] {
  const hits: RuleHit[] = [];
  const relBefore = new Map(before.relations.map((r) => [r.oid, r]));
  const relAfter = new Map(after.relations.map((r) => [r.oid, r]));
  const relKey = (r: RelationRow): string => qualify(r.schema, r.name);
  const enumTypesAfter = new Set(after.enums.map((e) => e.type));
  const enumTypesBefore = new Set(before.enums.map((e) => e.type));
  const labels = (snap: CatalogSnapshot, type: string): string[] => snap.enums.filter((e) => e.type === type).map((e) => e.label);

  for (const r of before.relations) {
    if (!stable.relations.has(r.oid)) continue;
    const a = relAfter.get(r.oid);
    const key = relKey(r);
    if (!a) {
      if (r.kind === 'r' || r.kind === 'p') hits.push({ rule: 'SC101', object: key, message: `Replay: table ${key} no longer exists.`, contractable: true });
      else if (r.kind === 'i') {
        if (r.unique) hits.push({ rule: 'SC111', object: key, message: `Replay: unique index ${key} no longer exists.` });
      } else hits.push({ rule: 'SC112', object: `${KIND_NAME[r.kind] ?? 'relation'} ${key}`, message: `Replay: ${KIND_NAME[r.kind] ?? 'relation'} ${key} no longer exists.`, contractable: true });
      continue;
    }
    if (a.schema !== r.schema && r.kind !== 'i') {
      hits.push({ rule: 'SC113', object: key, message: `Replay: ${key} moved to schema ${a.schema}.`, contractable: true });
    } else if (a.name !== r.name && (r.kind === 'r' || r.kind === 'p' || r.kind === 'v' || r.kind === 'm')) {
      hits.push({ rule: 'SC103', object: key, message: `Replay: ${key} is now named ${relKey(a)} (same object, new name).`, contractable: true });
    }
    if (!r.rls && a.rls) hits.push({ rule: 'SC121', object: key, message: `Replay: row-level security is now enabled on ${key}.` });
    const lost = aclItems(r.acl).filter((i) => !aclItems(a.acl).includes(i));
    if (r.acl !== null && lost.length) hits.push({ rule: 'SC121', object: key, message: `Replay: privileges on ${key} changed; lost: ${lost.join(', ')}.` });
  }

  const colAfter = new Map(after.columns.map((c) => [`${c.relid}:${c.attnum}`, c]));
  for (const c of before.columns) {
    const id = `${c.relid}:${c.attnum}`;
    if (!stable.columns.has(id)) continue;
    const rel = relBefore.get(c.relid);
    const relNow = relAfter.get(c.relid);
    if (!rel || !relNow || !['r', 'p'].includes(rel.kind)) continue;
    const object = `${relKey(rel)}.${c.name}`;
    const a = colAfter.get(id);
    if (!a) {
      hits.push({ rule: 'SC102', object, message: `Replay: column ${object} no longer exists.`, contractable: true });
      continue;
    }
    if (a.name !== c.name) hits.push({ rule: 'SC104', object, message: `Replay: column ${object} is now named ${a.name} (same attnum, new name).`, contractable: true });
    if (a.type !== c.type) {
      const oldT = typeFromCatalog(c.type, enumTypesBefore);
      const newT = typeFromCatalog(a.type, enumTypesAfter);
      if (oldT.family === 'enum' && newT.family === 'enum') {
        const missing = labels(before, c.type).filter((l) => !labels(after, a.type).includes(l));
        if (missing.length) hits.push({ rule: 'SC109', object, message: `Replay: ${object} moves to enum ${a.type}, which lacks ${missing.join(', ')}.` });
      } else {
        const change = compareTypes(oldT, newT);
        if (change === 'narrow' || change === 'family-change') hits.push({ rule: 'SC108', object, message: `Replay: ${object} changed from ${c.type} to ${a.type}, which does not hold every old value.` });
        else if (change === 'widen-visible') hits.push({ rule: 'SC116', object, message: `Replay: ${object} widened from ${c.type} to ${a.type}.` });
      }
    }
    if (!c.notnull && a.notnull) hits.push({ rule: 'SC106', object, message: `Replay: ${object} is now NOT NULL.` });
    if (c.notnull && !a.notnull) hits.push({ rule: 'SC114', object, message: `Replay: ${object} may now be NULL.` });
    if (c.def !== null && a.def === null && a.notnull && !a.identity) hits.push({ rule: 'SC107', object, message: `Replay: the default of NOT NULL column ${object} was dropped.` });
    else if (c.def !== null && a.def !== null && c.def !== a.def) hits.push({ rule: 'SC117', object, message: `Replay: the default of ${object} changed from ${c.def} to ${a.def}.` });
    if (c.identity !== 'a' && a.identity === 'a') hits.push({ rule: 'SC118', object, message: `Replay: ${object} became GENERATED ALWAYS AS IDENTITY.` });
    if (!c.generated && a.generated) hits.push({ rule: 'SC118', object, message: `Replay: ${object} became a generated column.` });
  }
  const colBefore = new Set(before.columns.map((c) => `${c.relid}:${c.attnum}`));
  for (const a of after.columns) {
    const rel = relAfter.get(a.relid);
    if (!rel || !stable.relations.has(a.relid) || colBefore.has(`${a.relid}:${a.attnum}`) || !['r', 'p'].includes(rel.kind)) continue;
    if (a.notnull && a.def === null && !a.identity && !a.generated) {
      hits.push({ rule: 'SC105', object: `${relKey(rel)}.${a.name}`, message: `Replay: ${relKey(rel)}.${a.name} was added NOT NULL without a default.` });
    }
  }

  const enumAfter = new Map(after.enums.map((e) => [e.oid, e]));
  for (const e of before.enums) {
    if (!stable.enums.has(e.oid)) continue;
    const a = enumAfter.get(e.oid);
    if (!a) hits.push({ rule: 'SC109', object: `${e.type}.${e.label}`, message: `Replay: enum value '${e.label}' of ${e.type} no longer exists.` });
    else if (a.label !== e.label) hits.push({ rule: 'SC109', object: `${e.type}.${e.label}`, message: `Replay: enum value '${e.label}' of ${e.type} is now '${a.label}'.` });
  }
  const enumOidsBefore = new Set(before.enums.map((e) => e.oid));
  const stableTypeIds = new Set(before.enums.filter((e) => stable.enums.has(e.oid)).map((e) => e.typid));
  for (const a of after.enums) {
    if (!enumOidsBefore.has(a.oid) && stableTypeIds.has(a.typid)) hits.push({ rule: 'SC115', object: `${a.type}.${a.label}`, message: `Replay: enum ${a.type} gained '${a.label}'.` });
  }

  const conBefore = new Set(before.constraints.map((k) => k.oid));
  for (const k of after.constraints) {
    if (conBefore.has(k.oid) || !stable.relations.has(k.relid) || k.type === 'p') continue;
    const rel = relAfter.get(k.relid);
    if (!rel) continue;
    hits.push({ rule: 'SC110', object: relKey(rel), message: `Replay: constraint ${k.name} (${k.def}) was added to ${relKey(rel)}.` });
  }

  const otherAfter = new Map(after.others.map((o) => [o.oid, o]));
  for (const o of before.others) {
    if (!stable.others.has(o.oid) || otherAfter.has(o.oid)) continue;
    if (o.kind === 'type' && before.enums.some((e) => e.type === qualify(o.schema, o.name) && !stable.enums.has(e.oid))) continue;
    const object = o.kind === 'schema' ? `schema ${o.name}` : `${o.kind} ${qualify(o.schema, o.name)}`;
    hits.push({ rule: 'SC112', object, verdict: o.kind === 'trigger' ? 'warn' : undefined, message: `Replay: ${object} no longer exists.`, contractable: true });
  }
  return hits;
}
