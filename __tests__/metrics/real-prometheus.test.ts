/**
 * The metric gate against the REAL Prometheus binary scraping the traffic generator. Needs
 * `prometheus` on PATH (scripts/install-prometheus.sh); without it every test fails saying so.
 */
import { startTrafficGenerator, type TrafficGenerator, type TrafficScenario } from '../../src/sim/traffic.ts';
import { startPrometheus, type RunningPrometheus } from '../../src/sim/prometheus.ts';
import { createMetricGate, type MetricGate } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';
import type { GateCheck } from '../../src/rollout/gate.ts';
import { DATA_PLANES, type DataPlane } from '../../src/metrics/builtins.ts';

const healthy = { errorRate: 0.01, latencyMs: { p50: 20, p99: 100 } };
const SCENARIOS: Record<string, { weight: number; scenario: TrafficScenario }> = {
  healthy: { weight: 50, scenario: { canary: healthy, stable: healthy } },
  errors: { weight: 50, scenario: { canary: { ...healthy, errorRate: 0.2 }, stable: healthy } },
  slow: { weight: 50, scenario: { canary: { errorRate: 0.01, latencyMs: { p50: 60, p99: 1000 } }, stable: healthy } },
  idle: { weight: 0, scenario: { canary: healthy, stable: healthy } },
};

const generators: Record<string, TrafficGenerator> = {};
let prom: RunningPrometheus | undefined;
const gates: MetricGate[] = [];

function gateFor(
  scenario: string,
  opts: { router?: string; dataPlane?: DataPlane; metrics?: unknown[]; address?: string; lines?: string[] } = {},
): MetricGate {
  const g = generators[scenario]!;
  const config = metricsConfigSchema.parse({
    providers: { prom: { type: 'prometheus', address: opts.address ?? prom!.url, timeout: '2s', retries: 2 } },
    metrics: opts.metrics ?? [
      { name: 'success-rate', builtin: 'request-success-rate', min: 95, 'min-requests': 200 },
      { name: 'latency-p99', builtin: 'request-latency-p99', judge: 'relative', 'max-increase': 0.5, 'min-requests': 200 },
    ],
  });
  const gate = createMetricGate({
    config,
    vars: { namespace: g.namespace, stable: g.stable, canary: g.canary, service: g.stable, ingress: g.stable, 'stable-service': `${g.stable}-stable`, 'canary-service': `${g.stable}-canary`, interval: '10s' },
    router: opts.router ?? 'istio',
    ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}),
    secrets: {},
    log: (l) => opts.lines?.push(l),
    retryBaseDelayMs: 20,
  });
  gates.push(gate);
  return gate;
}

const ctx = () => ({ stepIndex: 0, weight: 50, stepStartedAt: Date.now(), now: Date.now() });
const byName = (c: GateCheck, name: string) => c.metrics.find((m) => m.name === name)!;

beforeAll(async () => {
  let seed = 1;
  for (const [name, s] of Object.entries(SCENARIOS)) {
    generators[name] = await startTrafficGenerator({
      weightSource: () => s.weight,
      namespace: `ns-${name}`,
      stable: 'web',
      canary: 'web-canary',
      rps: 1000,
      scenario: s.scenario,
      seed: seed++,
    });
  }
  prom = await startPrometheus({ scrapeTargets: Object.values(generators).map((g) => g.target), scrapeIntervalMs: 500 });
  // Prometheus applies scrape configs a few seconds after start, and each target is scraped at its
  // own offset: wait until every scenario with canary traffic has enough samples in its window.
  const warm = ['healthy', 'errors', 'slow'].map((name) => gateFor(name));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const checks = await Promise.all(warm.map((g) => g.check(ctx())));
    if (checks.every((c) => c.metrics.every((m) => m.verdict !== 'inconclusive'))) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('Prometheus returned no data for the healthy, errors and slow scenarios within 30 s');
}, 60_000);

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await prom?.stop();
  await Promise.all(Object.values(generators).map((g) => g.stop()));
});

test('healthy canary passes on real query results, for every data plane', async () => {
  for (const router of DATA_PLANES) {
    const lines: string[] = [];
    const check = await gateFor('healthy', { router: 'gateway-api', dataPlane: router, lines }).check(ctx());
    expect({ router, verdict: check.verdict, summary: check.summary }).toEqual({ router, verdict: 'pass', summary: '2 of 2 metrics pass' });
    const sr = byName(check, 'success-rate');
    expect(sr.canaryValue).toBeGreaterThan(97);
    expect(sr.canaryValue).toBeLessThanOrEqual(100);
    expect(sr.stableValue).toBeGreaterThan(97);
    const lat = byName(check, 'latency-p99');
    expect(lat.canaryValue).toBeGreaterThan(50);
    expect(lat.canaryValue).toBeLessThan(200);
    // One log line per metric per check, with the numbers.
    expect(lines.filter((l) => /^metric success-rate: canary \d/.test(l))).toHaveLength(1);
  }
});

