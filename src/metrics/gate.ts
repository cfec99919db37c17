import type { GateCheck, GateContext, MetricReport, StepGate } from '../rollout/gate.ts';
import type { HistogramBucket, Judge, MetricObservation } from '../analysis/types.ts';
import type { WindowedSample } from '../analysis/judges/min-requests.ts';
import { createJudge } from '../analysis/judges/index.ts';
import { splitAlpha } from '../analysis/sequential/index.ts';
import { formatValue } from '../util/format.ts';
import type { TrackerLimits, TrackerState, TrackedVerdict } from '../analysis/metric-tracker.ts';
import { combineVerdicts, initialTrackerState, trackJudgeResult, trackProviderError } from '../analysis/metric-tracker.ts';
import { InputError, errorMessage } from '../util/errors.ts';
import type { MetricConfig, MetricsConfig, ProviderConfig } from './config.ts';
import { metricProviderName } from './config.ts';
import type { BuiltinMetric, RouterFamily, VersionRole } from './builtins.ts';
import { BUILTIN_METRICS, ROUTER_FAMILIES } from './builtins.ts';
import { parseDuration, promDuration } from '../config/duration.ts';
import { MetricsProviderError } from './http.ts';
import type { InstantQuery, MetricsProvider, QueryResult } from './provider.ts';
import { createPrometheusProvider } from './prometheus.ts';
import { createDatadogProvider } from './datadog.ts';
import { renderTemplate, templateVariables } from './template.ts';

export interface MetricGateOptions {
  config: MetricsConfig;
  vars: {
    namespace: string;
    stable: string;
    canary: string;
    service: string;
    ingress?: string;
    interval?: string;
    [k: string]: string | undefined;
  };
  /** 'istio' | 'nginx' | 'gateway-api' | 'linkerd' | ... picks the built-in queries. */
  router: string;
  /** Secret values by name (env var / action secret names used in providers:). */
  secrets: { [name: string]: string | undefined };
  log: (line: string) => void;
  /** Registers a value to be masked in logs (core.setSecret). */
  maskSecret?: (s: string) => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** Injected by tests to make provider retries instant. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Base delay of provider retries (default 250 ms). */
  retryBaseDelayMs?: number;
}

export type MetricGate = StepGate & {
  /** The rendered queries per metric (what the logs show). */
  readonly queries: ReadonlyMap<string, { canary: string; stable?: string }>;
  close(): Promise<void>;
};

/** The queries one version needs at each check. */
interface VersionQueries {
  value: string;
  windowRequests?: string;
  requests?: string;
  errors?: string;
  buckets?: string;
}

interface MetricPlan {
  metric: MetricConfig;
  provider: MetricsProvider;
  judge: Judge;
  limits: TrackerLimits;
  windowMs: number;
  unit: string;
  histogramToMs: number;
  canary: VersionQueries;
  stable?: VersionQueries;
  /** Datadog v2 named queries, rendered per role. */
  subQueries?: { canary: Record<string, string>; stable?: Record<string, string> };
}

const DEFAULT_INTERVAL_MS = 60_000;

function resolveSecret(
  field: string,
  value: string | undefined,
  envName: string | undefined,
  secrets: MetricGateOptions['secrets'],
  required: boolean,
): string | undefined {
  if (value) return value;
  if (envName === undefined) return undefined;
  const v = secrets[envName];
  if (v) return v;
  if (required) {
    throw new InputError(field, `secret ${envName} is not set; pass it to the action (env: ${envName}: \${{ secrets.${envName} }}) or set the value in the config`);
  }
  return undefined;
}

