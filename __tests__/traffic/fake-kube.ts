/**
 * A small in-memory KubeApi for router unit tests: optimistic concurrency on replace (409 on a stale
 * resourceVersion), JSON merge patch, strategic merge patch refused for custom resources (as the real
 * API server does), equality label selectors, and a discovery table for `serves`.
 */
import { KubeApiError } from '../../src/kube/errors.ts';
import type { KubeApi, KubeObject, ObjectRef, PatchType } from '../../src/kube/types.ts';
import type { ObjectReader } from '../../src/sim/traffic-routing.ts';

const BUILTIN_GROUPS = new Set(['', 'apps', 'networking.k8s.io', 'coordination.k8s.io']);

function group(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group(apiVersion)}|${kind}|${namespace ?? ''}|${name}`;
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export interface FakeCall {
  verb: 'get' | 'list' | 'create' | 'replace' | 'patch' | 'delete' | 'serves';
  apiVersion?: string;
  kind: string;
  name?: string;
  patchType?: PatchType;
}

export class FakeKube implements KubeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: FakeCall[] = [];
  /** apiVersion|kind pairs the fake serves; everything stored is served too. */
  readonly served = new Set<string>();
  private rv = 100;
  /** The next N replace calls fail with 409 after a "concurrent" write bumps the resourceVersion. */
  conflictsToInject = 0;
  /** Called before each create: lets a test play a concurrent creator. */
  beforeCreate: ((obj: KubeObject) => void) | undefined;
  /** Writes for which this returns true fail with 403 Forbidden, as RBAC would refuse them. */
  forbid: ((call: FakeCall) => boolean) | undefined;

  private record(call: FakeCall): void {
    this.calls.push(call);
    if (call.verb !== 'get' && call.verb !== 'list' && call.verb !== 'serves' && this.forbid?.(call)) {
      throw new KubeApiError(`${call.verb} ${call.kind} ${call.name ?? ''}: forbidden`, { status: 403, k8sReason: 'Forbidden' });
    }
  }

  constructor(objects: KubeObject[] = [], served: string[] = []) {
    for (const o of objects) this.put(o);
    for (const s of served) this.served.add(s);
  }

  /** Seeds or overwrites an object, stamping a fresh resourceVersion. */
  put<T extends KubeObject>(obj: T): T {
    const copy = structuredClone(obj);
    copy.metadata.resourceVersion = String(++this.rv);
    copy.metadata.generation = copy.metadata.generation ?? 1;
    this.objects.set(key(copy.apiVersion, copy.kind, copy.metadata.namespace, copy.metadata.name ?? ''), copy);
    return structuredClone(copy);
  }

  peek<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string, name: string): T | undefined {
    const o = this.objects.get(key(apiVersion, kind, namespace, name));
    return o ? (structuredClone(o) as T) : undefined;
  }

  /**
   * Synchronous reader over the stored objects, in the shape the simulator's data plane reads
   * (src/sim/traffic-routing.ts). Plays the ReplicaSet controller and kubelet for it: each Deployment
   * has `status.readyReplicas` ready pods with its template's labels, owned by ReplicaSet
   * `<deployment>-<pod-template-hash>`.
   */
  reader(): ObjectReader {
    const pods = (): KubeObject[] =>
      [...this.objects.values()]
        .filter((o) => o.kind === 'Deployment')
        .flatMap((d) => {
          const ready = (d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
          const labels = (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels ?? {};
          return Array.from({ length: ready }, (_, i): KubeObject => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: `${d.metadata.name}-h1-${i}`,
              namespace: d.metadata.namespace,
              labels: { ...labels, 'pod-template-hash': 'h1' },
              ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${d.metadata.name}-h1`, uid: `rs-${d.metadata.name}`, controller: true }],
            },
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
          }));
        });
    return {
      get: (a, k, ns, n) => this.peek(a, k, ns, n),
      list: (a, k, ns) =>
        (k === 'Pod' && group(a) === '' ? pods() : [...this.objects.values()])
          .filter((o) => group(o.apiVersion) === group(a) && o.kind === k && (ns === undefined || o.metadata.namespace === ns))
          .map((o) => structuredClone(o)),
      servedVersion: (g, k) => {
        if (BUILTIN_GROUPS.has(g)) return 'v1';
        const served = [...this.served].find((s) => s.endsWith(`|${k}`) && group(s.split('|')[0] ?? '') === g);
        return served ? (served.split('|')[0] ?? '').slice(g.length + 1) : undefined;
      },
    };
  }

  /** Plays the Deployment controller: every Deployment's status catches up with spec.replicas. */
  settleDeployments(): void {
    for (const o of this.objects.values()) {
      if (o.kind !== 'Deployment') continue;
      const spec = o.spec as { replicas?: number };
      const n = spec.replicas ?? 1;
      o.status = { observedGeneration: o.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n };
    }
  }

  writes(): FakeCall[] {
    return this.calls.filter((c) => c.verb === 'create' || c.verb === 'replace' || c.verb === 'patch' || c.verb === 'delete');
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    this.calls.push({ verb: 'get', apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
    const o = this.objects.get(key(ref.apiVersion, ref.kind, ref.namespace, ref.name));
    return o ? ({ ...structuredClone(o), apiVersion: ref.apiVersion } as T) : undefined;
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<T[]> {
    this.calls.push({ verb: 'list', apiVersion, kind });
    const wanted = (labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => p.split('=') as [string, string]);
    return [...this.objects.values()]
      .filter((o) => group(o.apiVersion) === group(apiVersion) && o.kind === kind && o.metadata.namespace === namespace)
      .filter((o) => wanted.every(([k, v]) => o.metadata.labels?.[k] === v))
      .map((o) => ({ ...structuredClone(o), apiVersion }) as T);
  }

  async create<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    this.record({ verb: 'create', apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name });
    this.beforeCreate?.(obj);
    const k = key(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    if (this.objects.has(k)) throw new KubeApiError(`create ${obj.kind} ${obj.metadata.name}: already exists`, { status: 409, k8sReason: 'AlreadyExists' });
    const copy = structuredClone(obj);
    delete copy.metadata.resourceVersion;
    copy.metadata.generation = 1;
    return this.put(copy);
  }

  async replace<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    this.record({ verb: 'replace', apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name });
    const k = key(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    const current = this.objects.get(k);
    if (!current) throw new KubeApiError(`replace ${obj.kind} ${obj.metadata.name}: not found`, { status: 404 });
    if (this.conflictsToInject > 0) {
      this.conflictsToInject -= 1;
      current.metadata.resourceVersion = String(++this.rv); // someone else wrote meanwhile
    }
    if (obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new KubeApiError(`replace ${obj.kind} ${obj.metadata.name}: the object has been modified`, { status: 409, k8sReason: 'Conflict' });
    }
    return this.put({ ...structuredClone(obj), metadata: { ...obj.metadata, generation: current.metadata.generation } });
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType): Promise<T> {
    this.record({ verb: 'patch', apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, patchType: type });
    if (type === 'strategic' && !BUILTIN_GROUPS.has(group(ref.apiVersion))) {
      throw new KubeApiError(`patch ${ref.kind} ${ref.name}: strategic merge patch is not supported for custom resources`, { status: 415 });
    }
    if (type === 'apply') throw new KubeApiError('the fake does not implement server-side apply', { status: 415 });
    const k = key(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    const current = this.objects.get(k);
    if (!current) throw new KubeApiError(`patch ${ref.kind} ${ref.name}: not found`, { status: 404 });
    const merged = mergePatch(current, patch) as T;
    return this.put({ ...merged, metadata: { ...merged.metadata, generation: current.metadata.generation } });
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.record({ verb: 'delete', apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
    return this.objects.delete(key(ref.apiVersion, ref.kind, ref.namespace, ref.name));
  }

  async serves(apiVersion: string, kind: string): Promise<boolean> {
    this.calls.push({ verb: 'serves', kind });
    return this.served.has(`${apiVersion}|${kind}`);
  }
}

/** Stable Deployment `web` whose pod template carries the stable track label and is rolled out. */
export function stableDeployment(opts: { name?: string; namespace?: string; replicas?: number; labelled?: boolean } = {}): KubeObject {
  const name = opts.name ?? 'web';
  const replicas = opts.replicas ?? 4;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace ?? 'prod', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...(opts.labelled === false ? {} : { 'canary-gate.io/track': 'stable' }) } },
        spec: { containers: [{ name: 'app', image: `${name}:1` }] },
      },
    },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas },
  };
}

export function canaryDeployment(opts: { name?: string; namespace?: string; replicas?: number } = {}): KubeObject {
  const name = opts.name ?? 'web';
  const replicas = opts.replicas ?? 0;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-canary`, namespace: opts.namespace ?? 'prod', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name, 'canary-gate.io/track': 'canary' } },
      template: {
        metadata: { labels: { app: name, 'canary-gate.io/track': 'canary' } },
        spec: { containers: [{ name: 'app', image: `${name}:2` }] },
      },
    },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas },
  };
}

export function userService(opts: { name?: string; namespace?: string } = {}): KubeObject {
  const name = opts.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'prod' },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

export const TARGET = { namespace: 'prod', stable: 'web', canary: 'web-canary' };

export function quietLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}
