/**
 * Every built-in against what each data plane really exports (docs/metrics.md, emitted by
 * src/sim/metric-families.ts), through the real Prometheus, at scrape intervals of 15 s, 30 s and
 * 60 s, evaluated at times that are not aligned to the scrapes. The series are backfilled with
 * `promtool tsdb create-blocks-from openmetrics` (30 minutes of scrapes, no waiting), exactly as a
 * scrape at that interval would have stored them: each target at its own offset.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type RunningPrometheus } from '../../src/sim/prometheus.ts';
import { renderDataPlaneMetrics, type EmittedDataPlane } from '../../src/sim/metric-families.ts';
import { LATENCY_BOUNDS_MS, latencyCdf, type TrafficSnapshot, type VersionCounters } from '../../src/sim/traffic.ts';
import { createMetricGate, type MetricGate } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';
import { DATA_PLANES, type DataPlane } from '../../src/metrics/builtins.ts';

const INTERVALS_S = [15, 30, 60] as const;
const NS = 'shop';
// Whole minutes, 70..40 minutes ago: old enough to sit in blocks, within the retention.
const START_S = Math.floor(Date.now() / 60_000) * 60 - 70 * 60;
const SPAN_S = 30 * 60;
const END_S = START_S + SPAN_S;

// Per second: the stable serves 40 requests with 1 % errors, the canary 10 with 20 % errors and a
// slower latency distribution.
const RATES = {
  stable: { rps: 40, errorRate: 0.01, latencyMs: { p50: 20, p99: 100 } },
  canary: { rps: 10, errorRate: 0.2, latencyMs: { p50: 40, p99: 400 } },
};

function counters(role: 'stable' | 'canary', t: number): VersionCounters {
  const r = RATES[role];
  const requests = Math.floor(r.rps * t);
  return {
    requests,
    errors: Math.floor(r.errorRate * requests),
    buckets: [...LATENCY_BOUNDS_MS.map((b) => Math.floor(requests * latencyCdf(b, r.latencyMs))), requests],
    sumMs: requests * r.latencyMs.p50,
  };
}

/** OpenMetrics text of every family, scraped every `intervalS` from START_S, each job at its offset. */
function openMetrics(intervalS: number): string {
  const bySeries = new Map<string, string[]>();
  const names = new Map<string, string>();
  for (let k = 0; k * intervalS < SPAN_S; k++) {
    const t = START_S + k * intervalS;
    const snap: TrafficSnapshot = { at: t * 1000, stable: counters('stable', k * intervalS + 1), canary: counters('canary', k * intervalS + 1) };
    const text = renderDataPlaneMetrics(
      { namespace: NS, stable: 'web', canary: 'web-canary', stableService: 'web-stable', canaryService: 'web-canary', ingress: 'web', httpRoute: 'web', servicePort: 80 },
      snap,
    );
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const sp = line.lastIndexOf(' ');
      const key = line.slice(0, sp);
      const job = /job="([^"]+)"/.exec(key)?.[1] ?? '';
      // Each job is scraped at its own phase of the interval, as Prometheus spreads targets.
      const offset = ((job.length * 7) % intervalS) + 0.25;
      if (!bySeries.has(key)) {
        bySeries.set(key, []);
        names.set(key, key.split('{')[0]!);
      }
      bySeries.get(key)!.push(`${key} ${line.slice(sp + 1)} ${(t + offset).toFixed(3)}`);
    }
  }
  const families = new Map<string, string[]>();
  for (const [key, lines] of bySeries) {
    const name = names.get(key)!;
    if (!families.has(name)) families.set(name, [`# TYPE ${name} unknown`]);
    families.get(name)!.push(...lines);
  }
  return `${[...families.values()].flat().join('\n')}\n# EOF\n`;
}

const dirs: string[] = [];
const proms = new Map<number, RunningPrometheus>();
const gates: MetricGate[] = [];