function buildProvider(name: string, p: ProviderConfig, opts: MetricGateOptions): MetricsProvider {
  const field = `providers.${name}`;
  const common = {
    name,
    timeoutMs: p.timeout,
    attempts: p.retries,
    log: opts.log,
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.retryBaseDelayMs !== undefined ? { baseDelayMs: opts.retryBaseDelayMs } : {}),
  };
  if (p.type === 'prometheus') {
    const token = resolveSecret(`${field}.bearer-token-env`, p['bearer-token'], p['bearer-token-env'], opts.secrets, true);
    const ba = p['basic-auth'];
    const password = ba
      ? resolveSecret(`${field}.basic-auth.password-env`, ba.password, ba['password-env'], opts.secrets, true) ?? ''
      : undefined;
    for (const s of [token, password]) if (s) opts.maskSecret?.(s);
    if (ba && password) opts.maskSecret?.(Buffer.from(`${ba.username}:${password}`).toString('base64'));
    return createPrometheusProvider({
      ...common,
      address: p.address,
      headers: p.headers,
      ...(token ? { bearerToken: token } : {}),
      ...(ba ? { basicAuth: { username: ba.username, password: password ?? '' } } : {}),
      tls: {
        ...(p.ca ? { ca: p.ca } : {}),
        ...(p['ca-file'] ? { caFile: p['ca-file'] } : {}),
        insecureSkipVerify: p['insecure-skip-verify'],
      },
    });
  }
  const apiKey = resolveSecret(`${field}.api-key-env`, p['api-key'], p['api-key-env'], opts.secrets, true)!;
  const appKey = resolveSecret(`${field}.application-key-env`, p['application-key'], p['application-key-env'], opts.secrets, true)!;
  opts.maskSecret?.(apiKey);
  opts.maskSecret?.(appKey);
  return createDatadogProvider({
    ...common,
    site: p.site,
    ...(p.address ? { address: p.address } : {}),
    apiKey,
    applicationKey: appKey,
    api: p.api,
    headers: p.headers,
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/**
 * `sequentialCount`: how many metrics of the gate use a sequential judge; each one's alpha is split
 * across them (Bonferroni) so the gate as a whole keeps the false-rollback budget.
 */
function planMetric(m: MetricConfig, provider: MetricsProvider, opts: MetricGateOptions, sequentialCount: number): MetricPlan {
  const field = `metrics.${m.name}`;
  const intervalMs =
    m.interval ?? (opts.vars.interval ? parseDuration(opts.vars.interval) : undefined) ?? DEFAULT_INTERVAL_MS;
  const baseVars: Record<string, string | undefined> = {
    ...opts.vars,
    ...m.variables,
    interval: promDuration(intervalMs),
  };
  const varsFor = (role: VersionRole): Record<string, string | undefined> => ({
    ...baseVars,
    target: role === 'canary' ? opts.vars.canary : opts.vars.stable,
  });
  const render = (tpl: string, role: VersionRole, what: string): string =>
    renderTemplate(tpl, varsFor(role), `${field}.${what}`);

  const builtin: BuiltinMetric | undefined = m.builtin ? BUILTIN_METRICS[m.builtin] : undefined;
  let family: RouterFamily | undefined;
  if (builtin) {
    family = ROUTER_FAMILIES[opts.router];
    if (!family) {
      throw new InputError(
        `${field}.builtin`,
        `no built-in queries for router "${opts.router}" (built-ins exist for ${Object.keys(ROUTER_FAMILIES).join(', ')}); write query: instead`,
      );
    }
  }
  const unit = m.unit ?? builtin?.unit ?? '';
  const needCounts = m.judge === 'sequential';
  const needWindow = m['min-requests'] !== undefined && m.judge !== 'sequential';

  const versionQueries = (role: VersionRole): VersionQueries => {
    if (builtin && family) {
      const q = builtin.queries(family, role);
      return {
        value: render(q.value, role, 'builtin'),
        ...(needWindow ? { windowRequests: render(q.windowRequests, role, 'builtin') } : {}),
        ...(needCounts
          ? {
              requests: render(q.requests, role, 'builtin'),
              errors: render(q.errors, role, 'builtin'),
              buckets: render(q.buckets, role, 'builtin'),
            }
          : {}),
      };
    }
    const tpl = role === 'stable' && m['baseline-query'] ? m['baseline-query'] : (m.query ?? 'a');
    return {
      value: render(tpl, role, role === 'stable' && m['baseline-query'] ? 'baseline-query' : 'query'),
      ...(needWindow && m['requests-query'] ? { windowRequests: render(m['requests-query'], role, 'requests-query') } : {}),
    };
  };

  const usesTarget = (t?: string): boolean => t !== undefined && templateVariables(t).includes('target');
  const subUsesTarget = Object.values(m.queries ?? {}).some((q) => usesTarget(q));
  const hasStable =
    builtin !== undefined || m['baseline-query'] !== undefined || usesTarget(m.query) || subUsesTarget;

  const subFor = (role: VersionRole): Record<string, string> =>
    Object.fromEntries(Object.entries(m.queries ?? {}).map(([k, q]) => [k, render(q, role, `queries.${k}`)]));

  const direction = m.direction ?? builtin?.direction ?? 'lower-is-better';
  const judge = createJudge({
    judge: m.judge,
    unit,
    direction,
    ...(m.min !== undefined ? { min: m.min } : {}),
    ...(m.max !== undefined ? { max: m.max } : {}),
    ...(m['max-increase'] !== undefined ? { maxIncrease: m['max-increase'] } : {}),
    ...(m['max-increase-abs'] !== undefined ? { maxIncreaseAbs: m['max-increase-abs'] } : {}),
    ...(m['min-requests'] !== undefined ? { minRequests: m['min-requests'] } : {}),
    kind: m.kind ?? builtin?.sequentialKind ?? 'error-rate',
    alpha: m.judge === 'sequential' && sequentialCount > 1 ? splitAlpha(m.alpha, sequentialCount) : m.alpha,
    ...(m['allowed-increase'] !== undefined ? { allowedIncrease: m['allowed-increase'] } : {}),
    ...((m.quantile ?? builtin?.quantile) !== undefined ? { quantile: (m.quantile ?? builtin?.quantile)! } : {}),
    ...(m['burn-in'] !== undefined ? { burnInMs: m['burn-in'] } : {}),
    ...(m.robust !== undefined ? { robust: m.robust } : {}),
  });

  return {
    metric: m,
    provider,
    judge,
    limits: {
      failureLimit: m['failure-limit'],
      errorLimit: m['error-limit'],
      ...(m['inconclusive-limit'] !== undefined ? { inconclusiveLimit: m['inconclusive-limit'] } : {}),
    },
    windowMs: intervalMs,
    unit,
    histogramToMs: family?.histogramToMs ?? 1,
    canary: versionQueries('canary'),
    ...(hasStable ? { stable: versionQueries('stable') } : {}),
    ...(m.queries ? { subQueries: { canary: subFor('canary'), ...(hasStable ? { stable: subFor('stable') } : {}) } } : {}),
  };
}

function seriesDescription(r: QueryResult): string {
  return r.series
    .slice(0, 3)
    .map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`)
    .join(', ');
}

/** One number from a query: no series is no data; several need an aggregate. */
function singleValue(r: QueryResult, plan: MetricPlan, query: string): number | undefined {
  const values = r.series.map((s) => s.value).filter((v) => !Number.isNaN(v));
  if (r.series.length === 0 || values.length === 0) return undefined;
  if (r.series.length === 1) return values[0];
  const agg = plan.metric.aggregate;
  if (!agg) {
    throw new MetricsProviderError(
      plan.provider.name,
      `query for metric "${plan.metric.name}" returned ${r.series.length} series (${seriesDescription(r)}...), expected one: ` +
        `aggregate it in the query (e.g. sum(...)) or set aggregate: sum|avg|min|max|last on the metric. Query: ${query}`,
      { retryable: false },
    );
  }
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    default:
      return values.at(-1);
  }
}

function toBuckets(r: QueryResult, toMs: number): HistogramBucket[] | undefined {
  const buckets = r.series
    .filter((s) => s.labels.le !== undefined && !Number.isNaN(s.value))
    .map((s) => {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le) * toMs;
      return { le, count: s.value };
    })
    .sort((a, b) => a.le - b.le);
  return buckets.length ? buckets : undefined;
}

async function queryVersion(
  plan: MetricPlan,
  q: VersionQueries,
  sub: Record<string, string> | undefined,
  at: number,
  signal: AbortSignal | undefined,
): Promise<WindowedSample> {
  const base: Omit<InstantQuery, 'query'> = {
    at,
    windowMs: plan.windowMs,
    ...(plan.metric.aggregate ? { pointAggregate: plan.metric.aggregate } : {}),
    ...(signal ? { signal } : {}),
  };
  const run = (query: string, queries?: Record<string, string>): Promise<QueryResult> =>
    plan.provider.query({ ...base, query, ...(queries ? { queries } : {}) });
  const [value, windowRequests, requests, errors, buckets] = await Promise.all([
    run(q.value, sub),
    q.windowRequests ? run(q.windowRequests) : undefined,
    q.requests ? run(q.requests) : undefined,
    q.errors ? run(q.errors) : undefined,
    q.buckets ? run(q.buckets) : undefined,
  ]);
  const sample: WindowedSample = {};
  const v = singleValue(value, plan, q.value);
  if (v !== undefined) sample.value = v;
  if (windowRequests) sample.windowRequests = singleValue(windowRequests, plan, q.windowRequests!) ?? 0;
  if (requests) {
    const n = singleValue(requests, plan, q.requests!);
    if (n !== undefined) sample.requests = n;
  }
  if (errors) sample.errors = singleValue(errors, plan, q.errors!) ?? 0;
  if (buckets) {
    const b = toBuckets(buckets, plan.histogramToMs);
    if (b) sample.buckets = b;
  }
  return sample;
}

/**
 * The metric gate: every check queries each metric (in parallel) for canary and stable, feeds the
 * metric's judge with the step's history, applies failure-limit / inconclusive-limit / error-limit
 * and reports one line per metric. A provider that stays down fails the metric with
 * metrics-unavailable; it never passes.
 */
export function createMetricGate(opts: MetricGateOptions): MetricGate {
  const now = opts.now ?? Date.now;
  const providers = new Map<string, MetricsProvider>();
  for (const [name, p] of Object.entries(opts.config.providers)) providers.set(name, buildProvider(name, p, opts));
  const sequentialCount = opts.config.metrics.filter((m) => m.judge === 'sequential').length;
  const plans = opts.config.metrics.map((m) =>
    planMetric(m, providers.get(metricProviderName(opts.config, m))!, opts, sequentialCount),
  );

  const queries = new Map<string, { canary: string; stable?: string }>();
  for (const p of plans) {
    const show = (q: VersionQueries, sub?: Record<string, string>): string =>
      sub ? `${Object.entries(sub).map(([k, v]) => `${k} = ${v}`).join('; ')}; formula ${q.value}` : q.value;
    const entry = {
      canary: show(p.canary, p.subQueries?.canary),
      ...(p.stable ? { stable: show(p.stable, p.subQueries?.stable) } : {}),
    };
    queries.set(p.metric.name, entry);
    opts.log(`metric ${p.metric.name} (${p.provider.name}, ${p.metric.judge}): canary query: ${entry.canary}`);
    if (entry.stable) opts.log(`metric ${p.metric.name} (${p.provider.name}): stable query: ${entry.stable}`);
  }

  let histories = new Map<string, MetricObservation[]>();
  let states = new Map<string, TrackerState>();

  async function checkMetric(plan: MetricPlan, ctx: GateContext): Promise<MetricReport & { reason?: TrackedVerdict['reason'] }> {
    const name = plan.metric.name;
    const at = ctx.now ?? now();
    const prev = states.get(name) ?? initialTrackerState();
    const query = [queries.get(name)!.canary, queries.get(name)!.stable].filter(Boolean).join('\n');
    let tracked: TrackedVerdict;
    let report: Omit<MetricReport, 'verdict' | 'explanation'> = { name, query, ...(plan.unit ? { unit: plan.unit } : {}) };
    try {
      const [canary, stable] = await Promise.all([
        queryVersion(plan, plan.canary, plan.subQueries?.canary, at, ctx.signal),
        plan.stable ? queryVersion(plan, plan.stable, plan.subQueries?.stable, at, ctx.signal) : undefined,
      ]);
      const history = histories.get(name) ?? [];
      history.push({ at, canary, ...(stable ? { stable } : {}) });
      histories.set(name, history);
      const result = plan.judge(history);
      tracked = trackJudgeResult(prev, result, plan.limits);
      report = {
        ...report,
        ...(result.canaryValue !== undefined ? { canaryValue: result.canaryValue } : {}),
        ...(result.stableValue !== undefined ? { stableValue: result.stableValue } : {}),
        ...(result.unit !== undefined ? { unit: result.unit } : {}),
        ...(result.threshold !== undefined ? { threshold: result.threshold } : {}),
        ...(result.details ? { details: result.details } : {}),
      };
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      tracked = trackProviderError(prev, errorMessage(err), plan.limits);
    }
    states.set(name, tracked.state);
    opts.log(
      `metric ${name}: canary ${formatValue(report.canaryValue, report.unit, 'no data')}, ` +
        `stable ${formatValue(report.stableValue, report.unit, 'no data')}` +
        `${report.threshold ? `, threshold ${report.threshold}` : ''} -> ${tracked.verdict}: ${tracked.explanation}`,
    );
    return { ...report, verdict: tracked.verdict, explanation: tracked.explanation, ...(tracked.reason ? { reason: tracked.reason } : {}) };
  }

  return {
    name: 'metrics',
    queries,
    beginStep() {
      histories = new Map();
      states = new Map();
    },
    async check(ctx: GateContext): Promise<GateCheck> {
      if (plans.length === 0) return { verdict: 'pass', summary: 'no metrics configured', metrics: [] };
      const checked = await Promise.all(plans.map((p) => checkMetric(p, ctx)));
      const metrics: MetricReport[] = checked.map(({ reason: _reason, ...m }) => m);
      const verdict = combineVerdicts(metrics.map((m) => m.verdict));
      const counts = (v: string): number => metrics.filter((m) => m.verdict === v).length;
      const failed = metrics.filter((m) => m.verdict === 'fail').map((m) => m.name);
      // A judge's failure is the canary's; a provider that stayed down is not, and the rollback's
      // message (built from this summary) must say which provider and why, not only which metrics.
      const unavailable = [
        ...new Set(checked.filter((m) => m.verdict === 'fail' && m.reason === 'metrics-unavailable').map((m) => m.explanation)),
      ];
      const summary =
        verdict === 'fail'
            ? `metric${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed${unavailable.length ? `: ${unavailable.join('; ')}` : ''}`
            : `${counts('pass')} of ${metrics.length} metrics pass` +
              (counts('inconclusive') ? `, ${counts('inconclusive')} inconclusive` : '') +
              (counts('continue') ? `, ${counts('continue')} need more checks` : '');
      // The rollback reason: the canary's fault unless every failing metric failed for lack of data.
      const failing = checked.filter((m) => m.verdict === 'fail');
      const reasons = new Set(failing.map((m) => m.reason ?? 'gate-failed'));
      const reason = verdict === 'fail' && reasons.size === 1 ? [...reasons][0] : undefined;
      return { verdict, summary, metrics, ...(reason && reason !== 'gate-failed' ? { reason } : {}) };
    },
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
    },
  };
}
