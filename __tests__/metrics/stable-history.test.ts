/**
 * The stable's history before a rollout (src/metrics/stable-history.ts): range queries of the
 * stable's counters, reduced per timestamp like a check's instant answers, handed to the
 * sequential judge; any failure is a log line and the rollout runs without it.
 */
import { createMetricGate, type MetricGateOptions } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';
import { planMetric } from '../../src/metrics/plan.ts';
import type { PrometheusProvider, RangeSeries } from '../../src/metrics/prometheus.ts';
import type { MetricsProvider } from '../../src/metrics/provider.ts';
import { fetchStableHistories } from '../../src/metrics/stable-history.ts';

const vars = { namespace: 'shop', stable: 'web', canary: 'web-canary', service: 'web' };
const END = 1_700_000_000_000;
const STEP = 30_000;
const POINTS = 41; // 40 intervals: more than the judge's 30

/**
 * The stable over the last hour as Prometheus' query_range gives it: requests and errors from two
 * series each (to be summed by the metric's aggregate), latency buckets one series per `le`.
 */
function stableMatrix(query: string, start: number, points = POINTS): RangeSeries[] {
  const at = (i: number) => start + i * STEP;
  const series = (labels: Record<string, string>, per: number): RangeSeries => ({
    labels,
    values: Array.from({ length: points }, (_, i) => [at(i), per * i] as [number, number]),
  });
  if (query.includes('_bucket')) return [series({ le: '100' }, 120), series({ le: '+Inf' }, 150)];
  if (query.includes('response_code')) return [series({ pod: 'a' }, 2), series({ pod: 'b' }, 1)];
  return [series({ pod: 'a' }, 100), series({ pod: 'b' }, 50)];
}

function stubProvider(type: 'prometheus' | 'datadog' = 'prometheus') {
  const ranges: Array<{ query: string; start: number; end: number; stepMs: number }> = [];
  const provider = {
    name: 'prom',
    type,
    query: async () => ({ series: [], warnings: [] }),
    queryRange: async (q: { query: string; start: number; end: number; stepMs: number }) => {
      ranges.push({ query: q.query, start: q.start, end: q.end, stepMs: q.stepMs });
      return { series: stableMatrix(q.query, q.start), warnings: [] };
    },
    scrapeInterval: async () => ({ ms: 15_000, source: 'stub' }),
    close: async () => {},
  };
  return { provider: provider as unknown as PrometheusProvider, ranges };
}

const sequential = { name: 'errors', builtin: 'request-error-rate', judge: 'sequential', aggregate: 'sum' };
const planFor = (provider: MetricsProvider, metric: object = sequential) =>
  planMetric(metricsConfigSchema.parse({ providers: { prom: { type: 'prometheus', address: 'http://prom:9090' } }, metrics: [metric] }).metrics[0]!, provider, { vars, router: 'istio' }, 1);

