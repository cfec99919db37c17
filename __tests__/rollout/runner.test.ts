/**
 * The runner against the simulated cluster through the real client (in-process, no bundle): gate
 * verdicts, step timeouts, the overall timeout, gradual rollback, requests from other runs, pre-checks.
 */
import { ClientNodeKubeApi, loadKubeConfig } from '../../src/kube/client.ts';
import type { GateCheck, PreCheck, StepGate } from '../../src/rollout/gate.ts';
import type { Logger } from '../../src/rollout/report.ts';
import { RolloutRunner, type RunSettings } from '../../src/rollout/runner.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight, seedSampleApp } from '../../src/sim/seed.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import type { TrafficRouter } from '../../src/traffic/router.ts';
import { sleep } from '../../src/util/retry.ts';

let sim: KubeSimulator;
let namespaceCounter = 0;
beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 100 });
});
afterAll(() => sim.close());

const quietLog = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(`! ${m}`), error: (m) => lines.push(`✗ ${m}`), debug: () => {}, group: (n, fn) => (lines.push(`▸ ${n}`), fn()) };
};

interface Fixture {
  ns: string;
  runner(opts?: { gates?: StepGate[]; prechecks?: PreCheck[]; settings?: Partial<RunSettings>; runId?: string }): { runner: RolloutRunner; weights: number[]; log: ReturnType<typeof quietLog> };
}

async function fixture(): Promise<Fixture> {
  const ns = `runner-${++namespaceCounter}`;
  await seedSampleApp(sim, { namespace: ns, name: 'web', image: 'web:1', replicas: 2, router: 'istio', labels: { 'canary-gate.io/track': 'stable' } });
  const kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }));
  return {
    ns,
    runner(opts = {}) {
      const log = quietLog();
      const inner = createRouter('istio', { kube, target: { namespace: ns, stable: 'web', canary: 'web-canary' }, options: {}, log: () => {} });
      const weights: number[] = [];
      const router: TrafficRouter = { ...inner, name: inner.name, verify: () => inner.verify(), prepare: () => inner.prepare!(), getWeight: () => inner.getWeight(), reset: () => inner.reset(), cleanup: () => inner.cleanup!(), setWeight: (w) => (weights.push(w), inner.setWeight(w)) };
      const runner = new RolloutRunner(
        { kube, router, gates: opts.gates ?? [], prechecks: opts.prechecks ?? [], publish: async () => {}, log, now: Date.now, sleep },
        {
          mode: 'rollout',
          runId: opts.runId ?? 'test-run',
          namespace: ns,
          deployment: 'web',
          image: 'web:2',
          steps: [10, 30, 60],
          settleMs: 0,
          intervalMs: 100,
          stepTimeoutMs: 2_000,
          onInconclusive: 'rollback',
          readyTimeoutMs: 20_000,
          timeoutMs: 60_000,
          canaryReplicas: 'auto',
          rollback: 'immediate',
          cleanup: 'scale-to-zero',
          leaseMs: 10_000,
          pollMs: 100,
          stableTrackLabel: true,
          ...opts.settings,
        },
      );
      return { runner, weights, log };
    },
  };
}

const gate = (name: string, decide: (weight: number, check: number) => GateCheck['verdict']): StepGate => {
  let checks = 0;
  return {
    name,
    beginStep: () => {
      checks = 0;
    },
    check: async (ctx) => {
      const verdict = decide(ctx.weight, ++checks);
      return { verdict, summary: `${name} ${verdict} at ${ctx.weight}%`, metrics: [{ name, verdict, explanation: `canary ${ctx.weight}`, canaryValue: ctx.weight }] };
    },
  };
};

function image(ns: string): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', ns, 'web') as { spec: { template: { spec: { containers: { image: string }[] } } } };
  return d.spec.template.spec.containers[0]?.image;
}

