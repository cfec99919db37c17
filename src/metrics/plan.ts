/**
 * Query planning, pure: a metric's config → the queries each version needs at each check (built-in
 * queries for the router's data plane, or the user's templates, rendered once), its judge and its
 * limits. Nothing here talks to a provider.
 */
import type { Judge } from '../analysis/types.ts';
import type { TrackerLimits } from '../analysis/metric-tracker.ts';
import { createJudge } from '../analysis/judges/index.ts';
import { splitAlpha } from '../analysis/sequential/index.ts';
import { DEFAULT_DECISION_RULE } from '../analysis/decision-rule.ts';
import { InputError } from '../util/errors.ts';
import { parseDuration, promDuration } from '../util/duration.ts';
import type { MetricConfig } from './config.ts';
import type { BuiltinMetric, DataPlane, RouterFamily, VersionRole } from './builtins.ts';
import { BUILTIN_METRICS, DATA_PLANES, DATA_PLANE_FAMILIES, ROUTER_DATA_PLANE } from './builtins.ts';
import type { MetricsProvider } from './provider.ts';
import { renderTemplate, templateVariables } from './template.ts';
import { DEFAULT_WINDOW_MS } from './window.ts';

/** The template variables every query may use (`{{ namespace }}`, `{{ target }}`, ...). */
export interface MetricVars {
  namespace: string;
  stable: string;
  canary: string;
  service: string;
  ingress?: string;
  interval?: string;
  [k: string]: string | undefined;
}

export interface PlanContext {
  vars: MetricVars;
  /** 'istio' | 'nginx' | 'gateway-api' | 'smi' | ...: picks the built-in queries unless dataPlane is set. */
  router: string;
  /** The data plane whose metrics the built-ins read (config data-plane:, or detected for gateway-api). */
  dataPlane?: DataPlane;
  /** Why the data plane has no built-ins (e.g. Envoy Gateway), for the error a builtin: metric gets. */
  noBuiltinsReason?: string;
  /** Window of metrics without interval: (docs/metrics.md: >= 4 x the scrape interval, >= 1m). */
  windowMs?: number;
}

/** The queries one version needs at each check. */
export interface VersionQueries {
  value: string;
  windowRequests?: string;
  requests?: string;
  errors?: string;
  buckets?: string;
}

export interface MetricPlan {
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
  /** Built-ins: the data plane's family (the traffic-share check reads its requests counter). */
  family?: RouterFamily;
  /** Built-ins: what the preflight lists when the stable query finds nothing. */
  diagnose?: { query: string; labels: readonly string[]; selector: string };
}

/**
 * `sequentialCount`: how many metrics of the gate use a sequential judge; each one's alpha is split
 * across them (Bonferroni) so the gate as a whole keeps the false-rollback budget.
 */
