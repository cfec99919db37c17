/**
 * Whole metric-gated rollouts end to end: canary.yml text → buildConfig → runCanaryGate against the
 * Kubernetes simulator, with traffic generators whose canary share follows the VirtualService and
 * one REAL Prometheus (scripts/install-prometheus.sh) scraping them; plus the Datadog stand-in.
 * Independent scenarios run concurrently in their own namespaces; the one that stops Prometheus
 * runs last.
 */
import type { MetricReport } from '../../src/rollout/gate.ts';
import type { RolloutReport } from '../../src/rollout/report.ts';
import { startDatadogStandIn, type DatadogStandIn } from '../../src/sim/datadog.ts';
import { RunnerDir, runAction } from '../../src/sim/github-runner.ts';
import { CANARY_IMAGE, STABLE_IMAGE, canaryYaml, clusterState, healthy, rollout, startWorld, type World } from './world.ts';

const DD_API_KEY = 'dd-api-key-e2e-0123456789';
const DD_APP_KEY = 'dd-app-key-e2e-9876543210';

let world: World;
let runnerDir: RunnerDir | undefined;
const standIns: DatadogStandIn[] = [];

beforeAll(async () => {
  world = await startWorld([
    { namespace: 'healthy', rps: 400, scenario: { canary: healthy, stable: healthy } },
    { namespace: 'errors', rps: 400, scenario: { canary: { ...healthy, errorRate: 0.2 }, stable: healthy } },
    { namespace: 'slow', rps: 400, scenario: { canary: { ...healthy, latencyMs: { p50: 20, p99: 300 } }, stable: healthy } },
    { namespace: 'idle', rps: 400, scenario: { canary: healthy, stable: healthy }, weight: () => 0 },
    { namespace: 'seq-good', rps: 2000, scenario: { canary: healthy, stable: healthy } },
    { namespace: 'seq-bad', rps: 2000, scenario: { canary: { ...healthy, errorRate: 0.1 }, stable: healthy } },
    { namespace: 'prom-down', rps: 400, scenario: { canary: healthy, stable: healthy } },
    { namespace: 'bundled', rps: 400, scenario: { canary: healthy, stable: healthy } },
    { namespace: 'dd-healthy', rps: 600, scenario: { canary: healthy, stable: healthy }, scrape: false },
    { namespace: 'dd-errors', rps: 600, scenario: { canary: { ...healthy, errorRate: 0.2 }, stable: healthy }, scrape: false },
  ]);
}, 60_000);

afterAll(async () => {
  runnerDir?.remove();
  await Promise.all(standIns.map((s) => s.stop()));
  await world?.close();
});

/** Success rate (threshold) and p99 (relative to stable) on the built-in Istio queries. */
const promMetrics = (extra = ''): string => `
providers:
  prom:
    type: prometheus
    address: ${world.prom.url}
    timeout: 2s
    retries: 2
metrics:
  - name: success-rate
    builtin: request-success-rate
    min: 95
    interval: 10s
    min-requests: 50${extra}
  - name: latency-p99
    builtin: request-latency-p99
    judge: relative
    max-increase: 0.5
    failure-limit: 2
    interval: 10s
    min-requests: 50${extra}
`;

const metric = (report: RolloutReport, step: number, name: string): MetricReport => {
  const m = report.steps[step]?.gates.metrics?.metrics.find((x) => x.name === name);
  if (!m) throw new Error(`step ${step + 1} has no check of metric ${name}: ${JSON.stringify(report.steps[step])}`);
  return m;
};

/** How many checks of the metric gate the run logged (optionally: with this verdict). */
const metricChecks = (lines: string[], verdict = '[a-z]+'): number => lines.filter((l) => new RegExp(`^check \\d+ metrics: ${verdict} — `).test(l)).length;

