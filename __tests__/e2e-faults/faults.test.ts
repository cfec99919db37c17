/**
 * Issue 8 — a rollout always ends whole. Faults injected through the simulator (Kubernetes API
 * 500/503/429 + Retry-After, hangs past the client timeout, connection resets, 409 conflicts from
 * concurrent writers, the canary deleted) and through fake metric servers (down, slow, empty, NaN),
 * plus cancellation in every phase. After each: weights sum to 100, traffic on stable (or fully on
 * the promoted version), canary at 0, the state annotation terminal, the lease free, and the outcome
 * says what happened. In-process through runCanaryGate (the action's own composition).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { leaseStatus } from '../../src/rollout/lease-lock.ts';
import type { Phase, RolloutState } from '../../src/rollout/machine.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight } from '../../src/sim/seed.ts';
import type { FaultRule } from '../../src/sim/kube-faults.ts';
import { CANARY_IMAGE, STABLE_IMAGE, recordedState, routeWeightSums, run, seedApp, wholeViolations } from '../support/whole.ts';

let sim: KubeSimulator;
let ns = 0;
beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 80 });
});
afterAll(() => sim.close());

const nsPath = (namespace: string) => new RegExp(`/namespaces/${namespace}/`);

/** Adds the rules the first time the run records `phase` (the fault hits that phase's calls). */
function faultsAt(target: KubeSimulator, phase: Phase | 'start', rules: FaultRule[]): (s: RolloutState) => void {
  let done = false;
  if (phase === 'start') {
    for (const r of rules) target.faults.add(r);
    return () => {};
  }
  return (s) => {
    if (done || s.phase !== phase) return;
    done = true;
    for (const r of rules) target.faults.add(r);
  };
}

/** Adds the rules again at the start and at every phase change: the fault hits each phase's calls. */
function faultsInEveryPhase(target: KubeSimulator, rules: FaultRule[]): { onState: (s: RolloutState) => void; phases: string[] } {
  const phases = ['start'];
  for (const r of rules) target.faults.add(r);
  return {
    phases,
    onState: (s) => {
      const key = `${s.phase}:${s.stepIndex}`;
      if (phases.includes(key) || s.phase === 'promoted') return;
      phases.push(key);
      for (const r of rules) target.faults.add(r);
    },
  };
}

describe('transient Kubernetes API faults in every phase are absorbed: the canary is promoted', () => {
  const kinds: [string, (path: RegExp) => FaultRule[], number][] = [
    ['HTTP 500 ×2', (path) => [{ path, status: 500, times: 2 }], 2_000],
    ['HTTP 503 ×3 with Retry-After: 0', (path) => [{ path, status: 503, retryAfterSeconds: 0, times: 3 }], 2_000],
    ['HTTP 429 ×2 with Retry-After: 1', (path) => [{ path, status: 429, retryAfterSeconds: 1, times: 2 }], 2_000],
    ['connection reset ×2', (path) => [{ path, resetConnection: true, times: 2 }], 2_000],
    ['no answer past the client timeout', (path) => [{ path, delayMs: 1_300, times: 1 }], 1_000],
  ];

  test.concurrent.each(kinds)('%s at the start and in each phase', async (_kind, rules, requestTimeoutMs) => {
    const namespace = `transient-${++ns}`;
    await seedApp(sim, namespace);
    const faults = faultsInEveryPhase(sim, rules(nsPath(namespace)));
    // Sample the routes all along: the weights sum to 100 at every moment, not only at the end.
    const sums = new Set<number>();
    const weights = new Set<number>();
    const sampler = setInterval(() => {
      routeWeightSums(sim, namespace).forEach((x) => sums.add(x));
      weights.add(currentCanaryWeight(sim, namespace, 'web'));
    }, 5);
    const r = await run(sim, namespace, { kube: { requestTimeoutMs }, onState: faults.onState }).finally(() => clearInterval(sampler));
    expect([...sums]).toEqual([100]);
    expect([...weights].sort((a, b) => a - b)).toEqual([0, 20, 60]);
    expect(r.error).toBeUndefined();
    expect(r.outcome?.result).toBe('promoted');
    expect(wholeViolations(sim, namespace, { image: CANARY_IMAGE, phase: 'promoted' })).toEqual([]);
    // The faults were really served in every phase (the test is not vacuous).
    expect(faults.phases).toEqual(['start', 'deploying:-1', 'shifting:0', 'analysing:0', 'shifting:1', 'analysing:1', 'promoting:1']);
    const served = sim.requests.filter((q) => q.path.includes(`/namespaces/${namespace}/`) && (q.status >= 429 || q.status === 0));
    if (requestTimeoutMs === 2_000) expect(served.length).toBeGreaterThanOrEqual(faults.phases.length * 2);
  }, 40_000);
});

