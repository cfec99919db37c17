/**
 * Gates on by default, and the preflight: the README's first example (inputs only, no canary.yml)
 * runs the data plane's built-in success-rate and latency gates with the default decision rule; a
 * wrong label is refused before the canary gets any traffic; without a provider the rollout says it is
 * gated on readiness only. In-process (buildConfig → runCanaryGate) against the simulator and the
 * real Prometheus.
 */
import { DEFAULT_DECISION_RULE } from '../../src/analysis/decision-rule.ts';
import { DEFAULT_BUILTIN_GATES } from '../../src/metrics/defaults.ts';
import { CANARY_IMAGE, STABLE_IMAGE, clusterState, healthy, rollout, startWorld, type World } from './world.ts';

let world: World;

beforeAll(async () => {
  world = await startWorld([
    // Enough traffic for the default sequential rule to bound a healthy canary within the step.
    { namespace: 'readme-good', rps: 20_000, scenario: { canary: healthy, stable: healthy } },
    { namespace: 'readme-bad', rps: 20_000, scenario: { canary: { ...healthy, errorRate: 0.1 }, stable: healthy } },
    // The data plane reports the stable as "web-main": the built-ins' destination_workload="web" finds nothing.
    { namespace: 'wrong-label', rps: 400, scenario: { canary: healthy, stable: healthy }, reportedWorkload: 'web-main' },
    { namespace: 'no-provider', rps: 100, scenario: { canary: healthy, stable: healthy }, scrape: false },
  ]);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

/** The README's first example as inputs (router, steps, prometheus-url), with short timings. */
const readmeInputs = {
  router: 'istio',
  steps: '20,50',
  'settle-time': '2s',
  'analysis-interval': '1s',
  'step-timeout': '40s',
  'ready-timeout': '20s',
  timeout: '120s',
};

test.concurrent('the README first example (inputs only) runs both built-in gates with the default rule: healthy promoted, 10 % errors rolled back', async () => {
  const [good, bad] = await Promise.all([
    rollout(world, 'readme-good', undefined, { inputs: readmeInputs, prometheusUrl: world.prom.url }),
    rollout(world, 'readme-bad', undefined, { inputs: readmeInputs, prometheusUrl: world.prom.url }),
  ]);
  for (const run of [good, bad]) {
    expect(run.lines.join('\n')).toContain('metrics: no metrics: configured: running the built-in gates request-error-rate and request-latency-p99 on provider prometheus');
    const names = run.outcome.report.steps[0]!.gates.metrics!.metrics.map((m) => m.name);
    expect(names).toEqual([...DEFAULT_BUILTIN_GATES.map((g) => g.name), 'traffic-share']);
    expect(run.lines.join('\n')).toContain(`metric error-rate (prometheus, ${DEFAULT_DECISION_RULE.judge})`);
    expect(run.lines.join('\n')).toMatch(/preflight: ok: metric "error-rate" \(prometheus\): stable/);
    expect(run.lines.join('\n')).toMatch(/preflight: ok: metric "latency-p99" \(prometheus\): stable/);
    // Before the canary exists the sequential gates read the stable's history (one point per
    // analysis interval over the last hour); the world's Prometheus holds only what it scraped.
    for (const m of ['error-rate', 'latency-p99']) {
      expect(run.lines.join('\n')).toMatch(new RegExp(`metric ${m}: stable history from prometheus: (\\d+ intervals over the last 1h \\(burstiness learned from it\\)|only \\d+ intervals over the last 1h)`));
    }
  }
  expect({ result: good.outcome.result, reason: good.outcome.reason }).toEqual({ result: 'promoted', reason: undefined });
  expect(clusterState(world.sim, 'readme-good')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  expect({ result: bad.outcome.result, reason: bad.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(bad.outcome.message).toMatch(/^error-rate: .*canary is worse than stable/);
  expect(clusterState(world.sim, 'readme-bad')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
}, 120_000);

test.concurrent('the preflight refuses a label that finds nothing, before any traffic shift, naming what the backend has', async () => {
  const shifts: number[] = [];
  const run = await rollout(world, 'wrong-label', undefined, {
    inputs: readmeInputs,
    prometheusUrl: world.prom.url,
    onState: (s) => shifts.push(s.weight),
  });
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'aborted', reason: 'metrics-unavailable' });
  // Nothing shifted, nothing recorded, the canary never created.
  expect(shifts.filter((w) => w > 0)).toEqual([]);
  expect(clusterState(world.sim, 'wrong-label')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: undefined });
  expect(world.sim.store.get('apps/v1', 'Deployment', 'wrong-label', 'web-canary')).toBeUndefined();
  expect(run.outcome.message).toContain('metrics blocked the rollout before the canary got any traffic');
  expect(run.outcome.message).toContain('the stable query returned no data');
  expect(run.outcome.message).toContain('It selected {reporter="destination",destination_workload_namespace="wrong-label",destination_workload="web"}');
  expect(run.outcome.message).toContain('destination_workload: "web-main"');
}, 60_000);

test.concurrent('without a provider the rollout is gated on readiness only, and says so as a warning', async () => {
  const run = await rollout(world, 'no-provider', undefined, { inputs: readmeInputs });
  expect(run.outcome.result).toBe('promoted');
  const warning = 'metrics: no metrics provider is configured (prometheus-url input, providers: section or Datadog keys): the rollout is gated on pod readiness only';
  expect(run.lines).toContain(`! ${warning}`);
  expect(run.outcome.report.precheck).toMatchObject({ verdict: 'warn', summary: warning.replace(/^metrics: /, '') });
}, 60_000);
