import { z } from 'zod';
import { parseDuration } from '../util/duration.ts';
import { BUILTIN_METRICS, DATA_PLANES } from './builtins.ts';

/**
 * The `providers:` section and `metrics:` list of .github/canary.yml. Keys are kebab-case as in the
 * YAML file. Secrets are given either as values or, better, as the name of an environment
 * variable / action secret (`*-env`), resolved by the entry point's `secrets` map.
 *
 * ```yaml
 * providers:
 *   prom:
 *     type: prometheus
 *     address: https://prometheus.monitoring:9090
 *     bearer-token-env: PROM_TOKEN        # or basic-auth: { username, password-env }
 *     headers: { X-Scope-OrgID: team-a }
 *     ca-file: /etc/ssl/prom-ca.pem       # or ca: <PEM>, or insecure-skip-verify: true
 *     timeout: 10s
 *     retries: 3
 * metrics:
 *   - name: success-rate
 *     builtin: request-success-rate      # per router: istio, nginx, gateway-api, linkerd
 *     min: 99                            # threshold judge (percent)
 *     min-requests: 100
 *     interval: 1m
 *   - name: latency
 *     builtin: request-latency-p99
 *     judge: relative
 *     max-increase: 0.2                  # canary p99 <= 1.2 x stable p99
 *     failure-limit: 2
 *   - name: errors-sequential
 *     builtin: request-error-rate
 *     judge: sequential                  # the default rule: docs/sequential.md
 *     allowed-increase: 0.5              # a step advances once +50 % ...
 *     allowed-increase-abs: 0.1          # ... or +0.1 percentage points, whichever is larger, would be caught
 *     alpha: 0.01                        # false-rollback budget of the whole rollout
 *   - name: queue-depth
 *     query: max(queue_depth{app="{{target}}",team="{{team}}"})
 *     variables: { team: payments }
 *     max: 100
 * ```
 * Datadog: `type: datadog`, `site: datadoghq.eu`, keys from DD_API_KEY / DD_APP_KEY (or
 * api-key-env / application-key-env), `api: v1|v2`; a metric gives `query:` (v1 arithmetic
 * allowed) or `queries: {a: ..., b: ...}` with `query: "100 * b / a"` as the v2 formula.
 */

const duration = (what: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${what}: expected a duration like "500ms", "10s" or "1m", found ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable / secret name like PROM_TOKEN');

const commonProviderFields = {
  /** Per-request timeout. */
  timeout: duration('timeout').default(10_000),
  /** Attempts per query including the first. */
  retries: z.number().int().min(1).max(10).default(3),
  headers: z.record(z.string(), z.string()).default({}),
};

const prometheusProvider = z
  .object({
    type: z.literal('prometheus'),
    address: z.url({ message: 'expected the Prometheus base URL, e.g. http://prometheus.monitoring:9090' }),
    'bearer-token': z.string().optional(),
    'bearer-token-env': envName.optional(),
    'basic-auth': z
      .object({
        username: z.string(),
        password: z.string().optional(),
        'password-env': envName.optional(),
      })
      .strict()
      .optional(),
    /** PEM text of a CA bundle, or a path to one (ca-file). */
    ca: z.string().optional(),
    'ca-file': z.string().optional(),
    'insecure-skip-verify': z.boolean().default(false),
    /**
     * How often Prometheus scrapes the data plane; learned from Prometheus when left out. The
     * built-ins' window is at least 4 x this (and at least 1m).
     */
    'scrape-interval': duration('scrape-interval').optional(),
    ...commonProviderFields,
  })
  .strict();

const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
  'uk1.datadoghq.com',
] as const;

const datadogProvider = z
  .object({
    type: z.literal('datadog'),
    site: z.enum(DATADOG_SITES, { message: `expected one of ${DATADOG_SITES.join(', ')}` }).default('datadoghq.com'),
    /** Overrides the site's API URL (proxies, the local stand-in). */
    address: z.url().optional(),
    'api-key': z.string().optional(),
    'api-key-env': envName.default('DD_API_KEY'),
    'application-key': z.string().optional(),
    'application-key-env': envName.default('DD_APP_KEY'),
    api: z.enum(['v1', 'v2']).default('v2'),
    ...commonProviderFields,
  })
  .strict();

const providerConfigSchema = z.discriminatedUnion('type', [prometheusProvider, datadogProvider], {
  error: () => 'expected a provider with type: prometheus or type: datadog',
});

const aggregate = z.enum(['sum', 'avg', 'min', 'max', 'last']);