describe('a Kubernetes API outage that outlasts the retries', () => {
  const phases: Phase[] = ['deploying', 'analysing', 'promoting'];
  test.concurrent.each(phases)('starting in %s: the run fails safe, and the post step finishes the rollback once the API is back', async (phase) => {
    const own = await startKubeSimulator({ readyDelayMs: 80, validator: sim.validator });
    try {
      await seedApp(own, 'outage');
      // Every write fails from this phase on, for longer than the run's retries.
      const r = await run(own, 'outage', {
        onState: faultsAt(own, phase, [
          { method: 'PATCH', status: 503, times: Infinity },
          { method: 'PUT', status: 503, times: Infinity },
          { method: 'POST', status: 503, times: Infinity },
          { method: 'DELETE', status: 503, times: Infinity },
        ]),
      });
      // The run does not claim success, and says why.
      const result = r.outcome?.result ?? 'threw';
      expect(['rolled-back', 'failed']).toContain(result);
      expect(`${r.outcome?.reason} ${r.outcome?.message}`).toMatch(/api-error|HTTP 503|Service ?Unavailable/i);
      expect(r.log.lines.join('\n')).toMatch(/HTTP 503/);
      own.faults.clear();
      // The post step of the same run (mode abort on behalf of a cancelled/killed run).
      const post = await run(own, 'outage', { inputs: { mode: 'abort' }, cleanupOfCancelledRun: true });
      expect(post.error).toBeUndefined();
      expect(wholeViolations(own, 'outage', { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);
      expect(recordedState(own, 'outage')?.reason).toBe('cancelled');
    } finally {
      await own.close();
    }
  }, 30_000);

  test('during the rollback: the next run (after the dead run’s lease expires) rolls back the leftovers, then rolls out its own image', async () => {
    const own = await startKubeSimulator({ readyDelayMs: 80, validator: sim.validator });
    try {
      await seedApp(own, 'next');
      // A canary that never becomes ready breaches; then every write fails during the rollback.
      const r = await run(own, 'next', {
        inputs: { 'ready-timeout': '1s', image: `${CANARY_IMAGE}-crashloop` },
        runId: 'dead-run',
        onState: faultsAt(own, 'rolling-back', [
          { method: 'PATCH', status: 500, times: Infinity },
          { method: 'PUT', status: 500, times: Infinity },
          { method: 'DELETE', status: 500, times: Infinity },
        ]),
      });
      expect(r.outcome?.result).toBe('failed');
      expect(r.outcome?.message).toMatch(/HTTP 500/);
      own.faults.clear();
      // Another run now: refused while the dead run's lease lives, then it takes over.
      const early = await run(own, 'next', { runId: 'second', inputs: { image: 'ghcr.io/acme/web:3.0' } });
      const refused = early.error !== undefined;
      if (refused) {
        expect(String(early.error)).toMatch(/Another Canary Gate run \(dead-run\)/);
        // The dead run's lease (3 s) expires: nothing renews it any more.
        const deadline = Date.now() + 10_000;
        while (leaseStatus(own.store.get('coordination.k8s.io/v1', 'Lease', 'next', 'canary-gate-web') as never, Date.now()).kind === 'held' && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, 100));
        }
        expect(Date.now()).toBeLessThan(deadline);
        const later = await run(own, 'next', { runId: 'third', inputs: { image: 'ghcr.io/acme/web:3.0' } });
        expect(later.outcome?.result ?? String(later.error)).toBe('promoted');
        expect(later.log.lines.join('\n')).toMatch(/unfinished rollout dead-run/);
      } else {
        expect(early.outcome?.result).toBe('promoted');
      }
      expect(wholeViolations(own, 'next', { image: 'ghcr.io/acme/web:3.0', phase: 'promoted' })).toEqual([]);
    } finally {
      await own.close();
    }
  }, 30_000);
});