describe('fetchStableHistories', () => {
  test('range answers become the stable\'s samples: series summed, buckets by le, one per analysis interval over the last hour', async () => {
    const { provider, ranges } = stubProvider();
    const plan = planFor(provider);
    const lines: string[] = [];
    const got = await fetchStableHistories([plan], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });

    // The stable's own counter queries, over the decision rule's hour, one point per interval.
    expect(ranges.map((r) => r.query).sort()).toEqual([plan.stable!.requests, plan.stable!.errors, plan.stable!.buckets].sort());
    for (const r of ranges) expect(r).toMatchObject({ start: END - 3_600_000, end: END, stepMs: STEP });
    expect(ranges.every((r) => r.query.includes('destination_workload="web"'))).toBe(true);

    const h = got.get('errors')!;
    expect(h).toHaveLength(POINTS);
    const start = END - 3_600_000;
    expect(h[0]).toEqual({ at: start, stable: { requests: 0, errors: 0, buckets: [{ le: 100, count: 0 }, { le: Infinity, count: 0 }] } });
    expect(h[7]).toEqual({
      at: start + 7 * STEP,
      stable: { requests: 150 * 7, errors: 3 * 7, buckets: [{ le: 100, count: 120 * 7 }, { le: Infinity, count: 150 * 7 }] },
    });
    expect(h.map((o) => o.at)).toEqual(Array.from({ length: POINTS }, (_, i) => start + i * STEP));
    expect(lines).toEqual(['metric errors: stable history from prom: 40 intervals over the last 1h (burstiness learned from it)']);
  });

  test('too few intervals: a log line and no history', async () => {
    const { provider } = stubProvider();
    const short = { ...provider, queryRange: async (q: { query: string; start: number }) => ({ series: stableMatrix(q.query, q.start, 11), warnings: [] }) };
    const lines: string[] = [];
    const got = await fetchStableHistories([planFor(short as PrometheusProvider)], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });
    expect(got.size).toBe(0);
    expect(lines).toEqual(['metric errors: stable history from prom: only 10 intervals over the last 1h (needs 30 of 30s); running without it (the judge learns the burstiness from the stable during the rollout)']);
  });

  test('no data for the stable\'s requests: a log line and no history', async () => {
    const { provider } = stubProvider();
    const empty = { ...provider, queryRange: async () => ({ series: [], warnings: [] }) };
    const lines: string[] = [];
    const got = await fetchStableHistories([planFor(empty as PrometheusProvider)], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });
    expect(got.size).toBe(0);
    expect(lines).toEqual(["metric errors: stable history from prom: no data for the stable's requests over the last 1h; running without it (the judge learns the burstiness from the stable during the rollout)"]);
  });

  test('several series without an aggregate: the same error as a check, as a log line', async () => {
    const { provider } = stubProvider();
    const lines: string[] = [];
    const got = await fetchStableHistories([planFor(provider, { ...sequential, aggregate: undefined })], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });
    expect(got.size).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^metric errors: stable history from prom: could not be read \(prom: query for metric "errors" returned 2 series .*expected one: aggregate it/);
  });

  test('Datadog (no range queries of cumulative counts): skipped with a log line, nothing queried', async () => {
    const { provider, ranges } = stubProvider();
    const plan = planFor(provider);
    const datadog: MetricsProvider = { name: 'dd', type: 'datadog', query: provider.query, close: provider.close };
    const lines: string[] = [];
    const got = await fetchStableHistories([{ ...plan, provider: datadog }], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });
    expect(got.size).toBe(0);
    expect(ranges).toHaveLength(0);
    expect(lines).toEqual(['metric errors: stable history from dd: not available for a datadog provider (no range queries of cumulative counts); running without it (the judge learns the burstiness from the stable during the rollout)']);
  });

  test('metrics that are not sequential query nothing', async () => {
    const { provider, ranges } = stubProvider();
    const lines: string[] = [];
    const got = await fetchStableHistories([planFor(provider, { name: 'sr', builtin: 'request-success-rate', min: 99 })], { end: END, intervalMs: STEP, log: (l) => lines.push(l) });
    expect(got.size).toBe(0);
    expect(ranges).toHaveLength(0);
    expect(lines).toEqual([]);
  });
});

