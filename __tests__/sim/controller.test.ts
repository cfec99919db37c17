import * as k8s from '@kubernetes/client-node';
import { deployment, startWithClients, waitFor, type SimClients } from './helpers.ts';

let c: SimClients;
const NS = 'ctl';
const READY_MS = 60;

beforeAll(async () => {
  // progressDeadlineSeconds: 3 → 300 ms here
  c = await startWithClients({ readyDelayMs: READY_MS, progressDeadlineScaleMs: 100 });
});
afterAll(async () => {
  await c.close();
});

async function readDeployment(name: string): Promise<k8s.V1Deployment> {
  return c.apps.readNamespacedDeployment({ namespace: NS, name });
}
async function podsOf(name: string): Promise<k8s.V1Pod[]> {
  return (await c.core.listNamespacedPod({ namespace: NS, labelSelector: `app=${name}` })).items;
}
function condition(d: k8s.V1Deployment, type: string): k8s.V1DeploymentCondition | undefined {
  return d.status?.conditions?.find((x) => x.type === type);
}
async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
async function waitRolledOut(name: string): Promise<k8s.V1Deployment> {
  return until(async () => {
    const d = await readDeployment(name);
    const done = d.status?.observedGeneration === d.metadata?.generation && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';
    return done ? d : undefined;
  }, `${name} rolled out`);
}

test('a healthy deployment gets owned, labelled pods that become ready after the delay', async () => {
  const started = Date.now();
  const created = await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('healthy', NS, 'ghcr.io/acme/web:1.0', 3) });
  const d = await waitRolledOut('healthy');
  expect(Date.now() - started).toBeGreaterThanOrEqual(READY_MS);
  expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  expect(d.status?.unavailableReplicas).toBeUndefined(); // zero counts are omitted, as the real API does
  expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  const pods = await podsOf('healthy');
  expect(pods).toHaveLength(3);
  const hash = pods[0]?.metadata?.labels?.['pod-template-hash'];
  // Deployment → ReplicaSet <name>-<pod-template-hash> → pods, as the real controllers own them.
  const rs = await c.apps.readNamespacedReplicaSet({ namespace: NS, name: `healthy-${hash}` });
  expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'healthy', uid: created.metadata?.uid, controller: true });
  expect(rs.spec?.selector.matchLabels).toEqual({ app: 'healthy', 'pod-template-hash': hash });
  expect(rs.spec?.replicas).toBe(3);
  expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
  for (const pod of pods) {
    expect(pod.metadata?.name).toMatch(new RegExp(`^healthy-${hash}-[a-z0-9]{5}$`));
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: `healthy-${hash}`, uid: rs.metadata?.uid, controller: true });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(pod.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
  }
});

test('a new template replaces the pods; updatedReplicas counts the new template only', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('roll', NS, 'ghcr.io/acme/web:1.0', 2) });
  const first = await waitRolledOut('roll');
  const oldHash = (await podsOf('roll'))[0]?.metadata?.labels?.['pod-template-hash'];
  // Patch and reconcile synchronously (the controller's timer shares this event loop, so it cannot
  // run in between): the first pass after a template change is observable deterministically.
  const type = c.sim.api.types.byKind('apps/v1', 'Deployment')!;
  const patched = c.sim.api.patch({ type, version: 'v1', namespace: NS }, 'roll', 'application/strategic-merge-patch+json',
    JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'roll', image: 'ghcr.io/acme/web:2.0' }] } } } }), {});
  expect(patched.metadata.generation).toBe((first.metadata?.generation ?? 0) + 1);
  c.sim.reconcile();
  const mid = c.sim.store.get('apps/v1', 'Deployment', NS, 'roll')!;
  expect(mid.status).toMatchObject({ observedGeneration: patched.metadata.generation, replicas: 4, updatedReplicas: 2, readyReplicas: 2 });
  expect((mid.status as k8s.V1DeploymentStatus).conditions?.find((x) => x.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
  const done = await waitRolledOut('roll');
  expect(done.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2 });
  const pods = await podsOf('roll');
  expect(pods.every((p) => p.metadata?.labels?.['pod-template-hash'] !== oldHash)).toBe(true);
  expect(pods.every((p) => p.spec?.containers[0]?.image === 'ghcr.io/acme/web:2.0')).toBe(true);
});

