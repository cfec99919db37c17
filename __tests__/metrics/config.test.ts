import { metricsConfigSchema } from '../../src/metrics/config.ts';
import { renderTemplate, templateVariables } from '../../src/metrics/template.ts';
import { BUILTIN_METRICS, DATA_PLANE_FAMILIES } from '../../src/metrics/builtins.ts';
import { parseDuration } from '../../src/util/duration.ts';

const prom = { prom: { type: 'prometheus', address: 'http://prometheus:9090' } };

function issues(input: unknown): string[] {
  const r = metricsConfigSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('metrics config schema', () => {
  test('a built-in metric with defaults', () => {
    const cfg = metricsConfigSchema.parse({
      providers: prom,
      metrics: [{ name: 'success-rate', builtin: 'request-success-rate', min: 99, interval: '1m' }],
    });
    expect(cfg.metrics[0]).toMatchObject({ judge: 'threshold', 'failure-limit': 1, 'error-limit': 3, interval: 60_000, min: 99 });
    expect(cfg.providers.prom).toMatchObject({ timeout: 10_000, retries: 3, 'insecure-skip-verify': false });
  });

  test('Datadog provider: site, keys by env name', () => {
    const cfg = metricsConfigSchema.parse({
      providers: { dd: { type: 'datadog', site: 'datadoghq.eu', api: 'v1' } },
      metrics: [{ name: 'errors', query: 'sum:trace.http.request.errors{service:web}.as_count()', max: 5 }],
    });
    expect(cfg.providers.dd).toMatchObject({ 'api-key-env': 'DD_API_KEY', 'application-key-env': 'DD_APP_KEY', site: 'datadoghq.eu' });
    expect(issues({ providers: { dd: { type: 'datadog', site: 'datadog.com' } } }).join()).toMatch(/providers\.dd\.site: expected one of datadoghq\.com/);
  });

  test.each([
    [{ name: 'x', min: 1 }, /expected either builtin: or query:/],
    [{ name: 'x', builtin: 'request-success-rate' }, /threshold judge needs min:, max: or both/],
    [{ name: 'x', builtin: 'request-success-rate', judge: 'relative' }, /relative judge needs max-increase/],
    [{ name: 'x', query: 'up', judge: 'relative', 'max-increase': 0.2 }, /use \{\{target\}\} in query: or give baseline-query/],
    [{ name: 'x', query: 'up', judge: 'sequential', 'allowed-increase': 0.2 }, /only builtin: metrics provide/],
    [{ name: 'x', query: 'up', max: 1, 'min-requests': 10 }, /min-requests needs requests-query/],
    [{ name: 'x', builtin: 'request-latency-p50', max: 1 }, /builtin: expected one of request-success-rate/],
    [{ name: 'x', builtin: 'request-success-rate', min: 1, interval: 'soon' }, /interval: expected a duration like "500ms"/],
    [{ name: 'x', builtin: 'request-success-rate', min: 1, provider: 'thanos' }, /provider "thanos" is not in providers: \(found: prom\)/],
    [{ name: 'x', builtin: 'request-success-rate', min: 1, 'failure-limit': 0 }, /failure-limit/],
  ])('rejects %j naming the field', (metric, message) => {
    const found = issues({ providers: prom, metrics: [metric] });
    expect(found.join('\n')).toMatch(message);
  });

  test('provider is required with several providers; names are unique', () => {
    const two = { ...prom, other: { type: 'prometheus', address: 'http://thanos:9090' } };
    expect(issues({ providers: two, metrics: [{ name: 'a', query: 'up', max: 1 }] }).join()).toMatch(/provider: is required when providers: has 2 entries/);
    expect(
      issues({ providers: prom, metrics: [{ name: 'a', query: 'up', max: 1 }, { name: 'a', query: 'up', max: 2 }] }).join(),
    ).toMatch(/metric name "a" is used twice/);
  });

  test('unknown keys and bad addresses are named', () => {
    expect(issues({ providers: { p: { type: 'prometheus', address: 'not a url' } } }).join()).toMatch(/providers\.p\.address/);
    expect(issues({ providers: { p: { type: 'prometheus', address: 'http://p', token: 'x' } } }).join()).toMatch(/token/);
    expect(issues({ providers: { p: { type: 'influx' } } }).join()).toMatch(/type: prometheus or type: datadog/);
  });
});

describe('templates', () => {
  const vars = { namespace: 'shop', canary: 'web-canary', stable: 'web', interval: '1m', target: 'web-canary' };
  test('renders variables, with or without spaces', () => {
    expect(renderTemplate('rate(x{ns="{{namespace}}",w="{{ target }}"}[{{interval}}])', vars, 'metrics.a.query')).toBe(
      'rate(x{ns="shop",w="web-canary"}[1m])',
    );
    expect(templateVariables('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });

  test('an unknown variable is an error naming it and the field', () => {
    expect(() => renderTemplate('x{n="{{namespce}}"}', vars, 'metrics.a.query')).toThrow(
      /metrics\.a\.query: unknown template variable \{\{namespce\}\}; known variables: .*\{\{namespace\}\}/,
    );
  });

  test('refuses values that would break out of a label matcher', () => {
    expect(() => renderTemplate('x{n="{{namespace}}"}', { namespace: 'a"} or vector(1) #' }, 'f')).toThrow(/quote/);
  });

  test('every built-in renders for every data plane with the standard variables', () => {
    for (const [router, family] of Object.entries(DATA_PLANE_FAMILIES)) {
      for (const [name, b] of Object.entries(BUILTIN_METRICS)) {
        for (const role of ['canary', 'stable'] as const) {
          const q = b.queries(family, role);
          for (const tpl of Object.values(q)) {
            const out = renderTemplate(tpl, { ...vars, ingress: 'web', 'stable-service': 'web-stable', 'canary-service': 'web-canary' }, `${router}.${name}`);
            expect(out).not.toMatch(/\{\{/);
          }
        }
      }
    }
  });

  test('nginx tells the versions apart by the canary label: the canary upstream <ns>-<canary service>-<port>, or ""', () => {
    const q = BUILTIN_METRICS['request-success-rate']!;
    expect(q.queries(DATA_PLANE_FAMILIES.nginx, 'canary').value).toContain('canary=~"{{namespace}}-{{canary-service}}-.+"');
    expect(q.queries(DATA_PLANE_FAMILIES.nginx, 'stable').value).toContain('canary=""');
  });

  test.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m30s', 90_000],
    [250, 250_000],
    ['1d', 86_400_000],
    ['1x', undefined],
    ['', undefined],
  ])('duration %p -> %p', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });
});
