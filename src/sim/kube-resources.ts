/**
 * The resource types the simulator serves: built-in kinds declared here, custom kinds read from the
 * CRD files in ./crds (parsed once per simulator instance). Also renders the discovery documents
 * that client-node's KubernetesObjectApi reads to find plurals and scopes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export interface ResourceType {
  group: string; // '' for the core group
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Served versions, the storage (preferred) version first. */
  versions: string[];
  statusSubresource: boolean;
  scaleSubresource: boolean;
  /** Custom resources: openAPIV3Schema per served version. Built-ins use kubernetes-models. */
  crdSchemas?: Record<string, unknown>;
  /** Verbs discovery lists (default: the CRUD verbs). */
  verbs?: string[];
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

const BUILTIN: ResourceType[] = [
  builtin('apps', 'Deployment', 'deployments', true, ['deploy'], true, true),
  builtin('apps', 'ReplicaSet', 'replicasets', true, ['rs'], true, true),
  builtin('', 'Pod', 'pods', true, ['po'], true, false),
  builtin('', 'Service', 'services', true, ['svc'], true, false),
  builtin('', 'ConfigMap', 'configmaps', true, ['cm'], false, false),
  builtin('', 'Namespace', 'namespaces', false, ['ns'], true, false),
  builtin('coordination.k8s.io', 'Lease', 'leases', true, [], false, false),
  builtin('networking.k8s.io', 'Ingress', 'ingresses', true, ['ing'], true, false),
  // Create-only and never stored: answered by the authorizer (kube-rbac.ts).
  { ...builtin('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, [], false, false), verbs: ['create'] },
];

function builtin(
  group: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[],
  statusSubresource: boolean,
  scaleSubresource: boolean,
): ResourceType {
  return {
    group,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    versions: ['v1'],
    statusSubresource,
    scaleSubresource,
  };
}

export function crdDirectory(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'crds');
}

/**
 * A CRD as the simulator uses it. crds/crds.json holds these, generated from the YAML files by
 * crds/update-index.ts, because parsing the YAML costs ~0.5 s per simulator and JSON ~10 ms.
 */
export interface CrdIndexEntry {
  file: string;
  group: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  /** Served versions, storage version first. */
  versions: string[];
  statusSubresource: boolean;
  /** openAPIV3Schema per served version. */
  schemas: Record<string, unknown>;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: unknown };
  subresources?: { status?: unknown; scale?: unknown };
}
interface Crd {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string; singular?: string; shortNames?: string[] };
    versions: CrdVersion[];
  };
}

function readCrds(dir: string, file: string): Crd[] {
  return parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
    .map((d) => d.toJS() as Crd | null)
    .filter((c): c is Crd => c?.kind === 'CustomResourceDefinition');
}

/** Builds the index from the CRD files themselves (slow: parses every schema). */
export function buildCrdIndex(dir: string): CrdIndexEntry[] {
  const entries: CrdIndexEntry[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const crd of readCrds(dir, file)) {
      const { group, names, scope } = crd.spec;
      const served = crd.spec.versions
        .filter((v) => v.served !== false)
        .sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
      entries.push({
        file,
        group,
        kind: names.kind,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        shortNames: names.shortNames ?? [],
        namespaced: scope === 'Namespaced',
        versions: served.map((v) => v.name),
        statusSubresource: served.some((v) => v.subresources?.status !== undefined),
        schemas: Object.fromEntries(served.map((v) => [v.name, v.schema?.openAPIV3Schema ?? { type: 'object' }])),
      });
    }
  }
  return entries;
}

export const CRD_INDEX_FILE = 'crds.json';

export function readCrdIndex(dir: string): CrdIndexEntry[] {
  return JSON.parse(readFileSync(join(dir, CRD_INDEX_FILE), 'utf8')) as CrdIndexEntry[];
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Lookup of served types by group/version and plural or kind. */
export class ResourceRegistry {
  readonly types: ResourceType[];
  constructor(types: ResourceType[]) {
    this.types = types;
  }

  static create(opts: { servedSmiVersions?: string[] }): ResourceRegistry {
    const smi = opts.servedSmiVersions;
    const crds: ResourceType[] = [];
    for (const e of readCrdIndex(crdDirectory())) {
      const versions = e.versions.filter((v) => (e.group === 'split.smi-spec.io' && smi ? smi.includes(v) : true));
      if (versions.length === 0) continue;
      crds.push({
        group: e.group,
        kind: e.kind,
        plural: e.plural,
        singular: e.singular,
        namespaced: e.namespaced,
        shortNames: e.shortNames,
        versions,
        statusSubresource: e.statusSubresource,
        scaleSubresource: false,
        crdSchemas: e.schemas,
      });
    }
    return new ResourceRegistry([...BUILTIN, ...crds]);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.types.find((t) => t.group === group && t.kind === kind && t.versions.includes(version));
  }

  /** Any served version of the kind (for the store, whose keys do not depend on version). */
  byGroupKind(group: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.kind === kind);
  }

  servesGroupVersion(group: string, version: string): boolean {
    return this.types.some((t) => t.group === group && t.versions.includes(version));
  }

  // --- discovery documents ---

  apiVersions(): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  }

  apiGroupList(): object {
    const groups = new Map<string, { versions: Set<string>; preferred: string }>();
    for (const t of this.types) {
      if (!t.group) continue;
      const g = groups.get(t.group) ?? { versions: new Set<string>(), preferred: t.versions[0] ?? 'v1' };
      for (const v of t.versions) g.versions.add(v);
      groups.set(t.group, g);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups.entries()].map(([name, g]) => ({
        name,
        versions: [...g.versions].map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${g.preferred}`, version: g.preferred },
      })),
    };
  }

  apiGroup(group: string): object | undefined {
    const list = this.apiGroupList() as { groups: { name: string }[] };
    const found = list.groups.find((g) => g.name === group);
    return found ? { kind: 'APIGroup', apiVersion: 'v1', ...found } : undefined;
  }

  /** APIResourceList; the main resource precedes its subresources, as clients look kinds up in order. */
  apiResourceList(group: string, version: string): object {
    const resources: object[] = [];
    for (const t of this.types.filter((x) => x.group === group && x.versions.includes(version))) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs ?? VERBS,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      });
      if (t.scaleSubresource) {
        resources.push({
          name: `${t.plural}/scale`,
          singularName: '',
          namespaced: t.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (t.statusSubresource) {
        resources.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: joinApiVersion(group, version), resources };
  }
}
