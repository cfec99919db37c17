/**
 * The verbs of the Kubernetes API over the store, independent of HTTP: create, get, list, replace,
 * patch and delete, with the server's rules — server-owned metadata, generation bumped per kind as
 * the registry strategies do (kube-generation.ts), status written only through /status, optimistic
 * concurrency, defaults, validation.
 * Every rejection is a KubeApiError carrying the Status a real server would send.
 */
import { parse as parseYaml } from 'yaml';
import { applyDefaults } from './kube-defaults.ts';
import { nextGeneration } from './kube-generation.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  KubeApiError,
  notFound,
} from './kube-errors.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './kube-patch.ts';
import { joinApiVersion, type ResourceRegistry, type ResourceType } from './kube-resources.ts';
import { parseLabelSelector, selectorToString, type LabelSelectorObject } from './kube-selector.ts';
import { clone, DryRunStore, type KubeObject, type ObjectStore, rfc3339 } from './kube-store.ts';
import type { ObjectValidator } from './validation.ts';

export type Subresource = 'status' | 'scale' | undefined;

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface Target {
  type: ResourceType;
  version: string;
  namespace: string; // '' for cluster-scoped kinds
}

export class KubeApi {
  private readonly store: ObjectStore;
  readonly validator: ObjectValidator;
  private readonly registry: ResourceRegistry;
  private serviceIps = 0;

  constructor(registry: ResourceRegistry, store: ObjectStore, validator: ObjectValidator) {
    this.registry = registry;
    this.store = store;
    this.validator = validator;
  }

  /** The same API over a store that keeps nothing: dryRun=All validates and answers, writes nothing. */
  dryRun(): KubeApi {
    return new KubeApi(this.registry, new DryRunStore(this.store), this.validator);
  }

  exists(t: Target, name: string): boolean {
    return this.store.get(apiVersionOf(t), t.type.kind, t.namespace, name) !== undefined;
  }

  get(t: Target, name: string, subresource?: Subresource): KubeObject {
    const obj = this.mustGet(t, name);
    return subresource === 'scale' ? toScale(obj) : obj;
  }

  list(t: Target | Omit<Target, 'namespace'>, query: { labelSelector?: string | null; fieldSelector?: string | null }): object {
    const namespace = 'namespace' in t && t.type.namespaced ? t.namespace : undefined;
    const matchLabels = parseLabelSelector(query.labelSelector);
    const matchFields = parseFieldSelector(query.fieldSelector, t.type.kind);
    const items = this.store
      .list(apiVersionOf(t), t.type.kind, namespace)
      .filter((o) => matchLabels(o.metadata.labels) && matchFields(o));
    return {
      apiVersion: apiVersionOf(t),
      kind: `${t.type.kind}List`,
      metadata: { resourceVersion: this.store.resourceVersion },
      items,
    };
  }

  create(t: Target, body: unknown): KubeObject {
    const obj = this.checkBody(t, body, undefined);
    if (obj.metadata.resourceVersion) {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    }
    if (t.type.statusSubresource) delete obj.status;
    delete obj.metadata.uid;
    delete obj.metadata.creationTimestamp;
    obj.metadata.generation = 1;
    applyDefaults(obj, undefined, () => this.nextServiceIp());
    this.validate(t, obj);
    const name = obj.metadata.name ?? '';
    if (this.store.get(apiVersionOf(t), t.type.kind, t.namespace, name)) {
      throw alreadyExists(t.type.plural, t.type.group, name);
    }
    this.ensureNamespace(t.namespace);
    return this.store.put(obj);
  }

  replace(t: Target, name: string, body: unknown, subresource?: Subresource): KubeObject {
    const existing = this.mustGet(t, name);
    if (subresource === 'scale') return this.writeScale(t, existing, body);
    const candidate = this.checkBody(t, body, name);
    return this.update(t, existing, candidate, subresource);
  }

