/**
 * Compares two schema models (from two dumps) when there are no statements to classify. Pure.
 * Without object identity a rename shows as a drop and an add: the drop is what breaks stable.
 */
import { compareTypes, type SchemaModel } from '../model.ts';
import type { RuleHit } from './hit.ts';

export function diffModels(stable: SchemaModel, canary: SchemaModel): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const [key, t] of stable.tables) {
    const c = canary.tables.get(key);
    if (!c) {
      hits.push({ rule: 'SC101', object: key, message: `Table ${key} exists in the stable schema but not in the canary's: stable queries on it fail.`, contractable: true });
      continue;
    }
    for (const [name, col] of t.columns) {
      const object = `${key}.${name}`;
      const nc = c.columns.get(name);
      if (!nc) {
        hits.push({ rule: 'SC102', object, message: `Column ${object} exists in the stable schema but not in the canary's (dropped or renamed): stable queries naming it fail.`, contractable: true });
        continue;
      }
      if (col.type.family === 'enum' && nc.type.family === 'enum') {
        const oldVals = col.type.enumValues ?? stable.enums.get(col.type.name)?.values ?? [];
        const newVals = nc.type.enumValues ?? canary.enums.get(nc.type.name)?.values ?? [];
        const missing = oldVals.filter((v) => !newVals.includes(v));
        if (missing.length) hits.push({ rule: 'SC109', object, message: `${object} no longer accepts ${missing.join(', ')}: stable writes of those values fail.` });
        else if (newVals.length > oldVals.length) hits.push({ rule: 'SC115', object, message: `${object} accepts new values ${newVals.filter((v) => !oldVals.includes(v)).join(', ')}: stable readers may not know them.` });
      } else {
        const change = compareTypes(col.type, nc.type);
        if (change === 'narrow' || change === 'family-change') hits.push({ rule: 'SC108', object, message: `${object} changes from ${col.type.name} to ${nc.type.name}, which does not hold every old value.` });
        else if (change === 'widen-visible') hits.push({ rule: 'SC116', object, message: `${object} widens from ${col.type.name} to ${nc.type.name}: stable clients read the new type.` });
      }
      if (!col.notNull && nc.notNull) hits.push({ rule: 'SC106', object, message: `${object} becomes NOT NULL: stable writes that leave it NULL fail.` });
      if (col.notNull && !nc.notNull) hits.push({ rule: 'SC114', object, message: `${object} may now be NULL: stable readers may not expect it.` });
      if (col.hasDefault && !nc.hasDefault && nc.notNull && !nc.identity) hits.push({ rule: 'SC107', object, message: `The default of NOT NULL column ${object} is gone: stable INSERTs that omit it fail.` });
      else if (col.hasDefault && nc.hasDefault && col.defaultText !== nc.defaultText) hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
      if (!col.identity && nc.identity && !nc.hasDefault) hits.push({ rule: 'SC118', object, message: `${object} becomes an identity column.` });
      if (!col.generated && nc.generated) hits.push({ rule: 'SC118', object, message: `${object} becomes a generated column: stable writes to it fail.` });
    }
    for (const [name, nc] of c.columns) {
      if (t.columns.has(name)) continue;
      if (nc.notNull && !nc.hasDefault && !nc.generated) hits.push({ rule: 'SC105', object: `${key}.${name}`, message: `${key}.${name} is new, NOT NULL and has no default: stable INSERTs omit it and fail.` });
    }
  }
  for (const [key, e] of stable.enums) {
    const ne = canary.enums.get(key);
    if (!ne) continue;
    const missing = e.values.filter((v) => !ne.values.includes(v));
    for (const v of missing) hits.push({ rule: 'SC109', object: `${key}.${v}`, message: `Enum ${key} no longer has '${v}': stable writes of it fail.` });
    for (const v of ne.values.filter((x) => !e.values.includes(x))) hits.push({ rule: 'SC115', object: `${key}.${v}`, message: `Enum ${key} gains '${v}': stable readers may not know it.` });
  }
  for (const [key] of stable.objects) {
    if (canary.objects.has(key)) continue;
    const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    hits.push({ rule: 'SC112', object: `${kind} ${name}`, verdict: kind === 'trigger' ? 'warn' : undefined, message: `The ${kind} ${name} exists in the stable schema but not in the canary's.`, contractable: true });
  }
  for (const [key, idx] of stable.indexes) {
    if (idx.unique && !canary.indexes.has(key) && canary.tables.has(idx.table)) hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} on ${idx.table} is gone: stable upserts that rely on it fail.` });
  }
  for (const [key, idx] of canary.indexes) {
    if (idx.unique && !stable.indexes.has(key) && stable.tables.has(idx.table)) hits.push({ rule: 'SC110', object: key, message: `A unique index ${key} appears on ${idx.table}: stable writes of duplicates fail.` });
  }
  return hits;
}
