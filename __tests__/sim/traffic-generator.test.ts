import { binomial, latencyCdf, LATENCY_BOUNDS_MS, poisson, startTrafficGenerator, type TrafficGenerator } from '../../src/sim/traffic.ts';
import { mulberry32 } from '../../src/util/random.ts';

const healthy = { errorRate: 0.01, latencyMs: { p50: 20, p99: 100 } };

async function manual(seed: number, weight: () => number) {
  let clock = 0;
  const gen = await startTrafficGenerator({
    weightSource: weight,
    namespace: 'ns',
    stable: 'web',
    canary: 'web-canary',
    rps: 1000,
    scenario: { canary: healthy, stable: healthy },
    tickMs: 3_600_000, // ticks only when the test asks
    seed,
    now: () => clock,
  });
  return { gen, advance: async (ms: number) => { clock += ms; await gen.tick(); } };
}

const gens: TrafficGenerator[] = [];
afterAll(async () => {
  await Promise.all(gens.map((g) => g.stop()));
});

test('same seed, same counts; counters cumulative and monotonic; split by weight', async () => {
  const a = await manual(7, () => 20);
  const b = await manual(7, () => 20);
  gens.push(a.gen, b.gen);
  let prev = a.gen.totals();
  for (let i = 0; i < 50; i++) {
    await a.advance(200);
    await b.advance(200);
    const t = a.gen.totals();
    for (const role of ['canary', 'stable'] as const) {
      expect(t[role].requests).toBeGreaterThanOrEqual(prev[role].requests);
      expect(t[role].errors).toBeGreaterThanOrEqual(prev[role].errors);
      t[role].buckets.forEach((c, k) => expect(c).toBeGreaterThanOrEqual(prev[role].buckets[k]!));
      // Cumulative histogram: non-decreasing in le, +Inf equals the request count.
      for (let k = 1; k < t[role].buckets.length; k++) expect(t[role].buckets[k]!).toBeGreaterThanOrEqual(t[role].buckets[k - 1]!);
      expect(t[role].buckets.at(-1)).toBe(t[role].requests);
    }
    prev = t;
  }
  expect(b.gen.totals()).toEqual(a.gen.totals());
  const t = a.gen.totals();
  const total = t.canary.requests + t.stable.requests;
  expect(total).toBeGreaterThan(9_500); // 1000 rps x 10 s
  expect(total).toBeLessThan(10_500);
  expect(t.canary.requests / total).toBeGreaterThan(0.18);
  expect(t.canary.requests / total).toBeLessThan(0.22);
});