  patch(
    t: Target,
    name: string,
    contentType: string,
    rawBody: string,
    opts: { subresource?: Subresource; fieldManager?: string | null },
  ): KubeObject {
    const kind = patchKind(contentType);
    if (!kind || (kind === 'strategic' && t.type.crdSchemas)) {
      throw new KubeApiError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchTypes(t.type).join(', ')}`,
      );
    }
    if (kind === 'apply' && !opts.fieldManager) {
      throw badRequest('PATCH /apply requests require a fieldManager (query parameter fieldManager)');
    }
    const patch = parseBody(rawBody, kind === 'apply');
    const current = this.store.get(apiVersionOf(t), t.type.kind, t.namespace, name);
    if (!current) {
      if (kind === 'apply' && !opts.subresource) return this.create(t, { ...(patch as object), metadata: { ...((patch as KubeObject).metadata ?? {}), name } });
      throw notFound(t.type.plural, t.type.group, t.type.kind, name);
    }
    const base: unknown = opts.subresource === 'scale' ? toScale(current) : current;
    let patched: unknown;
    try {
      if (kind === 'json') patched = jsonPatch(base, patch);
      else if (kind === 'merge' || (kind === 'apply' && t.type.crdSchemas)) patched = mergePatch(base, patch);
      else patched = strategicMergePatch(base, patch);
    } catch (err) {
      if (!(err instanceof PatchError)) throw err;
      if (err.kind === 'malformed') throw badRequest(err.message);
      throw new KubeApiError('Invalid', err.message, { name, group: t.type.group, kind: t.type.plural, causes: [] });
    }
    if (opts.subresource === 'scale') return this.writeScale(t, current, patched);
    const candidate = this.checkBody(t, patched, name);
    return this.update(t, current, candidate, opts.subresource);
  }

  delete(t: Target, name: string, body: unknown): object {
    const existing = this.mustGet(t, name);
    const preconditions = (body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)?.preconditions;
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(t.type.plural, t.type.group, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`);
    }
    if (preconditions?.uid && preconditions.uid !== existing.metadata.uid) {
      throw conflict(t.type.plural, t.type.group, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
    const deleted = this.store.delete(apiVersionOf(t), t.type.kind, t.namespace, name);
    // Pods come back as the object (as kubelet-managed objects do); the rest as a Success Status.
    if (t.type.kind === 'Pod' && deleted) return deleted;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: t.type.group, kind: t.type.plural, uid: existing.metadata.uid },
    };
  }

  // --- internals ---

  private mustGet(t: Target, name: string): KubeObject {
    const obj = this.store.get(apiVersionOf(t), t.type.kind, t.namespace, name);
    if (!obj) throw notFound(t.type.plural, t.type.group, t.type.kind, name);
    return obj;
  }

  /** Common to PUT and PATCH: optimistic concurrency, status/spec separation, generation. */
  private update(t: Target, existing: KubeObject, candidate: KubeObject, subresource: Subresource): KubeObject {
    const name = existing.metadata.name ?? '';
    const rv = candidate.metadata.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) {
      throw conflict(t.type.plural, t.type.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    let next: KubeObject;
    if (subresource === 'status') {
      next = clone(existing);
      if (candidate.status === undefined) delete next.status;
      else next.status = candidate.status;
    } else {
      next = candidate;
      if (t.type.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = clone(existing.status);
      }
    }
    next.metadata = {
      ...next.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      generation: existing.metadata.generation ?? 1,
    };
    delete next.metadata.resourceVersion;
    // Defaults first: the real server defaults on decode, before the strategy compares old and new.
    applyDefaults(next, existing, () => this.nextServiceIp());
    this.validator.prune(next, t.type, t.version);
    this.validator.applyDefaults(next, t.type, t.version);
    next.metadata.generation = nextGeneration(t.type, existing, next, subresource === 'status');
    this.validate(t, next);
    return this.store.put(next);
  }

  private writeScale(t: Target, existing: KubeObject, body: unknown): KubeObject {
    const name = existing.metadata.name ?? '';
    if (!isObject(body)) throw badRequest('the body of a Scale must be a JSON object');
    const scale = body as unknown as KubeObject;
    if (scale.kind !== undefined && scale.kind !== 'Scale') throw badRequest(`Scale expected, got kind ${String(scale.kind)}`);
    if (scale.metadata?.name !== undefined && scale.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(scale.metadata.name)}) does not match the name on the URL (${name})`);
    }
    const causes = this.validator.validateScale({ ...scale, apiVersion: scale.apiVersion ?? 'autoscaling/v1', kind: 'Scale', metadata: scale.metadata ?? {} });
    if (causes.length) throw invalid('Scale', 'autoscaling', name, causes);
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) {
      throw conflict(t.type.plural, t.type.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const replicas = (scale.spec as { replicas?: number } | undefined)?.replicas ?? 0;
    const next = clone(existing);
    (next.spec as { replicas?: number }).replicas = replicas;
    delete next.metadata.resourceVersion;
    next.metadata.generation = nextGeneration(t.type, existing, next, false);
    return toScale(this.store.put(next));
  }

  /** Body shape checks a real server does before validation (400 BadRequest). */
  private checkBody(t: Target, body: unknown, urlName: string | undefined): KubeObject {
    if (!isObject(body)) throw badRequest(`the body of the request must be a JSON object describing a ${t.type.kind}`);
    const obj = clone(body) as KubeObject;
    const expectedApiVersion = apiVersionOf(t);
    obj.apiVersion = obj.apiVersion ?? expectedApiVersion;
    obj.kind = obj.kind ?? t.type.kind;
    if (obj.kind !== t.type.kind || obj.apiVersion !== expectedApiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectedApiVersion}) or kind (${String(obj.kind)}) is not ${t.type.kind}`);
    }
    if (!isObject(obj.metadata)) obj.metadata = {};
    if (urlName !== undefined) {
      if (obj.metadata.name === undefined) obj.metadata.name = urlName;
      if (obj.metadata.name !== urlName) {
        throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${urlName})`);
      }
    }
    if (t.type.namespaced) {
      if (obj.metadata.namespace === undefined || obj.metadata.namespace === '') obj.metadata.namespace = t.namespace;
      if (obj.metadata.namespace !== t.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  /** Prune, default, validate: the order of the API server's decoding of a custom resource. */
  private validate(t: Target, obj: KubeObject): void {
    this.validator.prune(obj, t.type, t.version);
    this.validator.applyDefaults(obj, t.type, t.version);
    const causes = this.validator.validate(obj, t.type, t.version);
    if (causes.length) throw invalid(t.type.kind, t.type.group, obj.metadata.name ?? '', causes);
  }

  /** Namespaces exist implicitly: the first object written into one creates it. */
  private ensureNamespace(namespace: string): void {
    if (!namespace || this.store.get('v1', 'Namespace', '', namespace)) return;
    this.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }

  private nextServiceIp(): string {
    this.serviceIps += 1;
    return `10.96.${Math.floor(this.serviceIps / 250) % 250}.${(this.serviceIps % 250) + 1}`;
  }

  get types(): ResourceRegistry {
    return this.registry;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function apiVersionOf(t: { type: ResourceType; version: string }): string {
  return joinApiVersion(t.type.group, t.version);
}

function patchKind(contentType: string): keyof typeof PATCH_TYPES | undefined {
  const media = contentType.split(';')[0]?.trim().toLowerCase();
  return (Object.keys(PATCH_TYPES) as (keyof typeof PATCH_TYPES)[]).find((k) => PATCH_TYPES[k] === media);
}

function acceptedPatchTypes(type: ResourceType): string[] {
  const all = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
  return type.crdSchemas ? all : [...all, PATCH_TYPES.strategic];
}

export function parseBody(raw: string, yaml = false): unknown {
  try {
    return yaml ? parseYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
}

function parseFieldSelector(selector: string | null | undefined, kind: string): (o: KubeObject) => boolean {
  const terms = (selector ?? '').split(',').map((s) => s.trim()).filter((s) => s);
  const checks = terms.map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    const field = m?.[1];
    if (!m || !field) throw badRequest(`invalid field selector: '${term}'`);
    const get = fieldGetter(field, kind);
    const want = m[3] ?? '';
    return (o: KubeObject) => (m[2] === '!=' ? get(o) !== want : get(o) === want);
  });
  return (o) => checks.every((c) => c(o));
}

function fieldGetter(field: string, kind: string): (o: KubeObject) => string {
  if (field === 'metadata.name') return (o) => o.metadata.name ?? '';
  if (field === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
  if (kind === 'Pod' && field === 'status.phase') return (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '');
  throw badRequest(`field label not supported: ${field}`);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelectorObject };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp ?? rfc3339(new Date()),
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorToString(spec.selector) },
  };
}
