import { startTrafficGenerator, type TrafficGenerator, type TrafficScenario } from '../../src/sim/traffic.ts';
import { startDatadogStandIn, type DatadogStandIn } from '../../src/sim/datadog.ts';
import { createDatadogProvider, reducePoints, datadogApiUrl } from '../../src/metrics/datadog.ts';
import { createMetricGate, type MetricGate } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';
import type { GateCheck } from '../../src/rollout/gate.ts';

const API_KEY = 'dd-api-key-0123456789';
const APP_KEY = 'dd-app-key-9876543210';
const healthy = { errorRate: 0.01, latencyMs: { p50: 20, p99: 100 } };
const SCENARIOS: Record<string, { weight: number; scenario: TrafficScenario }> = {
  healthy: { weight: 50, scenario: { canary: healthy, stable: healthy } },
  errors: { weight: 50, scenario: { canary: { ...healthy, errorRate: 0.2 }, stable: healthy } },
  slow: { weight: 50, scenario: { canary: { errorRate: 0.01, latencyMs: { p50: 60, p99: 1000 } }, stable: healthy } },
  idle: { weight: 0, scenario: { canary: healthy, stable: healthy } },
};
const sel = '{kube_namespace:{{namespace}},kube_deployment:{{target}}}';
const METRICS = [
  {
    name: 'error-rate',
    queries: { a: `sum:trace.http.request.hits${sel}.as_count()`, b: `sum:trace.http.request.errors${sel}.as_count()` },
    query: '100 * b / a',
    aggregate: 'avg',
    max: 5,
    unit: '%',
  },
  { name: 'latency-p99', query: `p99:trace.http.request.duration${sel}`, judge: 'relative', 'max-increase': 0.5, aggregate: 'avg', unit: 's' },
];

const generators: Record<string, TrafficGenerator> = {};
let dd: DatadogStandIn;
const gates: MetricGate[] = [];

function gateFor(scenario: string, opts: { api?: 'v1' | 'v2'; secrets?: Record<string, string>; lines?: string[]; metrics?: unknown[]; vars?: Record<string, string> } = {}): MetricGate {
  const g = generators[scenario]!;
  const config = metricsConfigSchema.parse({
    providers: { dd: { type: 'datadog', address: dd.url, api: opts.api ?? 'v2', timeout: '2s', retries: 3 } },
    metrics: opts.metrics ?? METRICS,
  });
  const gate = createMetricGate({
    config,
    vars: { namespace: g.namespace, stable: g.stable, canary: g.canary, service: g.stable, interval: '5s', ...opts.vars },
    router: 'istio',
    secrets: opts.secrets ?? { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY },
    log: (l) => opts.lines?.push(l),
    retryBaseDelayMs: 20,
  });
  gates.push(gate);
  return gate;
}
const ctx = () => ({ stepIndex: 0, weight: 50, stepStartedAt: Date.now(), now: Date.now() });
const byName = (c: GateCheck, name: string) => c.metrics.find((m) => m.name === name)!;

beforeAll(async () => {
  let seed = 10;
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
  // Each scenario is its own app to APM (service names are unique within an environment).
  dd = await startDatadogStandIn({ generators: Object.values(generators), apiKey: API_KEY, applicationKey: APP_KEY, bucketMs: 1000, serviceOf: (g) => `web-${g.namespace}` });
  // Five complete one-second buckets of traffic.
  await new Promise((r) => setTimeout(r, 5500));
});

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await dd.stop();
  await Promise.all(Object.values(generators).map((g) => g.stop()));
});

test.each(['v1', 'v2'] as const)('healthy canary passes (%s)', async (api) => {
  // v1 has no formulas: the ratio is written inline.
  const metrics =
    api === 'v1'
      ? [
          { name: 'error-rate', query: `100 * sum:trace.http.request.errors${sel}.as_count() / sum:trace.http.request.hits${sel}.as_count()`, aggregate: 'avg', max: 5 },
          METRICS[1],
        ]
      : METRICS;
  const check = await gateFor('healthy', { api, metrics }).check(ctx());
  expect(check.verdict).toBe('pass');
  expect(byName(check, 'error-rate').canaryValue).toBeLessThan(3);
  const lat = byName(check, 'latency-p99');
  expect(lat.canaryValue).toBeGreaterThan(0.05);
  expect(lat.canaryValue).toBeLessThan(0.2);
});

test('canary with a raised error rate fails', async () => {
  const check = await gateFor('errors').check(ctx());
  expect(check.verdict).toBe('fail');
  const er = byName(check, 'error-rate');
  expect(er.verdict).toBe('fail');
  expect(er.canaryValue).toBeGreaterThan(15);
  expect(er.canaryValue).toBeLessThan(25);
  expect(er.query).toContain('kube_deployment:web-canary');
});