describe('concurrent writers', () => {
  test('409 conflicts on the lease and the VirtualService, and an HPA scaling stable mid-rollout', async () => {
    const namespace = `conflict-${++ns}`;
    await seedApp(sim, namespace);
    const path = nsPath(namespace);
    sim.faults.add({ method: 'PUT', path: /virtualservices/, status: 409, times: 3 });
    const r = await run(sim, namespace, {
      onState: (s) => {
        if (s.phase === 'analysing' && s.stepIndex === 0) {
          // An HPA (another field manager) scales the stable Deployment up while the canary is analysed.
          const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web') as { spec: { replicas: number } };
          sim.store.put({ ...d, spec: { ...d.spec, replicas: 3 } } as never);
          sim.faults.add({ method: 'PUT', path: new RegExp(`${path.source}leases`), status: 409, times: 2 });
        }
      },
    });
    expect(r.outcome?.result).toBe('promoted');
    expect(sim.requests.filter((q) => q.status === 409 && q.path.includes(namespace)).length).toBeGreaterThanOrEqual(3);
    expect(wholeViolations(sim, namespace, { image: CANARY_IMAGE, phase: 'promoted' })).toEqual([]);
    // Stable was never scaled below what the HPA asked for.
    const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web') as { spec: { replicas: number } };
    expect(d.spec.replicas).toBe(3);
  }, 30_000);

  test('a GitOps controller re-applies the stable Deployment (old image) during the promotion: rolled back with reason conflict, not reported as promoted', async () => {
    const namespace = `gitops-${++ns}`;
    await seedApp(sim, namespace);
    type D = { spec: { template: { spec: { containers: { image: string }[] } } } };
    let watcher: NodeJS.Timeout | undefined;
    const r = await run(sim, namespace, {
      onState: (s) => {
        if (s.phase !== 'promoting' || watcher) return;
        // Re-apply as in git right after our image change: image back to 1.0, our annotations kept.
        watcher = setInterval(() => {
          const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web') as unknown as D;
          if (d.spec.template.spec.containers[0]?.image !== CANARY_IMAGE) return;
          clearInterval(watcher);
          const copy = structuredClone(d);
          for (const c of copy.spec.template.spec.containers) c.image = STABLE_IMAGE;
          sim.store.put(copy as never);
        }, 2);
      },
    });
    clearInterval(watcher);
    expect(r.outcome).toMatchObject({ result: 'rolled-back', reason: 'conflict' });
    expect(r.outcome?.message).toMatch(/another writer/);
    expect(wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);
  }, 30_000);

  test('the canary Deployment deleted by someone mid-rollout: rolled back with reason not-found', async () => {
    const namespace = `deleted-${++ns}`;
    await seedApp(sim, namespace);
    const r = await run(sim, namespace, {
      inputs: { 'step-timeout': '10s' },
      onState: (s) => {
        if (s.phase === 'analysing') sim.store.delete('apps/v1', 'Deployment', namespace, 'web-canary');
      },
    });
    expect(r.outcome).toMatchObject({ result: 'rolled-back', reason: 'not-found' });
    expect(r.outcome?.message).toMatch(/web-canary no longer exists/);
    expect(wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);
  }, 30_000);
});

