/**
 * Issue 17 — verify before the first write, through the composition the action uses
 * (runCanaryGate) against the simulator: a run refused by a check writes nothing, and a run that
 * passes them writes the Lease first. The simulator serves no RBAC, so an API server that answers
 * SelfSubjectAccessReviews is modelled by a client wrapper that answers them from a grant list.
 */
import { runCanaryGate } from '../../src/app.ts';
import { buildConfig } from '../../src/config/index.ts';
import type { KubeApi, KubeObject } from '../../src/kube/types.ts';
import type { PreCheck } from '../../src/rollout/gate.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { fakeCore, inputsFor, kubeFor, memoryLog, seedApp } from '../support/whole.ts';

let sim: KubeSimulator;
beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 50 });
});
afterAll(() => sim.close());

interface Review extends KubeObject {
  spec: { resourceAttributes: { verb: string; group: string; resource: string } };
}

/** Answers SelfSubjectAccessReviews from `denied` ("verb group/resource"); records every other write. */
function reviewing(inner: KubeApi, denied: string[], writes: string[]): KubeApi {
  const record = <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    writes.push(what);
    return fn();
  };
  return {
    get: (ref) => inner.get(ref),
    list: (...args) => inner.list(...args),
    serves: (v, k) => inner.serves(v, k),
    create: async <T extends KubeObject>(obj: T): Promise<T> => {
      if (obj.kind === 'SelfSubjectAccessReview') {
        const a = (obj as unknown as Review).spec.resourceAttributes;
        return { ...obj, status: { allowed: !denied.includes(`${a.verb} ${a.group}/${a.resource}`) } } as T;
      }
      return record(`create ${obj.kind}`, () => inner.create(obj));
    },
    replace: (obj) => record(`replace ${obj.kind}`, () => inner.replace(obj)),
    patch: (ref, patch, type) => record(`patch ${ref.kind}`, () => inner.patch(ref, patch, type)),
    delete: (ref) => record(`delete ${ref.kind}`, () => inner.delete(ref)),
  };
}

async function rollout(namespace: string, kube: KubeApi, opts: { inputs?: Record<string, string>; prechecks?: PreCheck[] } = {}) {
  const config = buildConfig({ inputs: inputsFor(namespace, opts.inputs), secrets: {} });
  config.notify = { ...config.notify, summary: false, 'pr-comment': false, 'commit-status': false };
  const log = memoryLog();
  const outcome = await runCanaryGate(config, {}, { runId: `run-${namespace}`, log, core: fakeCore(log.lines), env: {}, kube, pollMs: 50, ...(opts.prechecks ? { prechecks: opts.prechecks } : {}) }).catch((error: unknown) => ({ error }));
  return { outcome, log };
}

test('credentials without a needed permission: refused with reason forbidden, naming the verb and resource, and nothing written', async () => {
  await seedApp(sim, 'verify-rbac');
  const writes: string[] = [];
  const { outcome } = await rollout('verify-rbac', reviewing(kubeFor(sim), ['create coordination.k8s.io/leases', 'list /pods'], writes));
  expect(outcome).toMatchObject({ error: expect.objectContaining({ reason: 'forbidden' }) });
  const message = ((outcome as { error: Error }).error).message;
  expect(message).toMatch(/^permissions: The Kubernetes credentials lack 2 permissions in namespace verify-rbac: list pods \(to judge readiness.*\); create leases\.coordination\.k8s\.io \(to take the lock/);
  expect(message).toMatch(/Grant the Role for the istio router from docs\/rbac\.md/);
  expect(message).toMatch(/nothing was changed/i);
  expect(writes).toEqual([]);
});

test('a pre-check that blocks (schema, metric preflight) refuses the rollout before the Lease: nothing written', async () => {
  await seedApp(sim, 'verify-precheck');
  const writes: string[] = [];
  const block: PreCheck = { name: 'schema', run: async () => ({ verdict: 'block', summary: 'drops column email that the stable version reads', markdown: '', findings: [] }) };
  const { outcome } = await rollout('verify-precheck', reviewing(kubeFor(sim), [], writes), { prechecks: [block] });
  expect(outcome).toMatchObject({ result: 'aborted', reason: 'schema-blocked' });
  expect(writes).toEqual([]);
});

test('a run that passes every check writes the Lease first, and promotes', async () => {
  await seedApp(sim, 'verify-ok');
  const writes: string[] = [];
  const { outcome } = await rollout('verify-ok', reviewing(kubeFor(sim), [], writes));
  expect(outcome).toMatchObject({ result: 'promoted' });
  expect(writes[0]).toBe('create Lease');
}, 60_000);
