/**
 * The three patch formats of the Kubernetes API: JSON merge patch (RFC 7386), strategic merge patch
 * (lists merged by key for the fields that matter to us) and JSON patch (RFC 6902).
 * Pure functions: they return a new document and throw PatchError on a patch that cannot apply.
 */
import { clone } from './kube-store.ts';

export class PatchError extends Error {
  /** 'invalid' → 422 (well-formed patch that does not apply); 'malformed' → 400. */
  readonly kind: 'invalid' | 'malformed';
  constructor(kind: 'invalid' | 'malformed', message: string) {
    super(message);
    this.name = 'PatchError';
    this.kind = kind;
  }
}

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Merge keys of the built-in list fields we care about (from the `patchMergeKey` tags of the Go
 * types). `ports` depends on where it sits: container ports merge by containerPort, service ports
 * by port. Lists not named here are replaced whole, as the server does for atomic lists.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports') {
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    // Directives kubectl sends alongside lists; ordering and retained keys do not change content here.
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) out[field] = current.filter((x) => !value.includes(x));
      continue;
    }
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      const current = out[key];
      const mergeKey = mergeKeyFor(key, [...value, ...(Array.isArray(current) ? current : [])]);
      out[key] = mergeKey && Array.isArray(current) ? mergeList(current, value, mergeKey) : clone(value).filter((i) => !(isObject(i) && i.$patch));
    } else if (isObject(value)) {
      const merged = strategicMergePatch(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  const out = clone(current);
  for (const item of patch) {
    if (!isObject(item) || !(mergeKey in item)) {
      throw new PatchError('invalid', `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const index = out.findIndex((x) => isObject(x) && x[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) {
      out[index] = strategicMergePatch(out[index], item);
    } else {
      const added = strategicMergePatch({}, item);
      out.push(added);
    }
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('malformed', 'json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('malformed', `invalid json patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, requireValue(op));
        break;
      case 'remove':
        doc = removeAt(doc, op.path).doc;
        break;
      case 'replace':
        getAt(doc, op.path); // must exist
        doc = addAt(removeAt(doc, op.path).doc, op.path, requireValue(op));
        break;
      case 'move': {
        const { doc: without, value } = removeAt(doc, requireFrom(op));
        doc = addAt(without, op.path, value);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, clone(getAt(doc, requireFrom(op))));
        break;
      case 'test': {
        const actual = getAt(doc, op.path);
        if (!deepEqual(actual, requireValue(op))) {
          throw new PatchError('invalid', `testing value ${op.path} failed: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(actual)}`);
        }
        break;
      }
      default:
        throw new PatchError('malformed', `unexpected json patch operation "${op.op}"`);
    }
  }
  return doc;
}

function requireValue(op: JsonPatchOp): Json {
  if (!('value' in op)) throw new PatchError('malformed', `json patch ${op.op} operation at ${op.path} has no value`);
  return op.value;
}
function requireFrom(op: JsonPatchOp): string {
  if (typeof op.from !== 'string') throw new PatchError('malformed', `json patch ${op.op} operation has no from`);
  return op.from;
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError('malformed', `invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const token of parsePointer(path)) {
    if (Array.isArray(cur) && /^\d+$/.test(token) && Number(token) < cur.length) cur = cur[Number(token)];
    else if (isObject(cur) && Object.hasOwn(cur, token)) cur = cur[token];
    else throw new PatchError('invalid', `path ${path} does not exist in the object`);
  }
  return cur;
}

function parentOf(doc: Json, path: string): { parent: Json; last: string } {
  const tokens = parsePointer(path);
  const last = tokens.pop();
  if (last === undefined) throw new PatchError('invalid', 'cannot address the document root here');
  const parentPath = tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return { parent: getAt(doc, parentPath), last };
}

function addAt(doc: Json, path: string, value: Json): Json {
  if (path === '') return clone(value);
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!/^\d+$/.test(last) && last !== '-') throw new PatchError('invalid', `invalid array index "${last}" in ${path}`);
    if (index > parent.length) throw new PatchError('invalid', `index ${index} out of range in ${path}`);
    parent.splice(index, 0, clone(value));
  } else if (isObject(parent)) {
    parent[last] = clone(value);
  } else {
    throw new PatchError('invalid', `parent of ${path} is not an object or array`);
  }
  return doc;
}

function removeAt(doc: Json, path: string): { doc: Json; value: Json } {
  const value = getAt(doc, path);
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return { doc, value };
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