test.concurrent('a healthy canary is promoted on real query results, with per-step values for canary and stable', async () => {
  const run = await rollout(world, 'healthy', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: promMetrics() }));
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'promoted', reason: undefined });
  expect(clusterState(world.sim, 'healthy')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  const report = run.outcome.report;
  expect(report.steps.map((s) => [s.weight, s.verdict])).toEqual([
    [20, 'pass'],
    [50, 'pass'],
  ]);
  for (const step of [0, 1]) {
    const sr = metric(report, step, 'success-rate');
    expect(sr.verdict).toBe('pass');
    expect(sr.canaryValue).toBeGreaterThan(95);
    expect(sr.canaryValue).toBeLessThanOrEqual(100);
    expect(sr.stableValue).toBeGreaterThan(97);
    const lat = metric(report, step, 'latency-p99');
    expect(lat.verdict).toBe('pass');
    // Log-normal with p99 100 ms over buckets ..75, 100, 150..: the estimate lies near 100.
    for (const v of [lat.canaryValue, lat.stableValue]) {
      expect(v).toBeGreaterThan(60);
      expect(v).toBeLessThan(160);
    }
  }
  // The chart data: both metrics at both weights, each with a canary and a stable value.
  for (const weight of [20, 50]) {
    for (const name of ['success-rate', 'latency-p99']) {
      const points = report.metricHistory.filter((p) => p.weight === weight && p.metric === name && p.canary !== undefined && p.stable !== undefined);
      expect({ weight, name, points: points.length > 0 }).toEqual({ weight, name, points: true });
    }
  }
  expect(run.summary).toContain('Promoted');
  expect(run.summary).toMatch(/\| metrics \| success-rate \| ✅ pass \| (100|9\d(\.\d+)?)% \| (100|9\d(\.\d+)?)% \|/);
});

test.concurrent('a canary with 20 % errors is rolled back at the first step, naming metric, query, values and threshold', async () => {
  const run = await rollout(world, 'errors', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: promMetrics() }));
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(clusterState(world.sim, 'errors')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  const report = run.outcome.report;
  expect(report.steps.map((s) => s.verdict)).toEqual(['fail', 'skipped']);
  expect(Math.max(...run.states.map((s) => s.weight))).toBe(20);
  const sr = metric(report, 0, 'success-rate');
  expect(sr).toMatchObject({ verdict: 'fail', threshold: '>= 95%' });
  expect(sr.canaryValue).toBeGreaterThan(70);
  expect(sr.canaryValue).toBeLessThan(90);
  expect(sr.stableValue).toBeGreaterThan(97);
  expect(sr.query).toContain('destination_workload_namespace="errors",destination_workload="web-canary"');
  expect(sr.query).toContain('destination_workload_namespace="errors",destination_workload="web"}');
  expect(sr.explanation).toMatch(/canary \d+(\.\d+)?% is below the minimum 95%/);
  expect(run.outcome.message).toContain('success-rate');
  expect(report.reason).toBe('gate-failed');
  expect(run.lines.join('\n')).toMatch(/metric success-rate: canary \d+(\.\d+)?%, stable 9\d(\.\d+)?%, threshold >= 95% -> fail/);
});

test.concurrent('a canary with 3x the stable p99 is rolled back by the relative judge', async () => {
  const run = await rollout(world, 'slow', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: promMetrics() }));
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(clusterState(world.sim, 'slow')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  const report = run.outcome.report;
  expect(report.steps[0]!.verdict).toBe('fail');
  const lat = metric(report, 0, 'latency-p99');
  expect(lat.verdict).toBe('fail');
  expect(lat.canaryValue!).toBeGreaterThan(1.5 * lat.stableValue!);
  expect(lat.threshold).toMatch(/^<= 1\.5 x stable \(\d+(\.\d+)? ms\)$/);
  // The error rate is the stable's: only the latency judge objects.
  expect(metric(report, 0, 'success-rate').verdict).not.toBe('fail');
  expect(run.outcome.message).toContain('latency-p99');
});

