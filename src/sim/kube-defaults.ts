/**
 * The defaults the API server fills in on write, for the fields a client might read back and compare
 * (replicas, strategy, progressDeadlineSeconds, container pull policy, service ports...). Applied
 * before validation and only where the field has the right shape, so validation still sees bad input.
 */
import type { KubeObject } from './kube-store.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

export function applyDefaults(obj: KubeObject, existing: KubeObject | undefined, nextServiceIp: () => string): void {
  if (obj.kind === 'Deployment' && isObj(obj.spec)) defaultDeployment(obj.spec);
  if (obj.kind === 'Pod' && isObj(obj.spec)) defaultPodSpec(obj.spec);
  if (obj.kind === 'Service' && isObj(obj.spec)) defaultService(obj.spec, existing, nextServiceIp);
}

function defaultDeployment(spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  setDefault(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  if (isObj(spec.template) && isObj(spec.template.spec)) defaultPodSpec(spec.template.spec);
}

function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isObj(c)) continue;
      const image = typeof c.image === 'string' ? c.image : '';
      const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
      setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
      setDefault(c, 'terminationMessagePath', '/dev/termination-log');
      setDefault(c, 'terminationMessagePolicy', 'File');
      setDefault(c, 'resources', {});
      if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) setDefault(p, 'protocol', 'TCP');
    }
  }
}

function defaultService(spec: Obj, existing: KubeObject | undefined, nextServiceIp: () => string): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const previousIp = isObj(existing?.spec) ? existing.spec.clusterIP : undefined;
  // clusterIP is allocated once and immutable; it is data only (the simulator never routes to it).
  if (spec.clusterIP === undefined) spec.clusterIP = previousIp ?? (spec.type === 'ExternalName' ? undefined : nextServiceIp());
  if (typeof spec.clusterIP === 'string') setDefault(spec, 'clusterIPs', [spec.clusterIP]);
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port);
    }
  }
}