test('canary with a raised error rate fails, and the report names query, values and threshold', async () => {
  const check = await gateFor('errors').check(ctx());
  expect(check.verdict).toBe('fail');
  expect(check.summary).toBe('metric success-rate failed');
  const sr = byName(check, 'success-rate');
  expect(sr).toMatchObject({ verdict: 'fail', threshold: '>= 95%' });
  expect(sr.canaryValue).toBeGreaterThan(70);
  expect(sr.canaryValue).toBeLessThan(90);
  expect(sr.stableValue).toBeGreaterThan(97);
  expect(sr.query).toContain('destination_workload="web-canary"');
  expect(sr.query).toContain('destination_workload="web"');
  expect(sr.explanation).toMatch(/canary \d+(\.\d+)?% is below the minimum 95%/);
  expect(byName(check, 'latency-p99').verdict).toBe('pass');
});

test('canary with a raised p99 fails the relative judge', async () => {
  const check = await gateFor('slow', { router: 'nginx', dataPlane: 'nginx' }).check(ctx());
  expect(check.verdict).toBe('fail');
  const lat = byName(check, 'latency-p99');
  expect(lat.verdict).toBe('fail');
  expect(lat.canaryValue!).toBeGreaterThan(1.5 * lat.stableValue!);
  expect(lat.threshold).toMatch(/^<= 1\.5 x stable \(\d+(\.\d+)? ms\)$/);
  expect(byName(check, 'success-rate').verdict).toBe('pass');
});

test('no traffic to the canary is inconclusive, never pass', async () => {
  const check = await gateFor('idle').check(ctx());
  expect(check.verdict).toBe('inconclusive');
  for (const m of check.metrics) {
    expect(m.verdict).toBe('inconclusive');
    expect(m.canaryValue).toBeUndefined();
  }
  // Without min-requests too: the built-in success rate has no data rather than 100 %.
  const bare = await gateFor('idle', { metrics: [{ name: 'sr', builtin: 'request-success-rate', min: 95 }] }).check(ctx());
  expect(bare.verdict).toBe('inconclusive');
  expect(bare.metrics[0]!.explanation).toMatch(/canary returned no data/);
});

test('judge: sequential gets cumulative counts from the built-ins and catches the raised error rate', async () => {
  const metrics = [{ name: 'errors-seq', builtin: 'request-error-rate', judge: 'sequential', 'allowed-increase': 0.2, 'min-requests': 100 }];
  const bad = gateFor('errors', { metrics });
  const good = gateFor('healthy', { metrics });
  bad.beginStep!(ctx());
  good.beginStep!(ctx());
  const verdicts: string[] = [];
  let last: GateCheck | undefined;
  for (let i = 0; i < 6 && last?.verdict !== 'fail'; i++) {
    last = await bad.check(ctx());
    const g = await good.check(ctx());
    verdicts.push(g.verdict);
    await new Promise((r) => setTimeout(r, 700));
  }
  expect(last!.verdict).toBe('fail');
  expect(verdicts).not.toContain('fail');
});

test('several series without an aggregate is an error naming the query', async () => {
  const check = await gateFor('healthy', {
    metrics: [{ name: 'raw', query: 'sum by (destination_workload) (rate(istio_requests_total{destination_workload_namespace="{{namespace}}"}[{{interval}}]))', max: 1e9, 'error-limit': 1 }],
  }).check(ctx());
  expect(check.metrics[0]!.verdict).toBe('fail');
  expect(check.metrics[0]!.explanation).toMatch(/^metrics-unavailable: prom: query for metric "raw" returned 2 series .*set aggregate: .*Query: sum by/);
  const summed = await gateFor('healthy', {
    metrics: [{ name: 'raw', query: 'sum by (destination_workload) (rate(istio_requests_total{destination_workload_namespace="{{namespace}}"}[{{interval}}]))', max: 1e9, aggregate: 'sum' }],
  }).check(ctx());
  // Early in Prometheus' life rate() over a window only partly filled under-reads; the sum of both
  // versions is still positive and finite.
  expect(summed.metrics[0]!.verdict).toBe('pass');
  expect(summed.metrics[0]!.canaryValue).toBeGreaterThan(0);
});

test('Prometheus stopped: the metric fails with metrics-unavailable and a clear reason, never passes', async () => {
  const gate = gateFor('healthy', {
    metrics: [{ name: 'success-rate', builtin: 'request-success-rate', min: 95, 'error-limit': 2 }],
  });
  expect((await gate.check(ctx())).verdict).toBe('pass');
  await prom!.stop();
  const first = await gate.check(ctx());
  expect(first.verdict).toBe('inconclusive');
  const second = await gate.check(ctx());
  expect(second.verdict).toBe('fail');
  expect(second.metrics[0]!.explanation).toMatch(
    /^metrics-unavailable: prom: cannot reach http:\/\/127\.0\.0\.1:\d+: fetch failed: connect ECONNREFUSED .*error-limit 2/,
  );
});