describe('the metric gate hands the stable\'s history to the sequential judge', () => {
  /**
   * A fake Prometheus: query_range answers from stableMatrix (or `range`), instant queries from
   * cumulative counters the test advances.
   */
  function world(range: (query: string, start: number) => Response | Error = (q, s) => matrix(stableMatrix(q, s))) {
    const c = { canary: { requests: 0, errors: 0 }, stable: { requests: 100_000, errors: 1_000 } };
    const seen: string[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      const p = new URLSearchParams(String(init.body));
      const query = p.get('query') ?? '';
      seen.push(`${new URL(url).pathname} ${query}`);
      if (url.endsWith('/api/v1/query_range')) {
        const r = range(query, Number(p.get('start')) * 1000);
        if (r instanceof Error) throw r;
        return r;
      }
      const v = query.includes('web-canary') ? c.canary : c.stable;
      const value = query.includes('_bucket') || !query.startsWith('sum(istio_requests_total') ? undefined : query.includes('response_code') ? v.errors : v.requests;
      const result = value === undefined ? [] : [{ metric: {}, value: [0, String(value)] }];
      return new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }), { status: 200 });
    }) as unknown as typeof fetch;
    const serve = (canary: number, canaryErrors: number, stable: number, stableErrors: number) => {
      c.canary.requests += canary;
      c.canary.errors += canaryErrors;
      c.stable.requests += stable;
      c.stable.errors += stableErrors;
    };
    return { fetchImpl, serve, seen };
  }
  const matrix = (series: RangeSeries[]) =>
    new Response(
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series.map((s) => ({ metric: s.labels, values: s.values.map(([t, v]) => [t / 1000, String(v)]) })) } }),
      { status: 200 },
    );

  function gate(w: ReturnType<typeof world>, extra: Partial<MetricGateOptions> & { provider?: object } = {}) {
    const { provider, ...rest } = extra;
    const lines: string[] = [];
    const g = createMetricGate({
      config: metricsConfigSchema.parse({ providers: { prom: { type: 'prometheus', address: 'http://prom:9090', retries: 1, ...provider } }, metrics: [sequential] }),
      vars,
      router: 'istio',
      secrets: {},
      log: (l) => lines.push(l),
      fetchImpl: w.fetchImpl,
      retryBaseDelayMs: 1,
      ...rest,
    });
    return { g, lines };
  }

  /** beginRollout, then a step of four checks; the method the judge reports on the last one. */
  async function rollout(g: ReturnType<typeof gate>['g'], w: ReturnType<typeof world>) {
    let now = END;
    await g.beginRollout!({ steps: [10, 50], startedAt: now, intervalMs: STEP });
    const ctx = () => ({ stepIndex: 0, weight: 10, stepStartedAt: END, now });
    g.beginStep!(ctx());
    let last;
    for (let i = 0; i < 4; i++) {
      w.serve(300, 3, 2_700, 27);
      now += STEP;
      last = await g.check(ctx());
    }
    return last!.metrics[0]!;
  }

  test('history learned before the rollout: the judge tempers its evidence by the stable\'s 40 intervals', async () => {
    const w = world();
    const { g, lines } = gate(w);
    const m = await rollout(g, w);
    expect(w.seen.filter((s) => s.startsWith('/api/v1/query_range'))).toHaveLength(3);
    expect(lines).toContain('metric errors: stable history from prom: 40 intervals over the last 1h (burstiness learned from it)');
    expect(m.details?.method).toMatch(/^mixture likelihood ratio, tempered by the burstiness of the stable's last 40 intervals before the rollout and those since \(κ [\d.]+\)$/);
    expect(m.verdict).not.toBe('fail');
  });

  test('a failing range query (HTTP 503 after retries): one log line, the rollout proceeds, the judge gets no history', async () => {
    const w = world(() => new Response('overloaded', { status: 503 }));
    const { g, lines } = gate(w, { provider: { retries: 2 } });
    const m = await rollout(g, w);
    const history = lines.filter((l) => l.includes('stable history'));
    expect(history).toEqual([
      'metric errors: stable history from prom: could not be read (prom: HTTP 503 (overloaded).); running without it (the judge learns the burstiness from the stable during the rollout)',
    ]);
    // Retried as any query (retries: 2 attempts), then given up: the other range queries are not sent.
    expect(w.seen.filter((s) => s.startsWith('/api/v1/query_range'))).toHaveLength(2);
    expect(m.details?.method).toMatch(/^mixture likelihood ratio, tempered by the burstiness of the stable's intervals in this rollout \(κ [\d.]+\)$/);
    expect(['continue', 'pass']).toContain(m.verdict);
  });

  test('an unreachable provider: the reason is logged with secrets masked', async () => {
    const w = world(() => new Error('socket hang up tok-123456'));
    const { g, lines } = gate(w, { provider: { 'bearer-token-env': 'PROM_TOKEN' }, secrets: { PROM_TOKEN: 'tok-123456' } });
    await g.beginRollout!({ steps: [10, 50], startedAt: END, intervalMs: STEP });
    const line = lines.find((l) => l.includes('stable history'))!;
    expect(line).toMatch(/^metric errors: stable history from prom: could not be read \(prom: cannot reach http:\/\/prom:9090: socket hang up \*\*\*/);
    expect(lines.join('\n')).not.toContain('tok-123456');
  });

  test('a run cancelled while the history is read stops (the abort is not swallowed as a failed history)', async () => {
    const ac = new AbortController();
    // A range query that hangs until its signal aborts, as fetch does.
    const hang = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const w = world();
    const fetchImpl = (async (url: string, init: RequestInit) =>
      url.endsWith('/api/v1/query_range') ? hang(init.signal!) : w.fetchImpl(url, init)) as unknown as typeof fetch;
    const { g, lines } = gate(w, { fetchImpl });
    const begun = g.beginRollout!({ steps: [10, 50], startedAt: END, intervalMs: STEP, signal: ac.signal });
    ac.abort(new Error('cancelled'));
    await expect(begun).rejects.toThrow(/cancelled/);
    expect(lines.filter((l) => l.includes('stable history'))).toEqual([]);
  });
});
