/**
 * The Kubernetes permissions a rollout needs, as data: one entry per verb on a resource, with the
 * call that needs it. Taken from what the code calls (rollout/workloads.ts, rollout/lease-lock.ts,
 * the routers in this folder) and checked against the audit log of a real API server (issue 11).
 *
 * One source for three things: the namespaced Role per router in docs/rbac.md (a test renders
 * `roleFor()` and compares it with the document), the pre-write check through
 * SelfSubjectAccessReview (kube/access-review.ts), and the simulator's RBAC end-to-end tests.
 *
 * Not listed, because every authenticated user has them through the default ClusterRoles
 * `system:discovery` and `system:basic-user`: API discovery (`serves()`) and creating
 * SelfSubjectAccessReviews.
 */
import type { RouterKind } from './config.ts';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

export interface PermissionNeed {
  verb: Verb;
  /** API group ('' is the core group). */
  group: string;
  /** Resource (plural), as RBAC names it. */
  resource: string;
  /** The call that needs it, for the docs and for the error that names a missing one. */
  why: string;
  /** Needed only with `canary-cleanup: delete` (the Role grants it anyway so both settings work). */
  onlyWithCleanupDelete?: boolean;
}

/** Groups a kind was served under over time; a Role names all of them, a check accepts any. */
export const GROUP_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'traefik.io': ['traefik.io', 'traefik.containo.us'],
};

const need = (verb: Verb, group: string, resource: string, why: string, extra: Partial<PermissionNeed> = {}): PermissionNeed => ({
  verb,
  group,
  resource,
  why,
  ...extra,
});

/** What every rollout needs, whatever the router. */
const ROLLOUT_NEEDS: readonly PermissionNeed[] = [
  need('get', 'apps', 'deployments', 'read the stable and canary Deployments and the recorded rollout state'),
  need('create', 'apps', 'deployments', 'create the canary Deployment <name>-canary'),
  need('update', 'apps', 'deployments', 'bring an existing canary Deployment to the desired spec'),
  need('patch', 'apps', 'deployments', 'record the state annotation, set the image at promotion, scale the canary, add the track label'),
  need('delete', 'apps', 'deployments', 'delete the canary (canary-cleanup: delete, or a canary left with another selector)', {
    onlyWithCleanupDelete: true,
  }),
  need('list', '', 'pods', 'judge readiness from the pods (crash loops, image pull errors) and check that every stable pod carries the track label'),
  need('get', 'coordination.k8s.io', 'leases', 'read the lock of the target'),
  need('create', 'coordination.k8s.io', 'leases', 'take the lock canary-gate-<name>'),
  need('update', 'coordination.k8s.io', 'leases', 'renew the lock, or take over an expired one'),
  need('delete', 'coordination.k8s.io', 'leases', 'release the lock'),
];

/** The stable-only and canary-only Services of the Service-backed routers (services.ts). */
const TRACK_SERVICE_NEEDS: readonly PermissionNeed[] = [
  need('get', '', 'services', 'read the user Service and the per-version Services <service>-stable/-canary'),
  need('create', '', 'services', 'create the per-version Services <service>-stable and <service>-canary'),
  need('patch', '', 'services', 'bring the per-version Services in line with the user Service (selector, ports)'),
  need('delete', '', 'services', 'delete the per-version Services after the rollout'),
];