test('a gate that fails at 30 % rolls back with reason gate-failed naming the metric and its numbers', async () => {
  const f = await fixture();
  const { runner, weights } = f.runner({ gates: [gate('errors', (w) => (w >= 30 ? 'fail' : 'pass'))] });
  const out = await runner.run();
  expect(out).toMatchObject({ result: 'rolled-back', reason: 'gate-failed' });
  expect(out.message).toBe('errors: canary 30');
  expect(weights).toEqual([10, 30]);
  expect(out.report.steps.map((s) => s.verdict)).toEqual(['pass', 'fail', 'skipped']);
  expect(image(f.ns)).toBe('web:1');
  expect(currentCanaryWeight(sim, f.ns, 'web')).toBe(0);
});

test('a gate that stays inconclusive rolls back at the step timeout — never promotes', async () => {
  const f = await fixture();
  const { runner } = f.runner({ gates: [gate('no-data', () => 'inconclusive')] });
  const out = await runner.run();
  expect(out).toMatchObject({ result: 'rolled-back', reason: 'gate-inconclusive' });
  expect(image(f.ns)).toBe('web:1');
});

describe('on-inconclusive: advance', () => {
  // The metric a sequential judge reports while undecided: its power says what the step could see.
  const undecided = (atWeight: number): StepGate => ({
    name: 'metrics',
    check: async (ctx) => {
      const verdict: GateCheck['verdict'] = ctx.weight === atWeight ? 'continue' : 'pass';
      const power = { kind: 'error-rate' as const, minDetectableIncrease: 2, baseRate: 0.01, targetIncrease: 0.5, power: 0.8 };
      return { verdict, summary: `error-rate ${verdict} at ${ctx.weight}%`, metrics: [{ name: 'error-rate', verdict, explanation: 'undecided', power }] };
    },
  });

  test('promotes through a step that stays undecided, with a warning, the step shown as advanced and the result saying so', async () => {
    const f = await fixture();
    const { runner, log } = f.runner({ gates: [undecided(30)], settings: { onInconclusive: 'advance', stepTimeoutMs: 500 } });
    const out = await runner.run();
    expect(out.result).toBe('promoted');
    expect(image(f.ns)).toBe('web:2');
    expect(out.report.steps.map((s) => s.verdict)).toEqual(['pass', 'advanced-inconclusive', 'pass']);
    expect(out.report.steps[1]?.advanced).toEqual({
      headline: 'step 2 (30%) advanced without the power to see +50% (on-inconclusive: advance)',
      message: expect.stringMatching(/^step 2 \(30%\) did not pass within 1s \(step-timeout\): metrics: continue — error-rate continue at 30%; advanced \(on-inconclusive: advance\)$/),
    });
    expect(out.message).toBe('web:2 promoted: web runs it at 100 %; step 2 (30%) advanced without the power to see +50% (on-inconclusive: advance)');
    expect(log.lines).toContain(`! ${out.report.steps[1]?.advanced?.message}`);
  });

  test('without it (the default) the same step rolls back at the step timeout', async () => {
    const f = await fixture();
    const { runner } = f.runner({ gates: [undecided(30)], settings: { stepTimeoutMs: 500 } });
    const out = await runner.run();
    expect(out).toMatchObject({ result: 'rolled-back', reason: 'timeout' });
    expect(out.report.steps.map((s) => s.verdict)).toEqual(['pass', 'fail', 'skipped']);
    expect(image(f.ns)).toBe('web:1');
  });
});

test('the overall timeout rolls back, and says so', async () => {
  const f = await fixture();
  const { runner } = f.runner({ gates: [gate('slow', () => 'continue')], settings: { timeoutMs: 1_500, stepTimeoutMs: 60_000 } });
  const out = await runner.run();
  expect(out).toMatchObject({ result: 'rolled-back', reason: 'timeout' });
  expect(out.message).toContain('overall timeout');
});

test('gradual rollback walks the weights down before resetting', async () => {
  const f = await fixture();
  const { runner, weights } = f.runner({ gates: [gate('late', (w) => (w >= 60 ? 'fail' : 'pass'))], settings: { rollback: 'gradual', settleMs: 0 } });
  const out = await runner.run();
  expect(out.result).toBe('rolled-back');
  expect(weights).toEqual([10, 30, 60, 30, 10]);
  expect(currentCanaryWeight(sim, f.ns, 'web')).toBe(0);
});