beforeAll(async () => {
  for (const s of INTERVALS_S) {
    const dir = mkdtempSync(join(tmpdir(), `canary-gate-planes-${s}-`));
    dirs.push(dir);
    writeFileSync(join(dir, 'series.om'), openMetrics(s));
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), join(dir, 'data')], { stdio: 'pipe' });
    proms.set(s, await startPrometheus({ scrapeTargets: [], dataDir: join(dir, 'data'), scrapeIntervalMs: s * 1000 }));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await Promise.all([...proms.values()].map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const METRICS = [
  { name: 'success-rate', builtin: 'request-success-rate', min: 90 },
  { name: 'error-rate', builtin: 'request-error-rate', max: 5 },
  { name: 'latency-p99', builtin: 'request-latency-p99', judge: 'relative', 'max-increase': 0.5 },
];

function gate(scrapeS: number, dataPlane: DataPlane, at: number, extra: { interval?: string; metrics?: unknown[] } = {}): MetricGate {
  const g = createMetricGate({
    config: metricsConfigSchema.parse({
      providers: { prom: { type: 'prometheus', address: proms.get(scrapeS)!.url, 'scrape-interval': `${scrapeS}s`, timeout: '5s', retries: 1 } },
      metrics: (extra.metrics ?? METRICS).map((m) => ({ ...(m as object), ...(extra.interval ? { interval: extra.interval } : {}) })),
      'data-plane': dataPlane,
    }),
    vars: { namespace: NS, stable: 'web', canary: 'web-canary', service: 'web', ingress: 'web', 'stable-service': 'web-stable', 'canary-service': 'web-canary' },
    router: 'gateway-api',
    dataPlane,
    secrets: {},
    log: () => undefined,
    now: () => at,
  });
  gates.push(g);
  return g;
}

// Not aligned to any scrape: 7.3 s, 23.9 s and 41.6 s past a whole minute, 12..14 minutes before the end.
const EVAL_TIMES = [7.3, 83.9, 161.6].map((d) => (END_S - 14 * 60 + d) * 1000);

describe.each(INTERVALS_S)('scrape interval %i s', (scrapeS) => {
  test.each(DATA_PLANES.map((p) => [p]))('%s: the preflight passes and every built-in returns data at unaligned times', async (plane) => {
    for (const at of EVAL_TIMES) {
      const g = gate(scrapeS, plane, at);
      const pre = await g.prepare();
      expect({ plane, at, findings: pre.findings.filter((f) => !f.ok) }).toEqual({ plane, at, findings: [] });
      const check = await g.check({ stepIndex: 0, weight: 20, stepStartedAt: at - 300_000, now: at });
      const m = Object.fromEntries(check.metrics.map((r) => [r.name, r]));
      // Exact up to the floor() of the counters: 20 % vs 1 % errors, p99 400 ms vs 100 ms.
      expect(m['success-rate']!.canaryValue).toBeCloseTo(80, 0);
      expect(m['success-rate']!.stableValue).toBeCloseTo(99, 0);
      expect(m['error-rate']!.canaryValue).toBeCloseTo(20, 0);
      expect(m['latency-p99']!.canaryValue!).toBeGreaterThan(300);
      expect(m['latency-p99']!.canaryValue!).toBeLessThan(500);
      expect(m['latency-p99']!.stableValue!).toBeGreaterThan(75);
      expect(m['latency-p99']!.stableValue!).toBeLessThan(150);
      expect(check.metrics.map((r) => r.verdict)).toEqual(['fail', 'fail', 'fail']);
    }
  });
});

test('the window follows the scrape: 1m, 2m and 4m for 15 s, 30 s and 60 s', async () => {
  const windows: string[] = [];
  for (const s of INTERVALS_S) {
    const g = gate(s, 'istio', EVAL_TIMES[0]!);
    await g.prepare();
    windows.push(/\[(\w+)\]/.exec(g.queries.get('success-rate')!.canary)![1]!);
  }
  expect(windows).toEqual(['1m', '2m', '4m']);
});

test('a window of one scrape interval finds nothing at unaligned times (why the window is 4 x the scrape)', async () => {
  for (const s of [30, 60] as const) {
    for (const at of EVAL_TIMES) {
      const g = gate(s, 'istio', at, { interval: `${s}s`, metrics: [METRICS[0]] });
      const check = await g.check({ stepIndex: 0, weight: 20, stepStartedAt: at - 300_000, now: at });
      expect({ s, at, canary: check.metrics[0]!.canaryValue }).toEqual({ s, at, canary: undefined });
    }
  }
});

test('Envoy Gateway sums both versions in one cluster per rule: the generator shows it, the built-ins refuse it', () => {
  const text = renderDataPlaneMetrics(
    { namespace: NS, stable: 'web', canary: 'web-canary', stableService: 'web-stable', canaryService: 'web-canary', ingress: 'web', httpRoute: 'web', servicePort: 80, dataPlanes: ['envoy-gateway'] as EmittedDataPlane[] },
    { at: 0, stable: counters('stable', 10), canary: counters('canary', 10) },
  );
  const names = new Set([...text.matchAll(/envoy_cluster_name="([^"]+)"/g)].map((m) => m[1]));
  expect([...names]).toEqual(['httproute/shop/web/rule/0']);
});

test('the preflight refuses a wrong workload name, naming the query, its labels and the values the backend has', async () => {
  const at = EVAL_TIMES[1]!;
  const g = createMetricGate({
    config: metricsConfigSchema.parse({
      providers: { prom: { type: 'prometheus', address: proms.get(30)!.url, 'scrape-interval': '30s', retries: 1 } },
      metrics: [METRICS[0]],
    }),
    vars: { namespace: NS, stable: 'web-v1', canary: 'web-v1-canary', service: 'web', ingress: 'web', 'stable-service': 'web-stable', 'canary-service': 'web-canary' },
    router: 'istio',
    secrets: {},
    log: () => undefined,
    now: () => at,
  });
  gates.push(g);
  const pre = await g.prepare();
  expect(pre.ok).toBe(false);
  const msg = pre.findings[0]!.message;
  expect(msg).toContain('metric "success-rate" (prom): the stable query returned no data');
  expect(msg).toContain('It selected {reporter="destination",destination_workload_namespace="shop",destination_workload="web-v1"}');
  expect(msg).toContain('Label values found (count by (destination_workload) (istio_requests_total{reporter="destination",destination_workload_namespace="shop"})): destination_workload: "web", "web-canary".');
  expect(msg).toMatch(/Query: 100 \* \(1 - /);
});