test('canary with a raised p99 fails the relative judge', async () => {
  const check = await gateFor('slow', { api: 'v1' }).check(ctx());
  const lat = byName(check, 'latency-p99');
  expect(lat.verdict).toBe('fail');
  expect(lat.canaryValue!).toBeGreaterThan(1.5 * lat.stableValue!);
});

test('no traffic to the canary is inconclusive, never pass', async () => {
  const check = await gateFor('idle').check(ctx());
  expect(check.verdict).toBe('inconclusive');
  expect(check.metrics.map((m) => m.verdict)).toEqual(['inconclusive', 'inconclusive']);
});

test('429 with reset headers: waits for the reset, then succeeds', async () => {
  const lines: string[] = [];
  const gate = gateFor('healthy', { lines, metrics: [METRICS[0]] });
  const before = dd.calls.length;
  dd.rateLimitNext(1, 1);
  const t0 = Date.now();
  const check = await gate.check(ctx());
  expect(check.verdict).toBe('pass');
  const calls = dd.calls.slice(before);
  // canary and stable are queried in parallel: the canary's call is refused, retried after the reset.
  expect(calls.map((c) => c.status)).toEqual([429, 200, 200]);
  expect(calls[2]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(lines.join('\n')).toMatch(/attempt 1 failed \(dd: rate limited \(HTTP 429: Too many requests\).*retrying in 1000 ms/);
});

test('403: a clear error naming the keys, not retried, secrets not shown', async () => {
  const lines: string[] = [];
  const gate = gateFor('healthy', { lines, secrets: { DD_API_KEY: 'wrong-api-key-value', DD_APP_KEY: APP_KEY }, metrics: [{ ...METRICS[0], 'error-limit': 1 }] });
  const check = await gate.check(ctx());
  expect(check.verdict).toBe('fail');
  const msg = check.metrics[0]!.explanation;
  expect(msg).toMatch(/^metrics-unavailable: dd: HTTP 403 \(Forbidden\)\. Check the API key \(DD-API-KEY\) and application key \(DD-APPLICATION-KEY\)/);
  expect(lines.join('\n')).not.toMatch(/attempt \d failed/);
  expect(lines.join('\n')).not.toContain('wrong-api-key-value');
});

test('a missing key is a config error naming the secret', () => {
  expect(() => gateFor('healthy', { secrets: { DD_API_KEY: API_KEY } })).toThrow(/providers\.dd\.application-key-env: secret DD_APP_KEY is not set/);
});

test('keys are handed to maskSecret', () => {
  const masked: string[] = [];
  const g = generators.healthy!;
  const gate = createMetricGate({
    config: metricsConfigSchema.parse({ providers: { dd: { type: 'datadog', address: dd.url } }, metrics: [METRICS[0]] }),
    vars: { namespace: g.namespace, stable: g.stable, canary: g.canary, service: g.stable },
    router: 'istio',
    secrets: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY },
    log: () => undefined,
    maskSecret: (s) => masked.push(s),
  });
  gates.push(gate);
  expect(masked).toEqual([API_KEY, APP_KEY]);
});

test('the newest, still-filling bucket is not taken as the value', async () => {
  // Query in the first part of a 2 s bucket, so the last bucket holds only a fraction of its traffic.
  const standIn = await startDatadogStandIn({ generators: [generators.healthy!], apiKey: API_KEY, applicationKey: APP_KEY, bucketMs: 2000 });
  try {
    while (Date.now() % 2000 < 300 || Date.now() % 2000 > 900) await new Promise((r) => setTimeout(r, 50));
    const at = Date.now();
    const query = 'sum:trace.http.request.hits{kube_namespace:ns-healthy,kube_deployment:web-canary}.as_count()';
    const raw = (await (
      await fetch(`${standIn.url}/api/v2/query/timeseries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY },
        body: JSON.stringify({ data: { type: 'timeseries_request', attributes: { from: at - 6000, to: at, queries: [{ data_source: 'metrics', name: 'a', query }] } } }),
      })
    ).json()) as { data: { attributes: { values: number[][] } } };
    const newest = raw.data.attributes.values[0]!.at(-1)!;
    const provider = createDatadogProvider({ address: standIn.url, apiKey: API_KEY, applicationKey: APP_KEY, api: 'v2', timeoutMs: 2000, attempts: 1 });
    const value = (await provider.query({ query, at, windowMs: 6000 })).series[0]!.value;
    await provider.close();
    // 1000 rps x 50 % x 2 s = 1000 per complete bucket.
    expect(value).toBeGreaterThan(800);
    expect(value).toBeLessThan(1200);
    expect(newest).toBeLessThan(0.6 * value);
  } finally {
    await standIn.stop();
  }
});

describe('reducePoints', () => {
  const pts: Array<[number, number | null]> = [
    [0, 10],
    [1000, null],
    [2000, 30],
    [3000, 4],
  ];
  test.each([
    ['last', 3500, 30],
    ['last', 4000, 4],
    ['sum', 3500, 40],
    ['avg', 3500, 20],
    ['max', 4000, 30],
    ['min', 4000, 4],
  ] as const)('%s with to=%i -> %p', (agg, to, v) => {
    expect(reducePoints(pts, 1000, to, agg)).toBe(v);
  });
  test('no complete point is no data', () => {
    expect(reducePoints([[3000, 5]], 1000, 3500)).toBeNaN();
    expect(reducePoints([], 1000, 3500)).toBeNaN();
  });
});

test.each([
  ['datadoghq.com', 'https://api.datadoghq.com'],
  ['datadoghq.eu', 'https://api.datadoghq.eu'],
  ['us3.datadoghq.com', 'https://api.us3.datadoghq.com'],
  ['us5.datadoghq.com', 'https://api.us5.datadoghq.com'],
  ['ap1.datadoghq.com', 'https://api.ap1.datadoghq.com'],
  ['ddog-gov.com', 'https://api.ddog-gov.com'],
])('site %s -> %s', (site, url) => {
  expect(datadogApiUrl(site)).toBe(url);
});

test('an exhausted budget (X-RateLimit-Remaining: 0) makes the next call wait for the reset', async () => {
  let clock = 1_700_000_000_000;
  const slept: number[] = [];
  const fetchImpl = (async () =>
    new Response(JSON.stringify({ data: { attributes: { series: [], times: [], values: [] } } }), {
      status: 200,
      headers: { 'content-type': 'application/json', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '7', 'X-RateLimit-Limit': '100', 'X-RateLimit-Period': '60' },
    })) as unknown as typeof fetch;
  const provider = createDatadogProvider({
    address: 'http://127.0.0.1:9',
    apiKey: API_KEY,
    applicationKey: APP_KEY,
    timeoutMs: 1000,
    attempts: 1,
    fetchImpl,
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  });
  await provider.query({ query: 'sum:x{*}', at: clock, windowMs: 60_000 });
  expect(slept).toEqual([]);
  clock += 2000;
  await provider.query({ query: 'sum:x{*}', at: clock, windowMs: 60_000 });
  expect(slept).toEqual([5000]);
});

test('built-ins on Datadog: APM trace metrics by service and version tag, no query to write', async () => {
  const metrics = [
    { name: 'error-rate', builtin: 'request-error-rate', max: 5, aggregate: 'avg' },
    { name: 'latency-p99', builtin: 'request-latency-p99', judge: 'relative', 'max-increase': 0.5, aggregate: 'avg' },
  ];
  // The image tags of the two versions (the stand-in tags them 1.0 and 2.0, as web:1.0 / web:2.0 would be).
  const vars = (ns: string) => ({ 'stable-version': '1.0', 'canary-version': '2.0', 'dd-service': `web-ns-${ns}` });
  const good = gateFor('healthy', { metrics, vars: vars('healthy') });
  expect(good.queries.get('error-rate')!.canary).toBe(
    'a = sum:trace.http.request.hits{service:web-ns-healthy,version:2.0}.as_count(); b = sum:trace.http.request.errors{service:web-ns-healthy,version:2.0}.as_count(); formula 100 * b / a',
  );
  expect(good.queries.get('latency-p99')!.stable).toBe('a = p99:trace.http.request{service:web-ns-healthy,version:1.0}; formula 1000 * a');
  const ok = await good.check(ctx());
  expect({ verdict: ok.verdict, summary: ok.summary }).toEqual({ verdict: 'pass', summary: '2 of 2 metrics pass' });
  expect(byName(ok, 'latency-p99').canaryValue!).toBeGreaterThan(50); // milliseconds
  expect(byName(ok, 'latency-p99').canaryValue!).toBeLessThan(200);
  const bad = await gateFor('errors', { metrics, vars: vars('errors') }).check(ctx());
  expect(byName(bad, 'error-rate').verdict).toBe('fail');
  expect(byName(bad, 'error-rate').canaryValue!).toBeGreaterThan(15);
  // The sequential judge needs running counts, which these one-value-per-window queries do not give.
  expect(() => gateFor('healthy', { metrics: [{ name: 'seq', builtin: 'request-error-rate', judge: 'sequential' }], vars: vars('healthy') })).toThrow(
    /metrics\.seq\.judge: the Datadog built-ins give one value per window/,
  );
});