describe('cancellation in every phase rolls back', () => {
  const phases: Phase[] = ['deploying', 'shifting', 'analysing', 'promoting'];
  test(`${phases.join(', ')}: reason cancelled, whole on stable`, async () => {
    const results = await Promise.all(
      phases.map(async (phase) => {
        const namespace = `cancel-${++ns}`;
        await seedApp(sim, namespace);
        const controller = new AbortController();
        const r = await run(sim, namespace, {
          signal: controller.signal,
          onState: (s) => {
            if (s.phase === phase) controller.abort(new Error('cancelled'));
          },
        });
        return { phase, result: r.outcome?.result, reason: r.outcome?.reason, problems: wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: 'rolled-back' }) };
      }),
    );
    expect(results).toEqual(phases.map((phase) => ({ phase, result: 'rolled-back', reason: 'cancelled', problems: [] })));
  }, 30_000);
});

test('cancelled, then the API hiccups during the rollback: the rollback still retries and completes', async () => {
  const namespace = `cancel-retry-${++ns}`;
  await seedApp(sim, namespace);
  const controller = new AbortController();
  const r = await run(sim, namespace, {
    realKube: true,
    signal: controller.signal,
    onState: (s) => {
      if (s.phase === 'analysing') controller.abort(new Error('cancelled'));
      if (s.phase === 'rolling-back') sim.faults.add({ path: nsPath(namespace), status: 503, times: 2 });
    },
  });
  expect(r.outcome).toMatchObject({ result: 'rolled-back', reason: 'cancelled' });
  expect(sim.requests.filter((q) => q.path.includes(`/namespaces/${namespace}/`) && q.status === 503).length).toBe(2);
  expect(wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);
}, 30_000);

