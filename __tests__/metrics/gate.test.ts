import { createMetricGate, type MetricGateOptions } from '../../src/metrics/gate.ts';
import { metricsConfigSchema } from '../../src/metrics/config.ts';

/** A fetch that answers Prometheus instant queries from a function of the query text. */
function fakeFetch(answer: (query: string) => string | undefined | Error) {
  const seen: Array<{ query: string; auth: string | null }> = [];
  const impl = (async (_url: string, init: RequestInit) => {
    const query = new URLSearchParams(String(init.body)).get('query') ?? '';
    seen.push({ query, auth: new Headers(init.headers).get('authorization') });
    const a = answer(query);
    if (a instanceof Error) throw a;
    const result = a === undefined ? [] : [{ metric: {}, value: [0, a] }];
    return new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }), { status: 200 });
  }) as unknown as typeof fetch;
  return { impl, seen };
}

const vars = { namespace: 'shop', stable: 'web', canary: 'web-canary', service: 'web', interval: '1m' };
const ctx = (now = 1_700_000_000_000) => ({ stepIndex: 0, weight: 10, stepStartedAt: now, now });

function gate(
  metrics: unknown[],
  answer: (q: string) => string | undefined | Error,
  { provider, ...extra }: Partial<MetricGateOptions> & { provider?: object } = {},
) {
  const f = fakeFetch(answer);
  const lines: string[] = [];
  const g = createMetricGate({
    config: metricsConfigSchema.parse({ providers: { prom: { type: 'prometheus', address: 'http://prom:9090', retries: 1, ...provider } }, metrics }),
    vars,
    router: 'istio',
    secrets: {},
    log: (l) => lines.push(l),
    fetchImpl: f.impl,
    ...extra,
  });
  return { g, lines, seen: f.seen };
}

test('failure-limit: consecutive failures before the metric fails; a pass resets; beginStep resets', async () => {
  const values = ['90', '99.9', '90', '90', '90'];
  let i = 0;
  let current = '0';
  const { g } = gate([{ name: 'sr', builtin: 'request-success-rate', min: 99, 'failure-limit': 2 }], (q) => {
    // canary and stable are queried once per check; advance on the canary's query.
    if (q.includes('destination_workload="web-canary"')) current = values[i++] ?? '90';
    return q.includes('web-canary') ? current : '99.9';
  });
  const verdicts: string[] = [];
  for (let k = 0; k < 4; k++) verdicts.push((await g.check(ctx())).verdict);
  expect(verdicts).toEqual(['continue', 'pass', 'continue', 'fail']);
  g.beginStep!(ctx());
  const after = await g.check(ctx());
  expect(after.verdict).toBe('continue');
  expect(after.metrics[0]!.explanation).toMatch(/failure 1 of 2 allowed consecutive/);
});

test('a step passes only when every metric passes', async () => {
  const { g } = gate(
    [
      { name: 'sr', builtin: 'request-success-rate', min: 99 },
      { name: 'p99', builtin: 'request-latency-p99', max: 300 },
    ],
    (q) => (q.startsWith('histogram_quantile') ? (q.includes('web-canary') ? '350' : '120') : '99.5'),
  );
  const c = await g.check(ctx());
  expect(c.verdict).toBe('fail');
  expect(c.summary).toBe('metric p99 failed');
  expect(c.metrics.map((m) => [m.name, m.verdict, m.canaryValue, m.stableValue])).toEqual([
    ['sr', 'pass', 99.5, 99.5],
    ['p99', 'fail', 350, 120],
  ]);
});

test('custom query with {{target}}, user variables, rendered and logged', async () => {
  const { g, lines, seen } = gate(
    [{ name: 'q', query: 'sum(rate(http_errors{app="{{target}}",team="{{team}}"}[{{interval}}]))', judge: 'relative', 'max-increase': 1, variables: { team: 'payments' } }],
    () => '1',
  );
  const c = await g.check(ctx());
  expect(c.verdict).toBe('pass');
  expect(seen.map((s) => s.query).sort()).toEqual([
    'sum(rate(http_errors{app="web",team="payments"}[1m]))',
    'sum(rate(http_errors{app="web-canary",team="payments"}[1m]))',
  ]);
  expect(lines[0]).toBe('metric q (prom, relative): canary query: sum(rate(http_errors{app="web-canary",team="payments"}[1m]))');
  expect(lines).toContain('metric q: canary 1, stable 1, threshold <= 2 x stable (2) -> pass: canary 1 vs stable 1, bound 2: within');
});

test('an unknown template variable fails at creation, naming it', () => {
  expect(() => gate([{ name: 'q', query: 'up{ns="{{namespce}}"}', max: 1 }], () => '1')).toThrow(/metrics\.q\.query: unknown template variable \{\{namespce\}\}/);
});

test('built-ins need a data plane; nginx needs the ingress variable', () => {
  expect(() => gate([{ name: 'sr', builtin: 'request-success-rate', min: 99 }], () => '1', { router: 'traefik' })).toThrow(
    /metrics\.sr\.builtin: no built-in queries for router "traefik": set data-plane: .*\(istio, nginx, linkerd, istio-gateway, contour\) or write query:/,
  );
  expect(() => gate([{ name: 'sr', builtin: 'request-success-rate', min: 99 }], () => '1', { router: 'nginx' })).toThrow(/\{\{ingress\}\}/);
});

