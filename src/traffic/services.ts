/**
 * The stable-only and canary-only Services the Service-backed routers (nginx, Gateway API, Traefik,
 * SMI) send weighted traffic to, and the check that stable pods can be told apart from canary pods.
 *
 * The user's Service (`web`, selector e.g. app=web) also selects the canary pods, which carry the
 * stable's labels; it is never modified. `web-stable` selects the same labels plus
 * `canary-gate.io/track: stable` (which the stable pod template carries permanently), `web-canary`
 * the same labels plus `canary-gate.io/track: canary`. Both are labelled managed-by canary-gate and
 * only such Services are ever updated or deleted.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { RouterError, createIfAbsent, isManaged, managedLabels, refTo } from './common.ts';
import { TRACK_LABEL, type RouterTarget } from './router.ts';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface ServiceObject extends KubeObject {
  spec?: { selector?: Record<string, string>; ports?: ServicePort[]; type?: string; [key: string]: unknown };
}

export interface DeploymentObject extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
    [key: string]: unknown;
  };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

const serviceRef = (namespace: string, name: string) => refTo('v1', 'Service', namespace, name);
export const deploymentRef = (namespace: string, name: string) => refTo('apps/v1', 'Deployment', namespace, name);

/**
 * Fails unless every stable pod carries `canary-gate.io/track: stable`: the label is in the stable
 * pod template, and no running pod of the stable Deployment lacks it. Routing a share to a
 * stable-only backend before that would send it to fewer pods (or none).
 *
 * Judged from the pods, not from `metadata.generation`: a real API server bumps a Deployment's
 * generation for an annotation change too (deploymentStrategy.PrepareForUpdate), so right after the
 * rollout writes its state annotation `observedGeneration < generation` says nothing about labels.
 * The status is used only once the controller has observed the current generation.
 */
export async function checkStableTrackLabel(router: string, kube: KubeApi, target: RouterTarget): Promise<void> {
  const ref = deploymentRef(target.namespace, target.stable);
  const dep = await kube.get<DeploymentObject>(ref);
  if (!dep) {
    throw new RouterError(router, `stable Deployment ${target.namespace}/${target.stable} not found; check the target name and namespace.`);
  }
  const value = dep.spec?.template?.metadata?.labels?.[TRACK_LABEL];
  if (value !== 'stable') {
    throw new RouterError(
      router,
      `the pod template of Deployment ${target.namespace}/${target.stable} must carry the label ${TRACK_LABEL}: stable ` +
        `(found ${value === undefined ? 'no such label' : `"${value}"`}) so that stable pods can be routed apart from canary pods; ` +
        'add it to your manifest (or let the rollout add it once, which restarts the stable pods with the same image).',
    );
  }
  const desired = dep.spec?.replicas ?? 1;
  const selector = Object.entries(dep.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await kube.list<PodObject>('v1', 'Pod', target.namespace, selector);
  const unlabelled = pods.filter(
    (p) =>
      p.metadata.labels?.[TRACK_LABEL] !== 'canary' &&
      p.metadata.labels?.[TRACK_LABEL] !== 'stable' &&
      p.metadata.deletionTimestamp === undefined &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  );
  const st = dep.status ?? {};
  const observed = (st.observedGeneration ?? 0) >= (dep.metadata.generation ?? 0);
  if (unlabelled.length > 0 || (observed && (st.updatedReplicas ?? 0) < desired)) {
    const found = unlabelled.length > 0 ? `${unlabelled.length} running pod(s) without it` : `${st.updatedReplicas ?? 0}/${desired} pods updated`;
    throw new RouterError(
      router,
      `Deployment ${target.namespace}/${target.stable} has not finished rolling out the ${TRACK_LABEL}: stable label ` +
        `(${found}); wait for it before shifting traffic.`,
    );
  }
}

interface PodObject extends KubeObject {
  status?: { phase?: string };
}

/** The user's Service: it must exist and select pods by label. */
export async function readUserService(router: string, kube: KubeApi, namespace: string, name: string): Promise<ServiceObject> {
  const svc = await kube.get<ServiceObject>(serviceRef(namespace, name));
  if (!svc) {
    throw new RouterError(router, `Service ${namespace}/${name} not found; set routing.service to the Service in front of the stable pods.`);
  }
  const selector = svc.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    throw new RouterError(router, `Service ${namespace}/${name} has no selector; canary-gate needs a selector-based Service to derive stable and canary Services.`);
  }
  if (selector[TRACK_LABEL] !== undefined) {
    throw new RouterError(
      router,
      `Service ${namespace}/${name} selects ${TRACK_LABEL}=${selector[TRACK_LABEL]}; routing.service must be the Service that selects all versions (the router creates the per-version Services).`,
    );
  }
  return svc;
}