export const metricConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a metric name of letters, digits, . _ -'),
    /** Name of an entry in providers:; may be left out when there is exactly one provider. */
    provider: z.string().optional(),
    builtin: z.enum(Object.keys(BUILTIN_METRICS) as [string, ...string[]], {
      message: `expected one of ${Object.keys(BUILTIN_METRICS).join(', ')}`,
    }).optional(),
    /** Query template; {{target}} is the version being queried (canary, or stable for the baseline). */
    query: z.string().min(1).optional(),
    /** Query for the stable baseline when `query` does not use {{target}}. */
    'baseline-query': z.string().min(1).optional(),
    /** Query giving the number of requests in the window, for min-requests with a custom query. */
    'requests-query': z.string().min(1).optional(),
    /** Datadog v2: named queries used by `formula` (query is then the formula's default "a"). */
    queries: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string()).optional(),
    formula: z.string().optional(),
    /** How to reduce several series (Prometheus) or points (Datadog) to one value. */
    aggregate: aggregate.optional(),
    /** Window for {{interval}} (and the Datadog query range). */
    interval: duration('interval').optional(),
    variables: z.record(z.string(), z.string()).default({}),
    judge: z.enum(['threshold', 'relative', 'sequential']).default('threshold'),
    min: z.number().optional(),
    max: z.number().optional(),
    'max-increase': z.number().min(0).optional(),
    'max-increase-abs': z.number().min(0).optional(),
    direction: z.enum(['lower-is-better', 'higher-is-better']).optional(),
    'min-requests': z.number().int().min(0).optional(),
    'failure-limit': z.number().int().min(1).default(1),
    'inconclusive-limit': z.number().int().min(1).optional(),
    'error-limit': z.number().int().min(1).default(3),
    // sequential judge
    kind: z.enum(['error-rate', 'latency']).optional(),
    /** False-rollback budget of the whole rollout for the sequential metrics (default: the decision rule's, src/analysis/decision-rule.ts). */
    alpha: z.number().gt(0).lt(1).optional(),
    /** Relative increase a step must be able to catch before it advances (default 0.5 = +50 %). */
    'allowed-increase': z.number().min(0).optional(),
    /** Absolute floor of that increase, in percentage points of the rate (default 0.1). */
    'allowed-increase-abs': z.number().min(0).lt(100).optional(),
    /** Chance that a regression of that size escapes a step (default 0.2). */
    beta: z.number().gt(0).lt(1).optional(),
    quantile: z.number().gt(0).lt(1).optional(),
    'burn-in': duration('burn-in').optional(),
    /**
     * Bursty errors (docs/sequential.md): unset, the evidence is tempered by the burstiness of the
     * stable's last hour and its intervals since; true adds a cautious prior for when that history
     * is missing; false assumes independent errors.
     */
    robust: z.boolean().optional(),
    unit: z.string().optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const where = (field: string) => `metric "${m.name}": ${field}`;
    if (!m.builtin && !m.query && !m.queries) {
      ctx.addIssue({ code: 'custom', path: ['query'], message: `${where('query')}: expected either builtin: or query:` });
    }
    if (m.builtin && (m.query || m.queries)) {
      ctx.addIssue({ code: 'custom', path: ['builtin'], message: `${where('builtin')}: give builtin: or query:, not both` });
    }
    if (m.judge === 'threshold' && m.min === undefined && m.max === undefined) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `${where('min/max')}: a threshold judge needs min:, max: or both` });
    }
    if (m.judge === 'relative') {
      if (m['max-increase'] === undefined && m['max-increase-abs'] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['max-increase'],
          message: `${where('max-increase')}: a relative judge needs max-increase: (e.g. 0.2 = stable x 1.2) or max-increase-abs: (e.g. 0.5 points)`,
        });
      }
      if (!m.builtin && m.query && !m.query.includes('{{') && !m['baseline-query']) {
        ctx.addIssue({
          code: 'custom',
          path: ['baseline-query'],
          message: `${where('baseline-query')}: a relative judge needs the stable value: use {{target}} in query: or give baseline-query:`,
        });
      }
    }
    if (m.judge === 'sequential') {
      const b = m.builtin ? BUILTIN_METRICS[m.builtin] : undefined;
      if (!b) {
        ctx.addIssue({
          code: 'custom',
          path: ['builtin'],
          message: `${where('judge')}: judge: sequential needs request/error counts or histograms, which only builtin: metrics provide`,
        });
      }
    }
    if (m['min-requests'] !== undefined && !m.builtin && !m['requests-query']) {
      ctx.addIssue({
        code: 'custom',
        path: ['requests-query'],
        message: `${where('min-requests')}: with a custom query, min-requests needs requests-query: (how many requests the window saw)`,
      });
    }
  });

export const metricsConfigSchema = z
  .object({
    providers: z.record(z.string(), providerConfigSchema).default({}),
    metrics: z.array(metricConfigSchema).default([]),
    /**
     * Which data plane's metrics the built-ins read (docs/metrics.md); by default from the router
     * (istio, nginx, smi → linkerd) or, for gateway-api, from the implementation's controllerName.
     */
    'data-plane': z.enum(DATA_PLANES, { message: `expected one of ${DATA_PLANES.join(', ')}` }).optional(),
  })
  .superRefine((cfg, ctx) => {
    const names = Object.keys(cfg.providers);
    const seen = new Set<string>();
    cfg.metrics.forEach((m, i) => {
      if (seen.has(m.name)) {
        ctx.addIssue({ code: 'custom', path: ['metrics', i, 'name'], message: `metric name "${m.name}" is used twice` });
      }
      seen.add(m.name);
      if (m.provider !== undefined && !cfg.providers[m.provider]) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', i, 'provider'],
          message: `metric "${m.name}": provider "${m.provider}" is not in providers: (found: ${names.join(', ') || 'none'})`,
        });
      }
      if (m.provider === undefined && names.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', i, 'provider'],
          message: `metric "${m.name}": provider: is required when providers: has ${names.length} entries (found: ${names.join(', ') || 'none'})`,
        });
      }
    });
  });

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
export type MetricConfig = z.infer<typeof metricConfigSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** Provider name of a metric (the only provider when the metric names none). */
export function metricProviderName(cfg: MetricsConfig, metric: MetricConfig): string {
  return metric.provider ?? Object.keys(cfg.providers)[0]!;
}