test.concurrent('a route that did not take effect (the data plane sends the canary nothing at 20 %) is caught by the traffic-share check at the first step', async () => {
  // The VirtualService says 20 %, but the traffic of namespace "idle" all reaches the stable — as with
  // a route shadowed by another, or canary pods outside the mesh.
  const run = await rollout(world, 'idle', canaryYaml({ steps: [20, 50], stepTimeout: '20s', body: promMetrics() }));
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(clusterState(world.sim, 'idle')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  expect(run.states.map((s) => s.phase)).not.toContain('promoting');
  const report = run.outcome.report;
  expect(report.steps.map((s) => s.verdict)).toEqual(['fail', 'skipped']);
  const share = metric(report, 0, 'traffic-share');
  expect(share.verdict).toBe('fail');
  expect(share.explanation).toMatch(/^the canary served 0 of \d+ requests \(0%\) with weight 20%, outside 10%\.\.40%: the route change did not take effect/);
  expect(share.query).toContain('sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="idle",destination_workload="web-canary"}[');
  // The metric gates had no canary data: never a pass.
  for (const name of ['success-rate', 'latency-p99']) expect(metric(report, 0, name).verdict).not.toBe('pass');
  expect(run.outcome.message).toMatch(/traffic-share: the canary served 0 of \d+ requests/);
  // Caught by the check, not by the step timeout.
  expect(run.outcome.message).not.toMatch(/step-timeout/);
});

test.concurrent('judge: sequential on the built-in success rate catches 1 % → 10 % errors and promotes the healthy twin', async () => {
  const body = `
providers:
  prom:
    type: prometheus
    address: ${world.prom.url}
    timeout: 2s
metrics:
  - name: errors-seq
    builtin: request-success-rate
    judge: sequential
    allowed-increase: 2
    alpha: 0.01
    min-requests: 200
`;
  const yaml = canaryYaml({ steps: [50], stepTimeout: '30s', body });
  const [good, bad] = await Promise.all([rollout(world, 'seq-good', yaml), rollout(world, 'seq-bad', yaml)]);
  expect({ result: bad.outcome.result, reason: bad.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(clusterState(world.sim, 'seq-bad')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  const caught = metric(bad.outcome.report, 0, 'errors-seq');
  expect(caught.verdict).toBe('fail');
  expect(good.outcome.result).toBe('promoted');
  expect(clusterState(world.sim, 'seq-good')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  expect(metric(good.outcome.report, 0, 'errors-seq').verdict).toBe('pass');
});

test.concurrent('the healthy/erroring pair through the Datadog stand-in (v2 formulas), one 429 waited out', async () => {
  const start = async (ns: string): Promise<DatadogStandIn> => {
    const dd = await startDatadogStandIn({ generators: [world.generators[ns]!], apiKey: DD_API_KEY, applicationKey: DD_APP_KEY, bucketMs: 1000 });
    standIns.push(dd);
    return dd;
  };
  const [ddHealthy, ddErrors] = await Promise.all([start('dd-healthy'), start('dd-errors')]);
  const sel = '{kube_namespace:{{namespace}},kube_deployment:{{target}}}';
  const body = (dd: DatadogStandIn): string => `
providers:
  dd:
    type: datadog
    address: ${dd.url}
    api: v2
    timeout: 3s
    retries: 3
metrics:
  - name: error-rate
    queries:
      a: sum:trace.http.request.hits${sel}.as_count()
      b: sum:trace.http.request.errors${sel}.as_count()
    query: 100 * b / a
    aggregate: avg
    interval: 10s
    max: 5
    failure-limit: 2
    unit: '%'
  - name: latency-p99
    query: p99:trace.http.request.duration${sel}
    judge: relative
    max-increase: 0.5
    failure-limit: 2
    aggregate: avg
    interval: 10s
    unit: s
`;
  const secrets = { 'datadog-api-key': DD_API_KEY, 'datadog-app-key': DD_APP_KEY };
  let limited = false;
  const [good, bad] = await Promise.all([
    rollout(world, 'dd-healthy', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: body(ddHealthy) }), {
      secrets,
      // Once the first analysis begins, the next query call is refused with a 1 s reset.
      onState: (s) => {
        if (s.phase === 'analysing' && !limited) {
          limited = true;
          ddHealthy.rateLimitNext(1, 1);
        }
      },
    }),
    rollout(world, 'dd-errors', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: body(ddErrors) }), { secrets }),
  ]);

  expect({ result: good.outcome.result, reason: good.outcome.reason }).toEqual({ result: 'promoted', reason: undefined });
  expect(clusterState(world.sim, 'dd-healthy')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  // The preflight queries 2 metrics x 2 versions once, each check the same again: one call more
  // than that is the refused query, sent again once after the reset the headers announced; no check
  // saw it as a provider error. (How long the wait lasts is timed in __tests__/metrics/datadog.test.ts,
  // without concurrent load.)
  const calls = ddHealthy.calls;
  expect(calls.filter((c) => c.status === 429)).toHaveLength(1);
  expect(calls.length).toBe(4 + 4 * metricChecks(good.lines) + 1);
  expect(good.lines.join('\n')).toMatch(/dd: attempt 1 failed \(dd: rate limited \(HTTP 429.*retrying in 1000 ms/);
  expect(good.lines.join('\n')).not.toContain('metrics-unavailable');
  expect(good.outcome.report.steps.map((s) => s.verdict)).toEqual(['pass', 'pass']);
  // The reported value is the one judged: within the configured max of 5 % (a 1 % canary over a
  // 10 s window at 20 % weight sees a few hundred requests, so 3 % is within its noise).
  expect(metric(good.outcome.report, 0, 'error-rate').canaryValue).toBeLessThanOrEqual(5);

  expect({ result: bad.outcome.result, reason: bad.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'gate-failed' });
  expect(clusterState(world.sim, 'dd-errors')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  expect(bad.outcome.report.steps.map((s) => s.verdict)).toEqual(['fail', 'skipped']);
  const er = metric(bad.outcome.report, 0, 'error-rate');
  expect(er).toMatchObject({ verdict: 'fail', threshold: '<= 5%' });
  // 20 % errors, averaged over 1 s buckets of ~100 canary requests (some only partly at the new
  // weight): well above the 5 % limit, below what healthy traffic could never reach.
  expect(er.canaryValue).toBeGreaterThan(8);
  expect(er.canaryValue).toBeLessThan(32);
  expect(er.stableValue).toBeLessThan(3);
  expect(er.query).toContain('kube_namespace:dd-errors,kube_deployment:web-canary');

  // The keys reach the masker and never the logs.
  for (const run of [good, bad]) {
    expect(run.masked).toEqual(expect.arrayContaining([DD_API_KEY, DD_APP_KEY]));
    expect(run.lines.join('\n')).not.toContain(DD_API_KEY);
    expect(run.lines.join('\n')).not.toContain(DD_APP_KEY);
  }
});

test.concurrent('the bundled action (dist/main) gates on the prometheus-url input and the config file metrics', async () => {
  runnerDir = new RunnerDir();
  // No providers: section: the prometheus-url input supplies the one provider.
  const metricsOnly = promMetrics().replace(/^providers:[\s\S]*?(?=^metrics:)/m, '');
  runnerDir.writeWorkspaceFile('.github/canary.yml', canaryYaml({ steps: [20, 50], stepTimeout: '15s', body: metricsOnly }));
  const run = await runAction('main', {
    runner: runnerDir,
    inputs: { kubeconfig: world.sim.kubeconfig(), namespace: 'bundled', deployment: 'web', image: CANARY_IMAGE, 'prometheus-url': world.prom.url },
  });
  expect({ code: run.code, result: run.outputs.result, weight: run.outputs['final-weight'] }).toEqual({ code: 0, result: 'promoted', weight: '100' });
  expect(clusterState(world.sim, 'bundled')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  expect(run.stdout).toContain('Config file: .github/canary.yml (the default).');
  expect(run.stdout).toContain('destination_workload_namespace="bundled",destination_workload="web-canary"');
  expect(run.stdout).toMatch(/metric success-rate: canary (100|9\d(\.\d+)?)%, stable 9\d(\.\d+)?%, threshold >= 95% -> pass/);
  expect(run.stdout).toMatch(/metric latency-p99: canary \d+(\.\d+)? ms, stable \d+(\.\d+)? ms, threshold <= 1\.5 x stable .* -> pass/);
});

// Last: it stops the shared Prometheus.
test('Prometheus stopped mid-rollout: rolled back, the reason naming the provider as unavailable', async () => {
  let stopped: Promise<void> | undefined;
  // A 40 s step-timeout: step 1 must pass for Prometheus to be stopped in step 2, and on a loaded
  // runner 20 s was once not enough (the metric then fails on error-limit 2 within seconds anyway).
  const run = await rollout(world, 'prom-down', canaryYaml({ steps: [20, 50], stepTimeout: '40s', body: promMetrics('\n    error-limit: 2') }), {
    onState: (s) => {
      if (s.phase === 'analysing' && s.stepIndex === 1) stopped ??= world.prom.stop();
    },
  });
  await stopped;
  // When step 2 was never reached, say how the rollout ended instead of only "undefined".
  if (stopped === undefined) expect({ steps: run.outcome.report.steps.map((s) => s.verdict), message: run.outcome.message }).toEqual({ steps: ['pass', 'running'], message: 'reached step 2' });
  expect(stopped).toBeDefined();
  expect({ result: run.outcome.result, reason: run.outcome.reason }).toEqual({ result: 'rolled-back', reason: 'metrics-unavailable' });
  expect(clusterState(world.sim, 'prom-down')).toEqual({ image: STABLE_IMAGE, weight: 0, canaryReplicas: 0, phase: 'rolled-back' });
  const report = run.outcome.report;
  expect(report.steps.map((s) => s.verdict)).toEqual(['pass', 'fail']);
  const sr = metric(report, 1, 'success-rate');
  expect(sr.verdict).toBe('fail');
  expect(sr.explanation).toMatch(/^metrics-unavailable: prom: cannot reach http:\/\/127\.0\.0\.1:\d+.*error-limit 2/);
  expect(run.outcome.message).toMatch(/metrics-unavailable: prom: cannot reach/);
});