test('crashloop image: pods run but never get ready, restarts climb, old pods stay serving', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('crash', NS, 'ghcr.io/acme/web:1.0', 2) });
  await waitRolledOut('crash');
  await c.apps.patchNamespacedDeployment(
    { namespace: NS, name: 'crash', body: { spec: { template: { spec: { containers: [{ name: 'crash', image: 'ghcr.io/acme/web:2.0-crashloop' }] } } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
  );
  const crashing = await until(async () => {
    const pods = (await podsOf('crash')).filter((p) => p.spec?.containers[0]?.image?.includes('crashloop'));
    const restarts = pods[0]?.status?.containerStatuses?.[0]?.restartCount ?? 0;
    return pods.length === 2 && restarts >= 3 ? pods : undefined;
  }, 'restarts to climb');
  for (const pod of crashing) {
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
  }
  const d = await readDeployment('crash');
  expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
  expect(condition(d, 'Available')?.status).toBe('True');
});

test('imagepull behaviour (set at run time): ErrImagePull alternating with ImagePullBackOff', async () => {
  c.sim.setBehavior(NS, 'pull', 'imagepull');
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('pull', NS, 'ghcr.io/acme/web:9.9', 1) });
  const reasons = new Set<string>();
  await until(async () => {
    const pod = (await podsOf('pull'))[0];
    const reason = pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    if (reason) reasons.add(reason);
    expect(pod?.status?.phase ?? 'Pending').toBe('Pending');
    return reasons.has('ImagePullBackOff') && reasons.has('ErrImagePull');
  }, 'ErrImagePull and ImagePullBackOff');
  expect([...reasons].sort()).toEqual(['ErrImagePull', 'ImagePullBackOff']);
  const d = await readDeployment('pull');
  expect(d.status?.readyReplicas).toBeUndefined();
  expect(condition(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
});

test('stall: pods stay Pending/Unschedulable and the progress deadline is exceeded', async () => {
  const body = deployment('stall', NS, 'ghcr.io/acme/web:3.0-stall', 1);
  body.spec!.progressDeadlineSeconds = 3;
  await c.apps.createNamespacedDeployment({ namespace: NS, body });
  const start = Date.now();
  const d = await until(async () => {
    const x = await readDeployment('stall');
    return condition(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
  }, 'ProgressDeadlineExceeded');
  expect(Date.now() - start).toBeGreaterThanOrEqual(250);
  expect(condition(d, 'Progressing')).toMatchObject({ status: 'False', message: expect.stringContaining('has timed out progressing') });
  const pod = (await podsOf('stall'))[0];
  expect(pod?.status?.phase).toBe('Pending');
  expect(pod?.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
  expect(pod?.spec?.nodeName).toBeUndefined();

  // the control endpoint heals it: progress resumes and the rollout completes
  const res = await fetch(`${c.sim.url}/_sim/behavior`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ namespace: NS, name: 'stall', behavior: 'healthy' }),
  });
  expect(res.status).toBe(200);
  await waitRolledOut('stall');
});

test('scale subresource reads and writes spec.replicas', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('scaled', NS, 'ghcr.io/acme/web:1.0', 1) });
  const scale = await c.apps.readNamespacedDeploymentScale({ namespace: NS, name: 'scaled' });
  expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { selector: 'app=scaled' } });
  // The controller writes status meanwhile, so a write carrying the read resourceVersion could be
  // stale (409), exactly as on a real cluster; this one is unconditional.
  await c.apps.replaceNamespacedDeploymentScale({ namespace: NS, name: 'scaled', body: { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: 3 } } });
  await until(async () => (await readDeployment('scaled')).status?.readyReplicas === 3, 'three ready');
  expect(await podsOf('scaled')).toHaveLength(3);
  await c.apps.patchNamespacedDeploymentScale(
    { namespace: NS, name: 'scaled', body: { spec: { replicas: 0 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await until(async () => (await podsOf('scaled')).length === 0, 'scaled to zero');
  const d = await readDeployment('scaled');
  expect(d.spec?.replicas).toBe(0);
  const bad = await fetch(`${c.sim.url}/apis/apps/v1/namespaces/${NS}/deployments/scaled/scale`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ spec: { replicas: -1 } }),
  });
  expect(bad.status).toBe(422);
});

test('deleting a deployment garbage-collects its pods', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('gc', NS, 'ghcr.io/acme/web:1.0', 2) });
  await until(async () => (await podsOf('gc')).length === 2, 'pods');
  await c.apps.deleteNamespacedDeployment({ namespace: NS, name: 'gc' });
  await waitFor(() => c.sim.store.list('v1', 'Pod', NS).every((p) => p.metadata.labels?.app !== 'gc'), 3000, 'pods to go');
});

test('an annotation on the Deployment reaches its ReplicaSet; deleting the Deployment removes ReplicaSets and pods', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('owned', NS, 'ghcr.io/acme/web:1.0', 1) });
  await waitRolledOut('owned');
  await c.apps.patchNamespacedDeployment(
    { namespace: NS, name: 'owned', body: { metadata: { annotations: { 'canary-gate.io/state': '{}' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await until(async () => {
    const sets = (await c.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=owned' })).items;
    return sets.length === 1 && sets[0]?.metadata?.annotations?.['canary-gate.io/state'] === '{}';
  }, 'the annotation copied to the ReplicaSet');
  await c.apps.deleteNamespacedDeployment({ namespace: NS, name: 'owned' });
  await until(async () => (await c.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=owned' })).items.length === 0, 'ReplicaSets collected');
  await until(async () => (await podsOf('owned')).length === 0, 'pods collected');
});
