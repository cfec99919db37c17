/**
 * The deployment controller, replica set controller and kubelet of the simulator, on one stoppable
 * timer: keeps one ReplicaSet per pod template of each Deployment (`<deployment>-<pod-template-hash>`,
 * owned by the Deployment, its pods owned by it and labelled `pod-template-hash`, as
 * pkg/controller/deployment/sync.go getNewReplicaSet does), rolls pods with surge, moves each Pod
 * through its life according to a behaviour, and writes ReplicaSet and Deployment status.
 *
 * Behaviours: `healthy` (ready after readyDelayMs), `crashloop`, `imagepull`, `stall` (never
 * scheduled). Set per deployment with setBehavior, or picked by an image whose name or tag contains
 * the behaviour's name (`ghcr.io/acme/web:2.0-crashloop`), so a child process needs no control call.
 */
import { createHash } from 'node:crypto';
import { clone, type KubeObject, type KubeStore, rfc3339 } from './kube-store.ts';
import { deepEqual } from './kube-patch.ts';

export type PodBehavior = 'healthy' | 'crashloop' | 'imagepull' | 'stall';
export const POD_BEHAVIORS: readonly PodBehavior[] = ['healthy', 'crashloop', 'imagepull', 'stall'];

export interface ControllerOptions {
  readyDelayMs: number;
  /** Real milliseconds per second of spec.progressDeadlineSeconds. */
  progressDeadlineScaleMs: number;
  tickMs?: number;
  now?: () => number;
}

interface Container {
  name: string;
  image?: string;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; [k: string]: unknown };
}
interface DeploymentSpec {
  replicas?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
  template?: PodTemplate;
}
interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** pod-template-hash: stable for a template, in the alphabet the real controller uses. */
function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(template ?? {})).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += HASH_ALPHABET[(digest[i] ?? 0) % HASH_ALPHABET.length];
  return out;
}

function behaviorFromImages(images: string[]): PodBehavior {
  for (const b of ['stall', 'imagepull', 'crashloop'] as const) if (images.some((i) => i.includes(b))) return b;
  return 'healthy';
}