test('a gate that throws is a failed check, not a crash', async () => {
  const f = await fixture();
  const broken: StepGate = { name: 'broken', check: async () => Promise.reject(new Error('provider exploded')) };
  const out = await f.runner({ gates: [broken] }).runner.run();
  expect(out).toMatchObject({ result: 'rolled-back', reason: 'gate-failed' });
  expect(out.message).toContain('provider exploded');
});

test('a blocking pre-check stops the rollout before any canary exists', async () => {
  const f = await fixture();
  const block: PreCheck = { name: 'schema', run: async () => ({ verdict: 'block', summary: 'SC102 drop column users.email', markdown: '', findings: [] }) };
  const out = await f.runner({ prechecks: [block] }).runner.run();
  expect(out).toMatchObject({ result: 'aborted', reason: 'schema-blocked' });
  expect(sim.store.get('apps/v1', 'Deployment', f.ns, 'web-canary')).toBeUndefined();
});

test("every pre-check's result stays in the report: the metric preflight does not replace the schema check's findings", async () => {
  const f = await fixture();
  const schema: PreCheck = { name: 'schema', run: async () => ({ verdict: 'warn', summary: 'SC201 column users.email made NOT NULL', markdown: '### schema findings', findings: [{ rule: 'SC201' }] }) };
  const metrics: PreCheck = { name: 'metrics', run: async () => ({ verdict: 'pass', summary: '2 metric queries return data for the stable', markdown: '| metric | preflight |', findings: [{ metric: 'errors' }] }) };
  const out = await f.runner({ prechecks: [schema, metrics] }).runner.run();
  expect(out.result).toBe('promoted');
  expect(out.report.precheck).toEqual({
    verdict: 'warn',
    summary: 'SC201 column users.email made NOT NULL; 2 metric queries return data for the stable',
    markdown: '### schema findings\n\n| metric | preflight |',
    findings: [{ rule: 'SC201' }, { metric: 'errors' }],
  });
});

test('mode promote from another run makes the live run skip its remaining steps', async () => {
  const f = await fixture();
  const live = f.runner({ gates: [gate('wait', () => 'continue')], settings: { stepTimeoutMs: 30_000 }, runId: 'live' });
  const running = live.runner.run();
  while (!live.log.lines.some((l) => l.startsWith('check 1'))) await sleep(50);
  const requester = f.runner({ settings: { mode: 'promote' }, runId: 'approver' });
  const [liveOut, requestOut] = await Promise.all([running, requester.runner.run()]);
  expect(liveOut.result).toBe('promoted');
  expect(requestOut.result).toBe('promoted');
  expect(live.weights).toEqual([10]);
  expect(image(f.ns)).toBe('web:2');
});

test('mode abort from another run rolls the live run back as aborted', async () => {
  const f = await fixture();
  const live = f.runner({ gates: [gate('wait', () => 'continue')], settings: { stepTimeoutMs: 30_000 }, runId: 'live' });
  const running = live.runner.run();
  while (!live.log.lines.some((l) => l.startsWith('check 1'))) await sleep(50);
  const [liveOut, abortOut] = await Promise.all([running, f.runner({ settings: { mode: 'abort' }, runId: 'stopper' }).runner.run()]);
  expect(liveOut.result).toBe('aborted');
  expect(abortOut.result).toBe('aborted');
  expect(image(f.ns)).toBe('web:1');
});

test('every gate begins the rollout once, before the first step, then each step', async () => {
  const f = await fixture();
  const calls: string[] = [];
  const recording: StepGate = {
    name: 'recording',
    beginRollout: (ctx) => void calls.push(`rollout ${ctx.steps.join('/')}`),
    beginStep: (ctx) => void calls.push(`step ${ctx.weight}`),
    check: async () => ({ verdict: 'pass', summary: 'ok', metrics: [] }),
  };
  const out = await f.runner({ gates: [recording] }).runner.run();
  expect(out.result).toBe('promoted');
  expect(calls).toEqual(['rollout 10/30/60', 'step 10', 'step 30', 'step 60']);
});

test('mode status writes nothing', async () => {
  const f = await fixture();
  await f.runner().runner.run();
  sim.clearRequests();
  const out = await f.runner({ settings: { mode: 'status' } }).runner.run();
  expect(out.message).toContain('promoted');
  expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});
