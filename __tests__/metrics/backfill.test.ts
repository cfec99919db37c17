/**
 * Exact checks of the query layer: known series are backfilled with `promtool tsdb
 * create-blocks-from openmetrics`, and the real Prometheus evaluates the built-in PromQL on them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusNotInstalledError, startPrometheus, type RunningPrometheus } from '../../src/sim/prometheus.ts';
import { createMetricGate } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';
import { createPrometheusProvider } from '../../src/metrics/prometheus.ts';
import { planMetric } from '../../src/metrics/plan.ts';
import { fetchStableHistories } from '../../src/metrics/stable-history.ts';

const STEP_S = 15;
// Whole minutes, 120..60 minutes ago: old enough to sit in blocks, within the retention.
const start = Math.floor(Date.now() / 60_000) * 60 - 7200;
const samples = 240; // an hour: the stable's history before a rollout reads one
const at = (start + 20 * 60) * 1000;

/** Per 15 s: requests (ok, errors) and histogram increments {le: count}. */
const VERSIONS = {
  'web-canary': { ok: 160, err: 40, buckets: { '50': 0, '100': 100, '250': 200, '+Inf': 200 } },
  web: { ok: 198, err: 2, buckets: { '50': 100, '100': 200, '250': 200, '+Inf': 200 } },
};