describe('metric providers that fail', () => {
  type Mode = 'ok' | 'down' | 'slow' | 'empty' | 'nan' | 'garbage';
  let prom: Server;
  let promUrl = '';
  const modes = new Map<string, Mode>();
  beforeAll(async () => {
    prom = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
        const mode = modes.get(/ns="([^"]+)"/.exec(query)?.[1] ?? '') ?? 'down';
        const vector = (v: string) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, v] }] } });
        switch (mode) {
          case 'ok':
            return void res.writeHead(200, { 'content-type': 'application/json' }).end(vector('0.1'));
          case 'nan':
            return void res.writeHead(200, { 'content-type': 'application/json' }).end(vector('NaN'));
          case 'empty':
            return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
          case 'garbage':
            return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
          case 'slow':
            return void setTimeout(() => res.writeHead(200).end(vector('0.1')), 1_500).unref();
          case 'down':
            return void res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        }
      });
    });
    await new Promise<void>((resolve) => prom.listen(0, '127.0.0.1', resolve));
    promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    prom.closeAllConnections();
    await new Promise((resolve) => prom.close(resolve));
  });

  const configFile = (namespace: string) => `
providers:
  prom:
    type: prometheus
    address: ${promUrl}
    timeout: 300ms
    retries: 2
metrics:
  - name: error-rate
    query: 'errors{ns="${namespace}",version="{{target}}"}'
    max: 1
`;

  test('healthy metrics promote (the control); every broken provider mode rolls back mid-rollout — never promotes', async () => {
    const all: Mode[] = ['ok', 'down', 'slow', 'empty', 'nan', 'garbage'];
    const results = await Promise.all(
      all.map(async (mode) => {
        const namespace = `metrics-${mode}-${++ns}`;
        // Healthy through the preflight, broken from the first shift on.
        modes.set(namespace, 'ok');
        await seedApp(sim, namespace);
        const r = await run(sim, namespace, {
          fileText: configFile(namespace),
          inputs: { 'step-timeout': '1500ms' },
          onState: (s) => {
            if (s.phase === 'shifting' || s.phase === 'analysing') modes.set(namespace, mode);
          },
        });
        const expected = mode === 'ok' ? { image: CANARY_IMAGE, phase: 'promoted' } : { image: STABLE_IMAGE, phase: 'rolled-back' };
        const metrics = (r.outcome?.report.steps ?? []).flatMap((s) => Object.values(s.gates).flatMap((g) => g.metrics));
        return { mode, result: r.outcome?.result ?? String(r.error), reason: r.outcome?.reason, message: r.outcome?.message ?? '', metrics, problems: wholeViolations(sim, namespace, expected) };
      }),
    );
    for (const r of results) {
      expect({ mode: r.mode, problems: r.problems }).toEqual({ mode: r.mode, problems: [] });
      expect({ mode: r.mode, result: r.result }).toEqual({ mode: r.mode, result: r.mode === 'ok' ? 'promoted' : 'rolled-back' });
      // The report names the metric that could not be judged, with its explanation.
      if (r.mode !== 'ok') expect(r.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'error-rate', verdict: expect.stringMatching(/inconclusive|fail/) })]));
    }
  }, 40_000);

  test('a provider broken before the start: the preflight refuses the rollout, nothing is deployed or recorded', async () => {
    const broken: Mode[] = ['down', 'slow', 'empty', 'nan', 'garbage'];
    const results = await Promise.all(
      broken.map(async (mode) => {
        const namespace = `preflight-${mode}-${++ns}`;
        modes.set(namespace, mode);
        await seedApp(sim, namespace);
        const r = await run(sim, namespace, { fileText: configFile(namespace), inputs: { 'step-timeout': '1500ms' } });
        const deployed = sim.store.get('apps/v1', 'Deployment', namespace, 'web-canary') !== undefined;
        return { mode, result: r.outcome?.result ?? String(r.error), reason: r.outcome?.reason, message: r.outcome?.message ?? '', deployed, problems: wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: undefined }) };
      }),
    );
    for (const r of results) {
      expect({ mode: r.mode, result: r.result, reason: r.reason, deployed: r.deployed, problems: r.problems }).toEqual({
        mode: r.mode,
        result: 'aborted',
        reason: 'metrics-unavailable',
        deployed: false,
        problems: [],
      });
      expect(r.message).toContain('metrics blocked the rollout before the canary got any traffic: metric "error-rate" (prom): the stable query');
    }
  }, 40_000);

  test('Datadog down: refused before the first shift, the outcome names the metric', async () => {
    const dd = createServer((_req, res) => void res.writeHead(503).end('{"errors":["unavailable"]}'));
    await new Promise<void>((resolve) => dd.listen(0, '127.0.0.1', resolve));
    try {
      const namespace = `datadog-${++ns}`;
      await seedApp(sim, namespace);
      const r = await run(sim, namespace, {
        env: { DD_API_KEY: 'dd-api-key-0000', DD_APP_KEY: 'dd-app-key-0000' },
        inputs: { 'step-timeout': '1500ms' },
        fileText: `
providers:
  dd:
    type: datadog
    address: http://127.0.0.1:${(dd.address() as AddressInfo).port}
    timeout: 300ms
    retries: 2
metrics:
  - name: dd-errors
    query: 'sum:errors{version:{{target}}}'
    max: 1
`,
      });
      expect({ result: r.outcome?.result, reason: r.outcome?.reason }).toEqual({ result: 'aborted', reason: 'metrics-unavailable' });
      expect(r.outcome?.message).toMatch(/metric "dd-errors" \(dd\): the (canary|stable) query/);
      expect(wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: undefined })).toEqual([]);
    } finally {
      dd.closeAllConnections();
      await new Promise((resolve) => dd.close(resolve));
    }
  }, 30_000);
});