test('bearer token from the secrets map: sent, masked, never logged', async () => {
  const masked: string[] = [];
  const { g, lines, seen } = gate([{ name: 'sr', builtin: 'request-success-rate', min: 99 }], () => new Error('socket hang up tok-123456'), {
    provider: { 'bearer-token-env': 'PROM_TOKEN' },
    secrets: { PROM_TOKEN: 'tok-123456' },
    maskSecret: (s) => masked.push(s),
  });
  const c = await g.check(ctx());
  expect(masked).toEqual(['tok-123456']);
  expect(seen[0]!.auth).toBe('Bearer tok-123456');
  expect(c.metrics[0]!.verdict).toBe('inconclusive');
  expect(c.metrics[0]!.explanation).toMatch(/^metrics-unavailable: prom: cannot reach http:\/\/prom:9090: socket hang up \*\*\*/);
  expect(lines.join('\n')).not.toContain('tok-123456');
});

test('a missing secret is a config error naming it', () => {
  expect(() =>
    gate([{ name: 'sr', builtin: 'request-success-rate', min: 99 }], () => '1', { provider: { 'bearer-token-env': 'PROM_TOKEN' } }),
  ).toThrow(/providers\.prom\.bearer-token-env: secret PROM_TOKEN is not set/);
});

test('no metrics configured passes with a summary saying so', async () => {
  const { g } = gate([], () => '1');
  expect(await g.check(ctx())).toEqual({ verdict: 'pass', summary: 'no metrics configured', metrics: [] });
});

describe('sequential metrics keep one evidence process per rollout (issue 13)', () => {
  /** Cumulative counters the fake Prometheus serves, advanced by the test between checks. */
  function counters() {
    const c = { canary: { requests: 0, errors: 0 }, stable: { requests: 100_000, errors: 1_000 } };
    const answer = (q: string): string | undefined => {
      if (q.startsWith('histogram_quantile') || q.includes('_bucket')) return undefined;
      const v = q.includes('web-canary') ? c.canary : c.stable;
      if (!q.startsWith('sum(istio_requests_total')) return '99';
      return String(q.includes('response_code') ? v.errors : v.requests);
    };
    const serve = (canary: number, canaryErrors: number, stable: number, stableErrors: number) => {
      c.canary.requests += canary;
      c.canary.errors += canaryErrors;
      c.stable.requests += stable;
      c.stable.errors += stableErrors;
    };
    return { answer, serve };
  }
  const metric = { name: 'errors', builtin: 'request-error-rate', judge: 'sequential' };

  test('the second step judges the first step\'s intervals too, and each step reports what it could detect', async () => {
    const w = counters();
    const { g, lines } = gate([metric], w.answer);
    let now = 1_700_000_000_000;
    g.beginStep!(ctx(now));
    for (let i = 0; i < 4; i++) {
      w.serve(300, 3, 2_700, 27);
      await g.check(ctx((now += 30_000)));
    }
    g.beginStep!(ctx(now));
    w.serve(300, 3, 2_700, 27);
    await g.check(ctx((now += 30_000)));
    w.serve(300, 3, 2_700, 27);
    const c = await g.check(ctx((now += 30_000)));
    const m = c.metrics[0]!;
    expect(m.details?.steps).toBe(2);
    // 3 intervals in step 1 (4 checks) + 1 in step 2: the evidence is the rollout's.
    expect(m.details?.intervals).toBe(4);
    expect(m.details?.canaryRequests).toBe(1_200);
    expect(m.power).toMatchObject({ kind: 'error-rate', targetIncrease: 0.5, power: 0.8 });
    expect(m.power!.minDetectableIncrease).toBeGreaterThan(0.5);
    expect(c.verdict).toBe('continue');
    // The summary (and so a step-timeout message) says what the step could see.
    expect(c.summary).toMatch(/errors: this step could detect \+[\d.]+% \([\d.]+% → [\d.]+%\) in the error rate with 80% power; configured \+50%/);
    expect(lines.some((l) => /^metric errors: this step could detect/.test(l))).toBe(true);
  });

  test('beginRollout starts a new evidence process: a second rollout does not inherit the first one\'s steps', async () => {
    const w = counters();
    const { g } = gate([metric], w.answer);
    let now = 1_700_000_000_000;
    g.beginRollout!({ steps: [10, 50], startedAt: now });
    g.beginStep!(ctx(now));
    for (let i = 0; i < 3; i++) {
      w.serve(300, 3, 2_700, 27);
      await g.check(ctx((now += 30_000)));
    }
    g.beginRollout!({ steps: [10, 50], startedAt: now });
    g.beginStep!(ctx(now));
    w.serve(300, 3, 2_700, 27);
    await g.check(ctx((now += 30_000)));
    w.serve(300, 3, 2_700, 27);
    const c = await g.check(ctx((now += 30_000)));
    expect(c.metrics[0]!.details?.steps).toBe(1);
    expect(c.metrics[0]!.details?.intervals).toBe(1);
  });

  test('a regression spread over two steps is caught by the rollout\'s evidence, not lost at the step boundary', async () => {
    // Each step alone is too short to reach e-value 1/α at 1 % → 2 %; together they are not.
    const w = counters();
    const { g } = gate([{ ...metric, alpha: 0.01 }], w.answer);
    let now = 1_700_000_000_000;
    const verdicts: string[] = [];
    for (let step = 0; step < 2; step++) {
      g.beginStep!(ctx(now));
      await g.check(ctx((now += 30_000)));
      for (let i = 0; i < 3; i++) {
        w.serve(1_000, 17, 9_000, 90);
        verdicts.push((await g.check(ctx((now += 30_000)))).verdict);
      }
    }
    expect(verdicts.slice(0, 3)).not.toContain('fail');
    expect(verdicts.at(-1)).toBe('fail');
  });
});