function openMetrics(): string {
  const lines: string[] = ['# TYPE istio_requests counter'];
  const base = (w: string) => `reporter="destination",destination_workload="${w}",destination_workload_namespace="bf"`;
  for (const [w, v] of Object.entries(VERSIONS)) {
    for (const [code, per] of [['200', v.ok], ['500', v.err]] as const) {
      for (let i = 0; i < samples; i++) lines.push(`istio_requests_total{${base(w)},response_code="${code}"} ${per * i} ${start + i * STEP_S}`);
    }
  }
  lines.push('# TYPE istio_request_duration_milliseconds histogram');
  for (const [w, v] of Object.entries(VERSIONS)) {
    for (const [le, per] of Object.entries(v.buckets)) {
      for (let i = 0; i < samples; i++) {
        lines.push(`istio_request_duration_milliseconds_bucket{${base(w)},le="${le}"} ${per * i} ${start + i * STEP_S}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

let dir: string;
let prom: RunningPrometheus | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canary-gate-backfill-'));
  writeFileSync(join(dir, 'series.om'), openMetrics());
  try {
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), join(dir, 'data')], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`promtool failed (${String(err)}); run scripts/install-prometheus.sh to install Prometheus and promtool`);
  }
  prom = await startPrometheus({ scrapeTargets: [], dataDir: join(dir, 'data') });
}, 30_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('built-in success rate and p99 return the exact backfilled values', async () => {
  const lines: string[] = [];
  const gate = createMetricGate({
    config: metricsConfigSchema.parse({
      providers: { prom: { type: 'prometheus', address: prom!.url } },
      metrics: [
        { name: 'success-rate', builtin: 'request-success-rate', min: 95, interval: '5m', 'min-requests': 1000 },
        { name: 'error-rate', builtin: 'request-error-rate', judge: 'relative', 'max-increase-abs': 0.5, interval: '5m' },
        { name: 'latency-p99', builtin: 'request-latency-p99', judge: 'relative', 'max-increase': 0.2, interval: '5m' },
      ],
    }),
    vars: { namespace: 'bf', stable: 'web', canary: 'web-canary', service: 'web' },
    router: 'istio',
    secrets: {},
    log: (l) => lines.push(l),
  });
  const check = await gate.check({ stepIndex: 0, weight: 50, stepStartedAt: at, now: at });
  await gate.close();
  const m = Object.fromEntries(check.metrics.map((r) => [r.name, r]));
  expect(m['success-rate']!.canaryValue).toBeCloseTo(80, 9);
  expect(m['success-rate']!.stableValue).toBeCloseTo(99, 9);
  expect(m['success-rate']!.verdict).toBe('fail');
  expect(m['success-rate']!.details).toMatchObject({ canaryRequests: 4000 });
  expect(m['error-rate']!.canaryValue).toBeCloseTo(20, 9);
  expect(m['error-rate']!.stableValue).toBeCloseTo(1, 9);
  expect(m['error-rate']!.threshold).toBe('<= stable + 0.5% (1.5%)');
  expect(m['error-rate']!.verdict).toBe('fail');
  // histogram_quantile interpolates inside the bucket: 100 + 150 x 98/100 and 50 + 50 x 98/100.
  expect(m['latency-p99']!.canaryValue).toBeCloseTo(247, 9);
  expect(m['latency-p99']!.stableValue).toBeCloseTo(99, 9);
  expect(m['latency-p99']!.verdict).toBe('fail');
  expect(check.verdict).toBe('fail');
  // The rendered query is logged, and one line per metric with the numbers.
  expect(lines.join('\n')).toContain('canary query: 100 * (1 - ((sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="bf",destination_workload="web-canary",response_code=~"5.."}[5m]))');
  expect(lines.filter((l) => l.startsWith('metric success-rate: canary 80%, stable 99%, threshold >= 95% -> fail'))).toHaveLength(1);
});

test('query_range over the backfilled window', async () => {
  const p = createPrometheusProvider({ address: prom!.url, timeoutMs: 2000, attempts: 1 });
  const r = await p.queryRange({
    query: 'sum(rate(istio_requests_total{destination_workload="web-canary",response_code="500"}[5m])) / sum(rate(istio_requests_total{destination_workload="web-canary"}[5m]))',
    start: at - 5 * 60_000,
    end: at,
    stepMs: 60_000,
  });
  await p.close();
  expect(r.series).toHaveLength(1);
  expect(r.series[0]!.values).toHaveLength(6);
  for (const [, v] of r.series[0]!.values) expect(v).toBeCloseTo(0.2, 9);
});

test('cumulative counts and buckets for the sequential judges come from the same series', async () => {
  const p = createPrometheusProvider({ address: prom!.url, timeoutMs: 2000, attempts: 1 });
  const r = await p.query({ query: 'sum by (le) (istio_request_duration_milliseconds_bucket{destination_workload="web-canary"})', at, windowMs: 0 });
  await p.close();
  const byLe = Object.fromEntries(r.series.map((s) => [s.labels.le, s.value]));
  // Sample 80 (20 min after the start): 80 x the per-step increments.
  expect(byLe).toEqual({ '50': 0, '100': 8000, '250': 16000, '+Inf': 16000 });
});

test('the stable\'s history: an hour of counters gives the sequential judge one interval per analysis interval', async () => {
  const lines: string[] = [];
  const gate = createMetricGate({
    config: metricsConfigSchema.parse({
      providers: { prom: { type: 'prometheus', address: prom!.url } },
      metrics: [{ name: 'errors', builtin: 'request-error-rate', judge: 'sequential' }],
    }),
    vars: { namespace: 'bf', stable: 'web', canary: 'web-canary', service: 'web' },
    router: 'istio',
    secrets: {},
    log: (l) => lines.push(l),
  });
  // The rollout starts 59 minutes after the first sample: the lookback's first point (start - 1m)
  // has no data, the next 60 points (one a minute) each have 4 more scrapes.
  const end = (start + 59 * 60) * 1000;
  await gate.beginRollout!({ steps: [50], startedAt: end, intervalMs: 60_000 });
  const history = lines.filter((l) => l.includes('stable history'));
  expect(history).toEqual(['metric errors: stable history from prom: 59 intervals over the last 1h (burstiness learned from it)']);
  // The judge gets it: its evidence is tempered by the stable's intervals.
  gate.beginStep!({ stepIndex: 0, weight: 50, stepStartedAt: end - 60_000, now: end - 60_000 });
  await gate.check({ stepIndex: 0, weight: 50, stepStartedAt: end - 60_000, now: end - 60_000 });
  const check = await gate.check({ stepIndex: 0, weight: 50, stepStartedAt: end - 60_000, now: end });
  await gate.close();
  expect(check.metrics[0]!.details?.method).toMatch(/^mixture likelihood ratio, tempered by the burstiness of the stable's last 59 intervals before the rollout/);
});

test('the stable\'s history reduces each timestamp of the range answers like a check\'s instant answers', async () => {
  const p = createPrometheusProvider({ address: prom!.url, timeoutMs: 2000, attempts: 1 });
  const config = metricsConfigSchema.parse({ providers: { prom: { type: 'prometheus', address: prom!.url } }, metrics: [{ name: 'errors', builtin: 'request-error-rate', judge: 'sequential' }] });
  const plan = planMetric(config.metrics[0]!, p, { vars: { namespace: 'bf', stable: 'web', canary: 'web-canary', service: 'web' }, router: 'istio' }, 1);
  const end = (start + 59 * 60) * 1000;
  const h = (await fetchStableHistories([plan], { end, intervalMs: 60_000, log: () => {} })).get('errors')!;
  await p.close();
  expect(h.map((o) => o.at)).toEqual(Array.from({ length: 61 }, (_, i) => (start + (i - 1) * 60) * 1000));
  // Before the first sample only the errors query's `or vector(0)` answers, as a check would see it.
  expect(h[0]!.stable).toEqual({ errors: 0 });
  // Sample 4i: 4i x the stable's per-scrape increments (198 ok + 2 errors; buckets 100/200/200/200).
  h.slice(1).forEach((o, i) => {
    expect(o.stable).toEqual({
      requests: 800 * i,
      errors: 8 * i,
      buckets: [{ le: 50, count: 400 * i }, { le: 100, count: 800 * i }, { le: 250, count: 800 * i }, { le: Infinity, count: 800 * i }],
    });
  });
});

test('a missing binary fails with the way to install it', async () => {
  const err = await startPrometheus({ scrapeTargets: [], binary: 'prometheus-not-installed-here' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PrometheusNotInstalledError);
  expect((err as Error).message).toMatch(/not found on PATH\. Run scripts\/install-prometheus\.sh/);
});
