/**
 * Issue 17 — the main step killed at every recorded phase boundary: after each write a healthy
 * rollout makes (the Lease, the state, the label, the canary, each shift, the promotion, ...), and
 * before the first. A killed process makes no more calls, so the kill is modelled in-process by a
 * client that stops answering after its k-th write. Then the post step (mode abort on behalf of the
 * killed run, same run id) or a user's `mode: abort` (another run id) runs, and its reported result
 * is checked against the cluster:
 * - promoted ⇔ stable runs the new image; otherwise stable runs the old one, no traffic and no pod
 *   on the canary;
 * - a run that recorded no rollout of its own is reported noop (reason cancelled for the post
 *   step), never as the earlier run's result recorded on the Deployment;
 * - afterwards no Lease is held, so the next run is not blocked.
 */
import { runCanaryGate } from '../../src/app.ts';
import { buildConfig } from '../../src/config/index.ts';
import type { KubeApi, KubeObject, ObjectRef, PatchType } from '../../src/kube/types.ts';
import { leaseStatus } from '../../src/rollout/lease-lock.ts';
import { initialState, type RolloutState } from '../../src/rollout/machine.ts';
import type { RunOutcome } from '../../src/rollout/runner.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight } from '../../src/sim/seed.ts';
import { CANARY_IMAGE, STABLE_IMAGE, canaryReplicas, fakeCore, inputsFor, kubeFor, memoryLog, recordedState, seedApp, stableImage } from '../support/whole.ts';

/**
 * A client whose process dies after its k-th write: that write is answered, nothing after it is.
 * Requests already sent when it dies still reach the server (as after a real SIGKILL); `died`
 * resolves once they have landed, so the cluster is then what the finisher will find.
 */
class DyingKube implements KubeApi {
  readonly writes: string[] = [];
  private dead = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly died: Promise<void>;
  private die!: () => void;
  private readonly inner: KubeApi;
  private readonly killAfter: number;

  constructor(inner: KubeApi, killAfter: number) {
    this.inner = inner;
    this.killAfter = killAfter;
    this.died = new Promise((resolve) => (this.die = resolve));
    if (killAfter === 0) this.kill();
  }

  private kill(): void {
    this.dead = true;
    void Promise.allSettled([...this.inFlight]).then(() => this.die());
  }

  private async call<T>(fn: () => Promise<T>, write?: string): Promise<T> {
    if (this.dead) return new Promise<T>(() => {}); // no process, no answer
    const sent = fn();
    this.inFlight.add(sent);
    try {
      const result = await sent;
      if (write !== undefined && !this.dead) {
        this.writes.push(write);
        if (this.writes.length >= this.killAfter) this.kill();
      }
      if (this.dead) return new Promise<T>(() => {});
      return result;
    } finally {
      this.inFlight.delete(sent);
    }
  }

  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    return this.call(() => this.inner.get<T>(ref));
  }
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<T[]> {
    return this.call(() => this.inner.list<T>(apiVersion, kind, namespace, labelSelector));
  }
  create<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    // A SelfSubjectAccessReview is a question the API server answers and stores nothing: not a write.
    const write = obj.kind === 'SelfSubjectAccessReview' ? undefined : `create ${obj.kind} ${obj.metadata.name ?? ''}`;
    return this.call(() => this.inner.create(obj), write);
  }
  replace<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    return this.call(() => this.inner.replace(obj), `replace ${obj.kind} ${obj.metadata.name ?? ''}`);
  }
  patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType): Promise<T> {
    const what = JSON.stringify(patch).slice(0, 60);
    return this.call(() => this.inner.patch<T>(ref, patch, type), `patch ${ref.kind} ${ref.name} ${what}`);
  }
  delete(ref: ObjectRef): Promise<boolean> {
    return this.call(() => this.inner.delete(ref), `delete ${ref.kind} ${ref.name}`);
  }
  serves(apiVersion: string, kind: string): Promise<boolean> {
    return this.call(() => this.inner.serves(apiVersion, kind));
  }
}

let sim: KubeSimulator;
beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 50 });
});
afterAll(() => sim.close());

const EXTRA = { 'lease-duration': '1s', 'analysis-interval': '100ms', 'ready-timeout': '15s' };

function config(namespace: string, mode?: string) {
  const c = buildConfig({ inputs: inputsFor(namespace, { ...EXTRA, ...(mode ? { mode } : {}) }), secrets: { kubeconfig: sim.kubeconfig() } });
  c.notify = { ...c.notify, summary: false, 'pr-comment': false, 'commit-status': false };
  return c;
}

function runWith(namespace: string, kube: KubeApi, runId: string, opts: { mode?: string; cleanup?: boolean } = {}): Promise<RunOutcome> {
  const log = memoryLog();
  return runCanaryGate(config(namespace, opts.mode), { kubeconfig: sim.kubeconfig() }, {
    runId,
    log,
    core: fakeCore(log.lines),
    env: {},
    kube,
    pollMs: 50,
    ...(opts.cleanup ? { cleanupOfCancelledRun: true } : {}),
  });
}