function trackService(user: ServiceObject, name: string, track: 'stable' | 'canary'): ServiceObject {
  const ports = (user.spec?.ports ?? []).map((p) => {
    const out: ServicePort = { port: p.port };
    if (p.name !== undefined) out.name = p.name;
    if (p.targetPort !== undefined) out.targetPort = p.targetPort;
    if (p.protocol !== undefined) out.protocol = p.protocol;
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: user.metadata.namespace,
      labels: managedLabels({ [TRACK_LABEL]: track }),
      annotations: { 'canary-gate.io/derived-from': user.metadata.name ?? '' },
    },
    spec: { type: 'ClusterIP', selector: { ...(user.spec?.selector ?? {}), [TRACK_LABEL]: track }, ports },
  };
}

/** Checks that an existing per-version Service selects the right pods; says what to change when not. */
function checkTrackService(router: string, svc: ServiceObject, user: ServiceObject, track: 'stable' | 'canary'): void {
  const sel = svc.spec?.selector ?? {};
  const want = { ...(user.spec?.selector ?? {}), [TRACK_LABEL]: track };
  const wrong = Object.entries(want).filter(([k, v]) => sel[k] !== v);
  if (wrong.length > 0) {
    throw new RouterError(
      router,
      `Service ${svc.metadata.namespace}/${svc.metadata.name} must select ${fmt(want)} (found ${fmt(sel)}); ` +
        (isManaged(svc) ? 'it will be corrected by prepare().' : 'fix its selector or delete it so that canary-gate creates it.'),
    );
  }
}

function fmt(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : '(nothing)';
}

/**
 * Creates `<service>-stable` and `<service>-canary` when missing, and brings our own copies back in
 * line with the user's Service (selector, ports). Services not made by canary-gate are only checked.
 */
export async function ensureTrackServices(
  router: string,
  kube: KubeApi,
  namespace: string,
  names: { service: string; stableService: string; canaryService: string },
  log: (line: string) => void,
): Promise<void> {
  const user = await readUserService(router, kube, namespace, names.service);
  for (const [name, track] of [
    [names.stableService, 'stable'],
    [names.canaryService, 'canary'],
  ] as const) {
    const want = trackService(user, name, track);
    let have = await kube.get<ServiceObject>(serviceRef(namespace, name));
    if (!have) {
      if (await createIfAbsent(kube, want)) {
        log(`created Service ${namespace}/${name} selecting ${fmt(want.spec?.selector ?? {})}`);
        continue;
      }
      have = await kube.get<ServiceObject>(serviceRef(namespace, name));
      if (!have) continue;
    }
    if (!isManaged(have)) {
      checkTrackService(router, have, user, track);
      continue;
    }
    // Merge patch: the selector map is merged key by key, ports (a list) replaced whole.
    await kube.patch(serviceRef(namespace, name), { spec: { selector: want.spec?.selector, ports: want.spec?.ports } }, 'merge');
  }
}

/** Deletes the per-version Services canary-gate created; leaves any others alone. */
export async function deleteTrackServices(
  kube: KubeApi,
  namespace: string,
  names: { stableService: string; canaryService: string },
  log: (line: string) => void,
): Promise<void> {
  for (const name of [names.stableService, names.canaryService]) {
    const have = await kube.get(serviceRef(namespace, name));
    if (have && isManaged(have) && (await kube.delete(serviceRef(namespace, name)))) log(`deleted Service ${namespace}/${name}`);
  }
}

/** verify() helper: both per-version Services exist (or will be created by prepare()) and select correctly. */
export async function verifyTrackServices(
  router: string,
  kube: KubeApi,
  namespace: string,
  names: { service: string; stableService: string; canaryService: string },
): Promise<void> {
  const user = await readUserService(router, kube, namespace, names.service);
  for (const [name, track] of [
    [names.stableService, 'stable'],
    [names.canaryService, 'canary'],
  ] as const) {
    const have = await kube.get<ServiceObject>(serviceRef(namespace, name));
    if (have && !isManaged(have)) checkTrackService(router, have, user, track);
  }
}
