/**
 * In-memory object store. Keys do not depend on the API version (as in etcd, one object is served
 * under every version of its kind); reads return deep copies stamped with the requested version.
 * Every write bumps one global resourceVersion.
 */
import { randomUUID } from 'node:crypto';
import { joinApiVersion, splitApiVersion } from './kube-resources.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  [key: string]: unknown;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

function keyOf(group: string, kind: string, namespace: string, name: string): string {
  return `${group}|${kind}|${namespace}|${name}`;
}

/** What the API layer needs of a store (so a dry run can stand in for the real one). */
export interface ObjectStore {
  readonly resourceVersion: string;
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  put(obj: KubeObject): KubeObject;
  delete(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
}

export class KubeStore implements ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 1;

  /** The resourceVersion of the last write (as a LIST reports it). */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    const { group } = splitApiVersion(apiVersion);
    const found = this.objects.get(keyOf(group, kind, namespace, name));
    return found ? withVersion(clone(found), apiVersion) : undefined;
  }

  /** All objects of a kind, in one namespace or (namespace undefined) in all, sorted by namespace/name. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const { group } = splitApiVersion(apiVersion);
    const prefix = `${group}|${kind}|${namespace === undefined ? '' : `${namespace}|`}`;
    const out: KubeObject[] = [];
    for (const [key, obj] of this.objects) if (key.startsWith(prefix)) out.push(withVersion(clone(obj), apiVersion));
    return out.sort((a, b) => keyName(a).localeCompare(keyName(b)));
  }

  /**
   * Stores an object as given (create or overwrite), filling server-owned metadata: uid and
   * creationTimestamp when new, generation 1, a fresh resourceVersion. For seeding and for the
   * API layer, which has already validated and merged it. Returns a copy of what was stored.
   */
  put(obj: KubeObject): KubeObject {
    const { group } = splitApiVersion(obj.apiVersion);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const key = keyOf(group, obj.kind, ns, name);
    const stored = clone(obj);
    const previous = this.objects.get(key);
    stored.metadata.uid = stored.metadata.uid ?? previous?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp =
      stored.metadata.creationTimestamp ?? previous?.metadata.creationTimestamp ?? rfc3339(new Date());
    stored.metadata.generation = stored.metadata.generation ?? previous?.metadata.generation ?? 1;
    this.revision += 1;
    stored.metadata.resourceVersion = String(this.revision);
    this.objects.set(key, stored);
    return clone(stored);
  }

  delete(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    const { group } = splitApiVersion(apiVersion);
    const key = keyOf(group, kind, namespace, name);
    const found = this.objects.get(key);
    if (!found) return undefined;
    this.objects.delete(key);
    this.revision += 1;
    return withVersion(clone(found), apiVersion);
  }

  /** Everything, for GET /_sim/state. */
  dump(): KubeObject[] {
    return [...this.objects.values()].map(clone);
  }
}

function keyName(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function withVersion(obj: KubeObject, apiVersion: string): KubeObject {
  const { group, version } = splitApiVersion(apiVersion);
  obj.apiVersion = joinApiVersion(group, version);
  return obj;
}

/** Kubernetes timestamps have second precision. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** dryRun=All: reads go to the real store, writes return what would be stored and change nothing. */
export class DryRunStore implements ObjectStore {
  private readonly real: ObjectStore;
  constructor(real: ObjectStore) {
    this.real = real;
  }
  get resourceVersion(): string {
    return this.real.resourceVersion;
  }
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.real.get(apiVersion, kind, namespace, name);
  }
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.real.list(apiVersion, kind, namespace);
  }
  put(obj: KubeObject): KubeObject {
    const previous = this.real.get(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const out = clone(obj);
    out.metadata.uid = out.metadata.uid ?? previous?.metadata.uid ?? randomUUID();
    out.metadata.creationTimestamp = out.metadata.creationTimestamp ?? previous?.metadata.creationTimestamp ?? rfc3339(new Date());
    out.metadata.generation = out.metadata.generation ?? previous?.metadata.generation ?? 1;
    out.metadata.resourceVersion = previous?.metadata.resourceVersion ?? this.real.resourceVersion;
    return out;
  }
  delete(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.real.get(apiVersion, kind, namespace, name);
  }
}