test('setScenario changes the error rate at run time; weight 0 sends the canary nothing', async () => {
  let weight = 0;
  const g = await manual(3, () => weight);
  gens.push(g.gen);
  await g.advance(5000);
  expect(g.gen.totals().canary.requests).toBe(0);
  const text0 = await (await fetch(g.gen.url)).text();
  expect(text0).not.toContain('destination_workload="web-canary"');
  weight = 50;
  g.gen.setScenario({ canary: { errorRate: 0.3 } });
  await g.advance(10_000);
  const t = g.gen.totals();
  expect(t.canary.errors / t.canary.requests).toBeGreaterThan(0.27);
  expect(t.canary.errors / t.canary.requests).toBeLessThan(0.33);
  expect(t.stable.errors / t.stable.requests).toBeLessThan(0.02);
  const series = parseExposition(await (await fetch(g.gen.url)).text());
  const sum = (name: string, match: Record<string, string | RegExp>): number =>
    series
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => (typeof v === 'string' ? s.labels[k] === v : v.test(s.labels[k] ?? ''))))
      .reduce((a, s) => a + s.value, 0);
  const count = (name: string, match: Record<string, string>): number =>
    series.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).length;
  // docs/metrics.md, "The table": each data plane's way of marking the canary's requests, summed over
  // the pods and extra labels it splits them into, gives the generator's totals.
  const istioCanary = { reporter: 'destination', destination_workload_namespace: 'ns', destination_workload: 'web-canary' };
  expect(sum('istio_requests_total', { ...istioCanary, response_code: '500' })).toBe(t.canary.errors);
  expect(sum('istio_requests_total', istioCanary)).toBe(t.canary.requests);
  expect(count('istio_requests_total', istioCanary)).toBeGreaterThan(1); // per pod and source workload
  // The gateway reports the same requests again as the client side.
  expect(sum('istio_requests_total', { reporter: 'source', destination_service_name: 'web-canary' })).toBe(t.canary.requests);
  const nginxCanary = { namespace: 'ns', ingress: 'web', canary: 'ns-web-canary-80' };
  expect(sum('nginx_ingress_controller_requests', nginxCanary)).toBe(t.canary.requests);
  expect(sum('nginx_ingress_controller_requests', { namespace: 'ns', ingress: 'web', canary: '' })).toBe(t.stable.requests);
  // The main location's labels: canary requests carry the stable-only Service the Ingress points at.
  expect(sum('nginx_ingress_controller_requests', { ...nginxCanary, service: 'web-stable' })).toBe(t.canary.requests);
  expect(sum('nginx_ingress_controller_response_duration_seconds_bucket', { ...nginxCanary, le: '+Inf' })).toBe(t.canary.requests);
  expect(sum('response_total', { direction: 'inbound', deployment: 'web-canary', classification: 'failure' })).toBe(t.canary.errors);
  expect(sum('response_latency_ms_bucket', { direction: 'inbound', deployment: 'web-canary', le: '+Inf' })).toBe(t.canary.requests);
  expect(sum('envoy_cluster_upstream_rq', { envoy_cluster_name: 'ns_web-canary_80', envoy_response_code: '500' })).toBe(t.canary.errors);
  // Envoy Gateway: one cluster per route rule sums both versions.
  expect(sum('envoy_cluster_upstream_rq', { envoy_cluster_name: 'httproute/ns/web/rule/0' })).toBe(t.canary.requests + t.stable.requests);
  expect((await fetch(g.gen.url.replace('/metrics', '/other'))).status).toBe(404);
});

test('every series stays a monotonic counter while traffic flows (split over pods without resets)', async () => {
  const g = await manual(11, () => 30);
  gens.push(g.gen);
  let prev = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    await g.advance(137);
    const now = new Map(parseExposition(await (await fetch(g.gen.url)).text()).filter((s) => !s.name.endsWith('_sum')).map((s) => [s.key, s.value]));
    for (const [k, v] of prev) expect(now.get(k) ?? Number.NaN).toBeGreaterThanOrEqual(v);
    prev = now;
  }
  expect(prev.size).toBeGreaterThan(100);
});

test('latency distribution hits its median and p99', () => {
  expect(latencyCdf(20, healthy.latencyMs)).toBeCloseTo(0.5, 6);
  expect(latencyCdf(100, healthy.latencyMs)).toBeCloseTo(0.99, 4);
  expect(LATENCY_BOUNDS_MS).toEqual([...LATENCY_BOUNDS_MS].sort((x, y) => x - y));
});

test('sampling approximations have the right means', () => {
  const rng = mulberry32(42);
  const rand = (): number => rng.next();
  const n = 2000;
  let sp = 0;
  let sb = 0;
  let small = 0;
  for (let i = 0; i < n; i++) {
    sp += poisson(200, rand);
    sb += binomial(1000, 0.2, rand);
    small += binomial(30, 0.1, rand);
  }
  expect(sp / n).toBeGreaterThan(198);
  expect(sp / n).toBeLessThan(202);
  expect(sb / n).toBeGreaterThan(198);
  expect(sb / n).toBeLessThan(202);
  expect(small / n).toBeGreaterThan(2.8);
  expect(small / n).toBeLessThan(3.2);
  expect(binomial(50, 1, rand)).toBe(50);
  expect(poisson(0, rand)).toBe(0);
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  key: string;
}

/** Prometheus text exposition, as a scrape reads it. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]), key: `${m[1]}{${m[2] ?? ''}}` });
  }
  return out;
}