/** What each router calls, beyond ROLLOUT_NEEDS. */
const ROUTER_NEEDS: Readonly<Record<RouterKind, readonly PermissionNeed[]>> = {
  istio: [
    need('get', 'networking.istio.io', 'virtualservices', 'read the VirtualService routes'),
    need('update', 'networking.istio.io', 'virtualservices', 'write the stable/canary weights of the routes'),
    need('get', 'networking.istio.io', 'destinationrules', 'read the stable/canary subsets'),
    need('create', 'networking.istio.io', 'destinationrules', 'create the DestinationRule when there is none'),
    need('update', 'networking.istio.io', 'destinationrules', 'add the stable/canary subsets when they are missing, remove them after'),
    need('delete', 'networking.istio.io', 'destinationrules', 'delete the DestinationRule canary-gate created'),
  ],
  nginx: [
    ...TRACK_SERVICE_NEEDS,
    need('get', 'networking.k8s.io', 'ingresses', 'read the stable Ingress and the canary Ingress'),
    need('list', 'networking.k8s.io', 'ingresses', 'refuse when another canary Ingress claims the same host and path'),
    need('create', 'networking.k8s.io', 'ingresses', 'create the canary Ingress <ingress>-canary'),
    need('update', 'networking.k8s.io', 'ingresses', 'point the stable Ingress paths at <service>-stable and back'),
    need('patch', 'networking.k8s.io', 'ingresses', 'set canary-weight on the canary Ingress'),
    need('delete', 'networking.k8s.io', 'ingresses', 'delete the canary Ingress after the rollout'),
  ],
  'gateway-api': [
    ...TRACK_SERVICE_NEEDS,
    need('get', 'gateway.networking.k8s.io', 'httproutes', 'read the HTTPRoute rules'),
    need('update', 'gateway.networking.k8s.io', 'httproutes', 'write the weighted backendRefs of the rules'),
  ],
  traefik: [
    ...TRACK_SERVICE_NEEDS,
    need('get', 'traefik.io', 'traefikservices', 'read the weighted TraefikService'),
    need('update', 'traefik.io', 'traefikservices', 'write the stable/canary weights'),
  ],
  smi: [
    ...TRACK_SERVICE_NEEDS,
    need('get', 'split.smi-spec.io', 'trafficsplits', 'read the TrafficSplit'),
    need('create', 'split.smi-spec.io', 'trafficsplits', 'create the TrafficSplit when there is none'),
    need('update', 'split.smi-spec.io', 'trafficsplits', 'write the stable/canary weights'),
    need('delete', 'split.smi-spec.io', 'trafficsplits', 'delete the TrafficSplit canary-gate created'),
  ],
  replicas: [need('get', '', 'services', 'check that the user Service selects the stable pods')],
};

/** Every permission a rollout with router `kind` may use (for the check: those its settings need). */
export function permissionsFor(kind: RouterKind, opts: { cleanup?: 'scale-to-zero' | 'delete' } = {}): PermissionNeed[] {
  const all = [...ROLLOUT_NEEDS, ...ROUTER_NEEDS[kind]];
  return opts.cleanup === undefined || opts.cleanup === 'delete' ? all : all.filter((n) => !n.onlyWithCleanupDelete);
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
}

export interface Role {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'Role';
  metadata: { name: string; namespace: string };
  rules: PolicyRule[];
}

const VERB_ORDER: readonly Verb[] = ['get', 'list', 'create', 'update', 'patch', 'delete'];

/** One rule per resource, in first-need order, verbs in a fixed order. */
function policyRules(needs: readonly PermissionNeed[]): PolicyRule[] {
  const rules = new Map<string, { group: string; resource: string; verbs: Set<Verb> }>();
  for (const n of needs) {
    const key = `${n.group}/${n.resource}`;
    const rule = rules.get(key) ?? { group: n.group, resource: n.resource, verbs: new Set<Verb>() };
    rule.verbs.add(n.verb);
    rules.set(key, rule);
  }
  return [...rules.values()].map((r) => ({
    apiGroups: [...(GROUP_ALIASES[r.group] ?? [r.group])],
    resources: [r.resource],
    verbs: VERB_ORDER.filter((v) => r.verbs.has(v)),
  }));
}

/** The namespaced Role docs/rbac.md documents for router `kind` (every setting covered). */
export function roleFor(kind: RouterKind, namespace: string, name = `canary-gate-${kind}`): Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules: policyRules(permissionsFor(kind)),
  };
}

/** `patch deployments.apps`: how kubectl and the API server's messages name a verb on a resource. */
export function describeNeed(n: { verb: string; group: string; resource: string }): string {
  return `${n.verb} ${n.resource}${n.group ? `.${n.group}` : ''}`;
}