export function planMetric(
  m: MetricConfig,
  provider: MetricsProvider,
  opts: PlanContext,
  sequentialCount: number,
  /** The window learned from the provider's scrape interval (metrics without interval:). */
  learnedWindowMs?: number,
): MetricPlan {
  const field = `metrics.${m.name}`;
  const intervalMs =
    m.interval ?? learnedWindowMs ?? opts.windowMs ?? (opts.vars.interval ? parseDuration(opts.vars.interval) : undefined) ?? DEFAULT_WINDOW_MS;
  const baseVars: Record<string, string | undefined> = {
    ...opts.vars,
    ...m.variables,
    interval: promDuration(intervalMs),
  };
  const varsFor = (role: VersionRole): Record<string, string | undefined> => ({
    // Datadog built-ins: the app's service and the span of its entry point, unless set.
    'dd-service': opts.vars.stable,
    'span-name': 'http.request',
    ...baseVars,
    target: role === 'canary' ? opts.vars.canary : opts.vars.stable,
    version: baseVars[`${role}-version`],
  });
  const render = (tpl: string, role: VersionRole, what: string): string =>
    renderTemplate(tpl, varsFor(role), `${field}.${what}`);

  const builtin: BuiltinMetric | undefined = m.builtin ? BUILTIN_METRICS[m.builtin] : undefined;
  let family: RouterFamily | undefined;
  const datadogBuiltin = builtin !== undefined && provider.type === 'datadog';
  if (datadogBuiltin && m.judge === 'sequential') {
    throw new InputError(
      `${field}.judge`,
      'the Datadog built-ins give one value per window, not the running counts judge: sequential needs; use judge: threshold or relative, or a Prometheus provider',
    );
  }
  if (builtin && !datadogBuiltin) {
    const plane = opts.dataPlane ?? ROUTER_DATA_PLANE[opts.router];
    family = plane ? DATA_PLANE_FAMILIES[plane] : undefined;
    if (!family) {
      throw new InputError(
        `${field}.builtin`,
        `${opts.noBuiltinsReason ?? `no built-in queries for router "${opts.router}"`}: ` +
          `set data-plane: to the mesh whose metrics see both versions (${DATA_PLANES.join(', ')}) or write query: (docs/metrics.md)`,
      );
    }
  }
  const unit = m.unit ?? builtin?.unit ?? '';
  const needCounts = m.judge === 'sequential';
  const needWindow = m['min-requests'] !== undefined && m.judge !== 'sequential';

  const versionQueries = (role: VersionRole): VersionQueries => {
    if (builtin && datadogBuiltin) return { value: builtin.datadog.formula };
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

  const subTemplates = datadogBuiltin ? builtin!.datadog.queries : m.queries;
  const subFor = (role: VersionRole): Record<string, string> =>
    Object.fromEntries(Object.entries(subTemplates ?? {}).map(([k, q]) => [k, render(q, role, datadogBuiltin ? 'builtin' : `queries.${k}`)]));

  const direction = m.direction ?? builtin?.direction ?? 'lower-is-better';
  const alpha = m.alpha ?? DEFAULT_DECISION_RULE.alpha;
  const judge = createJudge({
    judge: m.judge,
    unit,
    direction,
    min: m.min,
    max: m.max,
    maxIncrease: m['max-increase'],
    maxIncreaseAbs: m['max-increase-abs'],
    minRequests: m['min-requests'],
    kind: m.kind ?? builtin?.sequentialKind ?? 'error-rate',
    // The rollout's false-rollback budget, split across its sequential metrics (each judge keeps one
    // evidence process for the whole rollout: the gate passes it the earlier steps).
    alpha: m.judge === 'sequential' && sequentialCount > 1 ? splitAlpha(alpha, sequentialCount) : alpha,
    allowedIncrease: m['allowed-increase'],
    ...(m['allowed-increase-abs'] !== undefined ? { allowedIncreaseAbs: m['allowed-increase-abs'] / 100 } : {}),
    beta: m.beta,
    quantile: m.quantile ?? builtin?.quantile,
    burnInMs: m['burn-in'],
    robust: m.robust,
  });

  return {
    metric: m,
    provider,
    judge,
    limits: {
      failureLimit: m['failure-limit'],
      errorLimit: m['error-limit'],
      inconclusiveLimit: m['inconclusive-limit'],
    },
    windowMs: intervalMs,
    unit,
    histogramToMs: family?.histogramToMs ?? 1,
    canary: versionQueries('canary'),
    ...(hasStable ? { stable: versionQueries('stable') } : {}),
    ...(subTemplates ? { subQueries: { canary: subFor('canary'), ...(hasStable ? { stable: subFor('stable') } : {}) } } : {}),
    ...(family
      ? {
          family,
          diagnose: {
            query: render(`count by (${family.versionLabels.join(', ')}) (${family.requests}{${family.scope}})`, 'stable', 'builtin'),
            labels: family.versionLabels,
            selector: render(family.selector('stable'), 'stable', 'builtin'),
          },
        }
      : {}),
  };
}

/** The rendered queries of a plan, as the logs and reports show them. */
export function shownQueries(p: MetricPlan): { canary: string; stable?: string } {
  const show = (q: VersionQueries, sub?: Record<string, string>): string =>
    sub ? `${Object.entries(sub).map(([k, v]) => `${k} = ${v}`).join('; ')}; formula ${q.value}` : q.value;
  return {
    canary: show(p.canary, p.subQueries?.canary),
    ...(p.stable ? { stable: show(p.stable, p.subQueries?.stable) } : {}),
  };
}