export class DeploymentController {
  private readonly store: KubeStore;
  private readonly opts: Required<ControllerOptions>;
  private readonly overrides = new Map<string, PodBehavior>();
  private readonly podCreatedAt = new Map<string, number>();
  private readonly progress = new Map<string, { hash: string; signature: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private podSeq = 0;

  constructor(store: KubeStore, opts: ControllerOptions) {
    this.store = store;
    this.opts = {
      tickMs: Math.max(10, Math.min(50, Math.floor(opts.readyDelayMs / 3))),
      now: Date.now,
      ...opts,
    };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.reconcileAll(), this.opts.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  setBehavior(namespace: string, name: string, behavior: PodBehavior): void {
    if (!POD_BEHAVIORS.includes(behavior)) {
      throw new Error(`unknown pod behaviour "${String(behavior)}": expected one of ${POD_BEHAVIORS.join(', ')}`);
    }
    this.overrides.set(`${namespace}/${name}`, behavior);
  }

  behaviors(): Record<string, PodBehavior> {
    return Object.fromEntries(this.overrides);
  }

  reconcileAll(): void {
    const deployments = this.store.list('apps/v1', 'Deployment');
    const uids = new Set(deployments.map((d) => d.metadata.uid));
    for (const d of deployments) this.reconcile(d);
    // Garbage collection (cascading, as the garbage collector follows ownerReferences): ReplicaSets
    // whose Deployment is gone, pods whose ReplicaSet is gone, and our notes about things gone.
    const rsUids = new Set<string>();
    for (const rs of this.store.list('apps/v1', 'ReplicaSet')) {
      const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment');
      if (owner && !uids.has(owner.uid)) this.store.delete('apps/v1', 'ReplicaSet', rs.metadata.namespace ?? '', rs.metadata.name ?? '');
      else rsUids.add(rs.metadata.uid ?? '');
    }
    const podUids = new Set<string>();
    for (const pod of this.store.list('v1', 'Pod')) {
      const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
      if (owner && !rsUids.has(owner.uid)) this.deletePod(pod);
      else podUids.add(pod.metadata.uid ?? '');
    }
    for (const uid of this.podCreatedAt.keys()) if (!podUids.has(uid)) this.podCreatedAt.delete(uid);
    for (const uid of this.progress.keys()) if (!uids.has(uid)) this.progress.delete(uid);
  }

  private reconcile(d: KubeObject): void {
    const now = this.opts.now();
    const spec = (d.spec ?? {}) as DeploymentSpec;
    const ns = d.metadata.namespace ?? 'default';
    const name = d.metadata.name ?? '';
    const hash = templateHash(spec.template);
    const desired = spec.replicas ?? 1;
    let pods = this.ownedPods(d);

    if (!spec.paused) {
      const current = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
      const rs = this.ensureReplicaSet(d, hash);
      for (let i = current.length; i < desired; i++) this.createPod(d, rs, hash);
      for (const extra of byDisposability(current).slice(0, Math.max(0, current.length - desired))) this.deletePod(extra);
      pods = this.ownedPods(d);
      const newReady = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash && isReady(p)).length;
      const old = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
      const keepOld = Math.max(0, desired - newReady);
      for (const pod of byDisposability(old).slice(0, Math.max(0, old.length - keepOld))) this.deletePod(pod);
    }

    for (const pod of this.ownedPods(d)) this.updatePodStatus(pod, this.behaviorOf(ns, name, pod), now);
    this.writeReplicaSets(d, hash, desired);
    this.writeStatus(d, hash, desired, now);
  }

  private replicaSets(d: KubeObject): KubeObject[] {
    return this.store
      .list('apps/v1', 'ReplicaSet', d.metadata.namespace ?? 'default')
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
  }

  /**
   * The ReplicaSet of the current template: labels and selector are the template's plus
   * pod-template-hash, annotations copied from the Deployment (why a real server bumps a
   * Deployment's generation for annotation changes), owned by the Deployment.
   */
  private ensureReplicaSet(d: KubeObject, hash: string): KubeObject {
    const name = `${d.metadata.name ?? ''}-${hash}`;
    const ns = d.metadata.namespace ?? 'default';
    const existing = this.store.get('apps/v1', 'ReplicaSet', ns, name);
    if (existing) return existing;
    const spec = (d.spec ?? {}) as DeploymentSpec & { selector?: { matchLabels?: Record<string, string> } };
    const template = clone(spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const revision = 1 + Math.max(0, ...this.replicaSets(d).map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)));
    return this.store.put({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations: { ...(d.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': String(revision) },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template,
      },
    });
  }

  /** Each ReplicaSet's spec.replicas follows its pods (surge up, old ones down to 0); old ones beyond revisionHistoryLimit go. */
  private writeReplicaSets(d: KubeObject, hash: string, desired: number): void {
    const pods = this.ownedPods(d);
    const sets = this.replicaSets(d);
    const limit = ((d.spec ?? {}) as { revisionHistoryLimit?: number }).revisionHistoryLimit ?? 10;
    const old = sets.filter((rs) => rs.metadata.labels?.['pod-template-hash'] !== hash);
    const idleOld = old
      .filter((rs) => !pods.some((p) => ownerUid(p) === rs.metadata.uid))
      .sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
    for (const rs of idleOld.slice(0, Math.max(0, idleOld.length - limit))) {
      this.store.delete('apps/v1', 'ReplicaSet', rs.metadata.namespace ?? '', rs.metadata.name ?? '');
    }
    for (const rs of this.replicaSets(d)) {
      const own = pods.filter((p) => ownerUid(p) === rs.metadata.uid);
      const isNew = rs.metadata.labels?.['pod-template-hash'] === hash;
      const replicas = isNew ? desired : own.length;
      const ready = own.filter(isReady).length;
      const status: Record<string, unknown> = { replicas: own.length, observedGeneration: rs.metadata.generation ?? 1 };
      if (ready > 0) Object.assign(status, { readyReplicas: ready, availableReplicas: ready });
      // The new ReplicaSet keeps the Deployment's annotations in step (deployment/util SetNewReplicaSetAnnotations).
      const revision = rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1';
      const annotations = isNew ? { ...(d.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': revision } : rs.metadata.annotations;
      if ((rs.spec as { replicas?: number }).replicas === replicas && deepEqual(rs.status, status) && deepEqual(rs.metadata.annotations, annotations)) continue;
      const next = clone(rs);
      if (annotations) next.metadata.annotations = annotations;
      (next.spec as { replicas?: number }).replicas = replicas;
      next.status = status;
      delete next.metadata.resourceVersion;
      this.store.put(next);
    }
  }

  private behaviorOf(ns: string, deployment: string, pod: KubeObject): PodBehavior {
    const override = this.overrides.get(`${ns}/${deployment}`);
    if (override) return override;
    const containers = ((pod.spec as PodTemplate['spec'])?.containers ?? []) as Container[];
    return behaviorFromImages(containers.map((c) => c.image ?? ''));
  }

  /** The Deployment's pods: those owned by one of its ReplicaSets. */
  private ownedPods(d: KubeObject): KubeObject[] {
    const sets = new Set(this.replicaSets(d).map((rs) => rs.metadata.uid));
    return this.store.list('v1', 'Pod', d.metadata.namespace ?? 'default').filter((p) => sets.has(ownerUid(p)));
  }

  private createPod(d: KubeObject, rs: KubeObject, hash: string): void {
    const template = ((d.spec as DeploymentSpec).template ?? {}) as PodTemplate;
    const rsName = rs.metadata.name ?? `${d.metadata.name ?? 'pod'}-${hash}`;
    const name = `${rsName}-${this.podSuffix()}`;
    const pod = this.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${rsName}-`,
        namespace: d.metadata.namespace ?? 'default',
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: clone(template.spec ?? {}),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
    this.podCreatedAt.set(pod.metadata.uid ?? name, this.opts.now());
  }

  private podSuffix(): string {
    this.podSeq += 1;
    let n = this.podSeq * 7919 + Math.floor(Math.random() * 1000) * 104729;
    let s = '';
    for (let i = 0; i < 5; i++) {
      s += HASH_ALPHABET[n % HASH_ALPHABET.length];
      n = Math.floor(n / HASH_ALPHABET.length);
    }
    return s;
  }

  private deletePod(pod: KubeObject): void {
    this.store.delete('v1', 'Pod', pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    this.podCreatedAt.delete(pod.metadata.uid ?? '');
  }

  private updatePodStatus(pod: KubeObject, behavior: PodBehavior, now: number): void {
    const created = this.podCreatedAt.get(pod.metadata.uid ?? '') ?? (Date.parse(pod.metadata.creationTimestamp ?? '') || now);
    const status = podStatus(pod, behavior, now - created, this.opts.readyDelayMs);
    const scheduled = behavior !== 'stall';
    const spec = pod.spec as Record<string, unknown>;
    const specChanged = scheduled && spec.nodeName === undefined;
    if (!specChanged && deepEqual(pod.status, status)) return;
    const next = clone(pod);
    if (specChanged) (next.spec as Record<string, unknown>).nodeName = 'sim-node-1';
    next.status = status;
    delete next.metadata.resourceVersion;
    this.store.put(next);
  }

  private writeStatus(d: KubeObject, hash: string, desired: number, now: number): void {
    const spec = (d.spec ?? {}) as DeploymentSpec;
    const pods = this.ownedPods(d);
    const current = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    const available = pods.filter(isReady).length;
    const currentAvailable = current.filter(isReady).length;
    const rsName = `${d.metadata.name ?? ''}-${hash}`;

    // Progress = any change in the rollout's counts; the deadline runs from the last one.
    const signature = `${current.length}|${currentAvailable}|${pods.length}`;
    const key = d.metadata.uid ?? '';
    const previous = this.progress.get(key);
    if (!previous || previous.hash !== hash || previous.signature !== signature) {
      this.progress.set(key, { hash, signature, at: now });
    }
    const since = this.progress.get(key)?.at ?? now;
    const complete = current.length === desired && currentAvailable >= desired && pods.length === current.length;
    const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * this.opts.progressDeadlineScaleMs;

    let progressing: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>;
    if (spec.paused) {
      progressing = { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' };
    } else if (complete) {
      progressing = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` };
    } else if (now - since > deadlineMs) {
      progressing = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` };
    } else {
      progressing = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    }
    const minAvailable = desired - maxUnavailable(spec, desired);
    const availableCondition: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'> =
      available >= minAvailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };

    const oldStatus = (d.status ?? {}) as { conditions?: Condition[] };
    const stamp = rfc3339(new Date(now));
    const conditions = [availableCondition, progressing].map((c): Condition => {
      const before = oldStatus.conditions?.find((o) => o.type === c.type);
      if (before && before.status === c.status && before.reason === c.reason && before.message === c.message) return before;
      return { ...c, lastUpdateTime: stamp, lastTransitionTime: before && before.status === c.status ? (before.lastTransitionTime ?? stamp) : stamp };
    });
    // Zero counts are omitted, as the real API omits empty fields.
    const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
    const counts: [string, number][] = [
      ['replicas', pods.length],
      ['updatedReplicas', current.length],
      ['readyReplicas', available],
      ['availableReplicas', available],
      ['unavailableReplicas', Math.max(0, Math.max(desired, pods.length) - available)],
    ];
    for (const [k, v] of counts) if (v > 0) status[k] = v;
    status.conditions = conditions;
    if (deepEqual(d.status, status)) return;
    const next = clone(d);
    next.status = status;
    delete next.metadata.resourceVersion;
    this.store.put(next);
  }
}

function ownerUid(pod: KubeObject): string | undefined {
  return pod.metadata.ownerReferences?.find((o) => o.controller === true)?.uid;
}

function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Not-ready pods go first, then the newest (as the ReplicaSet controller ranks them). */
function byDisposability(pods: KubeObject[]): KubeObject[] {
  return [...pods].sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? ''));
}

function maxUnavailable(spec: DeploymentSpec, desired: number): number {
  if (spec.strategy?.type === 'Recreate') return 0;
  const raw = spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof raw === 'number') return raw;
  const pct = /^(\d+)%$/.exec(raw);
  return pct?.[1] ? Math.floor((desired * Number(pct[1])) / 100) : Number(raw) || 0;
}

function podStatus(pod: KubeObject, behavior: PodBehavior, ageMs: number, readyDelayMs: number): Record<string, unknown> {
  const containers = ((pod.spec as PodTemplate['spec'])?.containers ?? []) as Container[];
  const started = rfc3339(new Date(Date.parse(pod.metadata.creationTimestamp ?? '') || 0));
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Record<string, unknown> => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: started,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  });
  if (behavior === 'stall') {
    return {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [condition('PodScheduled', false, 'Unschedulable', '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.')],
    };
  }
  const base = { hostIP: '10.0.0.10', podIP: podIp(pod), startTime: started, qosClass: 'BestEffort' };
  const scheduled = condition('PodScheduled', true);
  const notReady = (reason: string) => [
    condition('Initialized', true),
    condition('Ready', false, reason, `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`),
    condition('ContainersReady', false, reason, `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`),
    scheduled,
  ];
  const statusOf = (c: Container, state: Record<string, unknown>, ready: boolean, restartCount = 0, lastState: Record<string, unknown> = {}) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready,
    started: ready || 'running' in state,
    restartCount,
    state,
    lastState,
  });

  if (behavior === 'imagepull') {
    // The kubelet alternates: a pull attempt fails (ErrImagePull), then it backs off (ImagePullBackOff).
    const pulling = Math.floor(ageMs / Math.max(1, readyDelayMs)) % 2 === 0;
    return {
      ...base,
      phase: 'Pending',
      conditions: notReady('ContainersNotReady'),
      containerStatuses: containers.map((c) =>
        statusOf(c, {
          waiting: pulling
            ? { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image ?? ''}": not found` }
            : { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image ?? ''}"` },
        }, false),
      ),
    };
  }
  if (ageMs < readyDelayMs / 2) {
    return {
      ...base,
      phase: 'Pending',
      conditions: notReady('ContainersNotReady'),
      containerStatuses: containers.map((c) => statusOf(c, { waiting: { reason: 'ContainerCreating' } }, false)),
    };
  }
  if (behavior === 'crashloop') {
    const restarts = 1 + Math.floor(ageMs / Math.max(1, readyDelayMs));
    return {
      ...base,
      phase: 'Running',
      conditions: notReady('ContainersNotReady'),
      containerStatuses: containers.map((c) =>
        statusOf(
          c,
          { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.min(300, 10 * 2 ** Math.min(5, restarts - 1))}s restarting failed container=${c.name} pod=${pod.metadata.name ?? ''}` } },
          false,
          restarts,
          { terminated: { exitCode: 1, reason: 'Error', startedAt: started, finishedAt: started } },
        ),
      ),
    };
  }
  const ready = ageMs >= readyDelayMs;
  return {
    ...base,
    phase: 'Running',
    conditions: ready
      ? [condition('Initialized', true), condition('Ready', true), condition('ContainersReady', true), scheduled]
      : notReady('ContainersNotReady'),
    containerStatuses: containers.map((c) => statusOf(c, { running: { startedAt: started } }, ready)),
  };
}

/** A stable per-pod address inside 10.244/16 (data only; nothing is ever sent to it). */
function podIp(pod: KubeObject): string {
  const d = createHash('sha1').update(pod.metadata.uid ?? pod.metadata.name ?? '').digest();
  return `10.244.${d[0] ?? 0}.${(d[1] ?? 0) % 254 + 1}`;
}