/** An earlier run, recorded on the Deployment: its result must never be reported for a later one. */
function recordEarlierRun(namespace: string, result: 'promoted' | 'rolled-back'): void {
  const earlier: RolloutState = {
    ...initialState({ runId: 'earlier-run', steps: [50], container: 'web', stableImage: 'ghcr.io/acme/web:0.9', canaryImage: result === 'promoted' ? STABLE_IMAGE : `${STABLE_IMAGE}-bad`, stableReplicas: 2, now: new Date(0) }),
    phase: result,
    result,
    weight: result === 'promoted' ? 100 : 0,
    ...(result === 'rolled-back' ? { reason: 'canary-crashloop' } : {}),
  };
  const d = structuredClone(sim.store.get('apps/v1', 'Deployment', namespace, 'web')) as KubeObject;
  d.metadata.annotations = { ...(d.metadata.annotations ?? {}), 'canary-gate.io/state': JSON.stringify(earlier) };
  sim.store.put(d as Parameters<typeof sim.store.put>[0]);
}

/** What disagrees between the reported result and the cluster; empty when they agree. */
function mismatches(namespace: string, killedRun: string, outcome: RunOutcome, recordedAtKill: RolloutState | undefined): string[] {
  const out: string[] = [];
  const image = stableImage(sim, namespace);
  const weight = currentCanaryWeight(sim, namespace, 'web');
  const replicas = canaryReplicas(sim, namespace) ?? 0;
  const ownRecord = recordedAtKill?.runId === killedRun;
  if (outcome.result === 'promoted') {
    if (image !== CANARY_IMAGE) out.push(`reported promoted but stable runs ${image}`);
    if (!ownRecord) out.push('reported promoted for a run that recorded no rollout (an earlier run\'s result)');
  } else {
    if (image !== STABLE_IMAGE) out.push(`reported ${outcome.result} but stable runs ${image}`);
    if (weight !== 0) out.push(`reported ${outcome.result} but the canary gets ${weight}%`);
    if (replicas !== 0) out.push(`reported ${outcome.result} but the canary has ${replicas} pod(s)`);
  }
  if (!ownRecord && outcome.result !== 'noop') out.push(`the killed run recorded nothing, yet the result is ${outcome.result} (${outcome.reason ?? ''})`);
  const lease = sim.store.get('coordination.k8s.io/v1', 'Lease', namespace, 'canary-gate-web');
  const status = leaseStatus(lease as Parameters<typeof leaseStatus>[0], Date.now());
  if (status.kind === 'held') out.push(`lease still held by ${status.holder}`);
  return out;
}

/** The writes of a whole healthy rollout: the boundaries to kill at. */
let boundaries: string[] = [];

beforeAll(async () => {
  await seedApp(sim, 'kill-reference');
  const kube = new DyingKube(kubeFor(sim), Infinity);
  const outcome = await runWith('kill-reference', kube, 'reference');
  expect(outcome.result).toBe('promoted');
  boundaries = kube.writes;
}, 60_000);

const results: { finisher: string; k: number; boundary: string; result: string; problems: string[] }[] = [];
afterAll(() => {
  const bad = results.filter((r) => r.problems.length > 0);
  console.log(`kill points: ${results.length} kills at ${boundaries.length + 1} boundaries, ${bad.length} mismatches between result and cluster${bad.length ? `:\n${bad.map((b) => `${b.finisher} after write ${b.k} (${b.boundary}): ${b.problems.join('; ')}`).join('\n')}` : ''}`);
});

async function killAt(k: number, finisher: 'post step' | 'mode abort'): Promise<void> {
  const namespace = `kill-${finisher === 'post step' ? 'p' : 'a'}-${k}`;
  await seedApp(sim, namespace);
  recordEarlierRun(namespace, k % 2 === 0 ? 'promoted' : 'rolled-back');
  const killedRun = `main-${namespace}`;
  const kube = new DyingKube(kubeFor(sim), k);
  const main = runWith(namespace, kube, killedRun);
  // The kill, or (after the last write) the run's own end.
  await Promise.race([kube.died, main.catch(() => undefined)]);
  const recordedAtKill = recordedState(sim, namespace);
  const outcome = finisher === 'post step'
    ? await runWith(namespace, kubeFor(sim), killedRun, { mode: 'abort', cleanup: true })
    : await runWith(namespace, kubeFor(sim), `abort-${namespace}`, { mode: 'abort' });
  const problems = mismatches(namespace, killedRun, outcome, recordedAtKill);
  results.push({ finisher, k, boundary: k === 0 ? 'before the first write' : (boundaries[k - 1] ?? '?'), result: `${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''}`, problems });
  expect(problems).toEqual([]);
}

/** Runs the kills a few at a time (each waits on pods and leases far more than it computes). */
async function inPool(ks: number[], finisher: 'post step' | 'mode abort', width = 6): Promise<void> {
  const queue = [...ks];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) await killAt(k, finisher).catch((e: unknown) => void errors.push(e));
    }),
  );
  if (errors.length > 0) throw errors[0];
}

test('killed at every write boundary of a healthy rollout (and before the first), finished by the post step', async () => {
  expect(boundaries.length).toBeGreaterThan(5);
  expect(boundaries[0]).toMatch(/Lease/); // the Lease is the first write: everything before it only reads
  await inPool(Array.from({ length: boundaries.length + 1 }, (_, k) => k), 'post step');
}, 300_000);

test('killed before and after the Lease, after the state, mid-rollout and at the end, finished by a user\'s mode: abort', async () => {
  const n = boundaries.length;
  await inPool([...new Set([0, 1, 2, 3, Math.floor(n / 2), n - 1, n])], 'mode abort');
}, 300_000);
