/**
 * The metric gate: a StepGate over the planned metrics (plan.ts) of the configured providers
 * (factory.ts), sampled each check (sample.ts) and judged against the step's history.
 */
import type { GateCheck, GateContext, MetricReport, RolloutContext, StepGate } from '../rollout/gate.ts';
import { commonFailureReason } from '../rollout/step-verdict.ts';
import type { DetectionPower, MetricObservation } from '../analysis/types.ts';
import { exposureTargetScale } from '../analysis/decision-rule.ts';
import { formatPercentOfFraction, formatValue } from '../util/format.ts';
import type { TrackerState, TrackedVerdict } from '../analysis/metric-tracker.ts';
import { combineVerdicts, initialTrackerState, trackJudgeResult, trackProviderError } from '../analysis/metric-tracker.ts';
import { errorMessage } from '../util/errors.ts';
import type { MetricsConfig } from './config.ts';
import { metricProviderName } from './config.ts';
import { createProviders, type ProviderFactoryOptions } from './factory.ts';
import { planMetric, shownQueries, type MetricPlan, type PlanContext } from './plan.ts';
import { queryVersion } from './sample.ts';
import type { VersionRole } from './builtins.ts';
import type { PrometheusProvider } from './prometheus.ts';
import type { QueryResult } from './provider.ts';
import { runMetricPreflight, type PreflightItem, type PreflightResult } from './preflight.ts';
import { judgeTrafficShare } from './traffic-share.ts';
import { renderTemplate } from './template.ts';
import { promDuration } from '../util/duration.ts';
import { windowForScrape } from './window.ts';
import { fetchStableHistories, type StableHistory } from './stable-history.ts';

export interface MetricGateOptions extends ProviderFactoryOptions, PlanContext {
  config: MetricsConfig;
  /** Adds the traffic-share check (traffic-share.ts) on the provider and data plane of the built-ins. */
  trafficShare?: boolean;
}

export type MetricGate = StepGate & {
  /** The rendered queries per metric (what the logs show). */
  readonly queries: ReadonlyMap<string, { canary: string; stable?: string }>;
  /**
   * Before the canary gets traffic: learns each Prometheus provider's scrape interval (windows of
   * metrics without interval: become >= 4 x it, >= 1m), then runs the preflight (preflight.ts).
   */
  prepare(signal?: AbortSignal): Promise<PreflightResult>;
  close(): Promise<void>;
};

/** One plain line: what increase this step's data could have caught, against the configured one. */
export function detectableLine(p: DetectionPower): string {
  const what = p.kind === 'latency' ? 'slow-request share' : 'error rate';
  const rel = Number.isFinite(p.minDetectableIncrease) ? `+${formatPercentOfFraction(p.minDetectableIncrease)}` : 'no increase at all';
  const abs =
    Number.isFinite(p.minDetectableIncrease) && p.baseRate !== undefined
      ? ` (${formatPercentOfFraction(p.baseRate)} → ${formatPercentOfFraction(p.baseRate * (1 + p.minDetectableIncrease))})`
      : '';
  return `this step could detect ${rel}${abs} in the ${what} with ${formatPercentOfFraction(p.power)} power; configured +${formatPercentOfFraction(p.targetIncrease)}`;
}

const SHARE = 'traffic-share';

/**
 * The metric gate: every check queries each metric (in parallel) for canary and stable, feeds the
 * metric's judge with the step's history, applies failure-limit / inconclusive-limit / error-limit
 * and reports one line per metric. A provider that stays down fails the metric with
 * metrics-unavailable; it never passes.
 */
export function createMetricGate(opts: MetricGateOptions): MetricGate {
  const now = opts.now ?? Date.now;
  const providers = createProviders(opts.config.providers, opts);
  const sequentialCount = opts.config.metrics.filter((m) => m.judge === 'sequential').length;
  const plan = (learned: ReadonlyMap<string, number>): MetricPlan[] =>
    opts.config.metrics.map((m) => {
      const provider = metricProviderName(opts.config, m);
      return planMetric(m, providers.get(provider)!, opts, sequentialCount, learned.get(provider));
    });
  let plans = plan(new Map());

  const queries = new Map<string, { canary: string; stable?: string }>();
  const logQueries = (): void => {
    for (const p of plans) {
      const entry = shownQueries(p);
      queries.set(p.metric.name, entry);
      opts.log(`metric ${p.metric.name} (${p.provider.name}, ${p.metric.judge}): canary query: ${entry.canary}`);
      if (entry.stable) opts.log(`metric ${p.metric.name} (${p.provider.name}): stable query: ${entry.stable}`);
    }
  };
  logQueries();

  /** Window per Prometheus provider from its scrape interval, for the metrics without interval:. */
  let longestScrapeMs = 0;
  async function learnWindows(signal?: AbortSignal): Promise<Map<string, number>> {
    const learned = new Map<string, number>();
    for (const [name, cfg] of Object.entries(opts.config.providers)) {
      if (cfg.type !== 'prometheus') continue;
      const mine = plans.filter((p) => p.provider.name === name && p.metric.interval === undefined);
      if (mine.length === 0) continue;
      let scrapeMs = cfg['scrape-interval'];
      const metricNames = [...new Set(mine.flatMap((p) => (p.family ? [p.family.requests] : [])))];
      let source = scrapeMs !== undefined ? `providers.${name}.scrape-interval` : 'no built-in metric on this provider to learn it from';
      if (scrapeMs === undefined && metricNames.length > 0) {
        try {
          const answer = await (providers.get(name) as PrometheusProvider).scrapeInterval(metricNames, signal);
          scrapeMs = answer.ms;
          source = answer.source;
        } catch (err) {
          if (signal?.aborted) throw err;
          source = `could not ask Prometheus: ${errorMessage(err)}`;
        }
      }
      if (scrapeMs === undefined) {
        opts.log(`${name}: scrape interval unknown (${source}); keeping the ${promDuration(mine[0]!.windowMs)} window (set providers.${name}.scrape-interval to be sure)`);
        continue;
      }
      const windowMs = Math.max(windowForScrape(scrapeMs), opts.windowMs ?? 0);
      learned.set(name, windowMs);
      longestScrapeMs = Math.max(longestScrapeMs, scrapeMs);
      opts.log(`${name}: scrape interval ${promDuration(scrapeMs)} (${source}): metric window ${promDuration(windowMs)}`);
    }
    return learned;
  }

  /** The traffic-share check, on the first built-in's provider and data plane. */
  async function checkShare(ctx: GateContext): Promise<MetricReport | undefined> {
    const base = plans.find((p) => p.family);
    if (!opts.trafficShare || !base?.family) return undefined;
    const f = base.family;
    const at = ctx.now ?? now();
    const sinceMs = at - ctx.stepStartedAt;
    const range = `${Math.max(1, Math.round(sinceMs / 1000))}s`;
    const render = (role: VersionRole): string =>
      renderTemplate(
        `sum(increase(${f.requests}{${f.selector(role)}}[{{range}}]))`,
        { ...opts.vars, target: role === 'canary' ? opts.vars.canary : opts.vars.stable, range },
        `metrics.${SHARE}`,
      );
    const q = { canary: render('canary'), stable: render('stable') };
    const query = `${q.canary}\n${q.stable}`;
    if (sinceMs < Math.max(2 * longestScrapeMs, 1000)) {
      return { name: SHARE, query, verdict: 'continue', explanation: `waiting for two scrapes since the step began (${range} so far)` };
    }
    try {
      const [c, s] = await Promise.all(
        (['canary', 'stable'] as const).map((role) => base.provider.query({ query: q[role], at, windowMs: sinceMs, ...(ctx.signal ? { signal: ctx.signal } : {}) })),
      );
      const sum = (r: QueryResult): number => r.series.reduce((a, x) => a + (Number.isNaN(x.value) ? 0 : x.value), 0);
      const r = judgeTrafficShare({ canary: sum(c!), stable: sum(s!), weight: ctx.weight });
      opts.log(`metric ${SHARE}: ${r.verdict}: ${r.explanation}`);
      return {
        name: SHARE,
        query,
        verdict: r.verdict,
        explanation: r.explanation,
        ...(r.share !== undefined ? { canaryValue: r.share, unit: '%' } : {}),
        threshold: `near ${ctx.weight}%`,
        details: r.details,
      };
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      // A provider that is down is the metric gates' to report; the share check waits.
      return { name: SHARE, query, verdict: 'continue', explanation: `could not measure the share: ${errorMessage(err)}` };
    }
  }

  // Per metric: this step's observations, and the earlier steps' (oldest first). A sequential judge
  // runs one evidence process over the whole rollout, so its false-rollback budget is per rollout.
  let histories = new Map<string, MetricObservation[]>();
  const earlierSteps = new Map<string, MetricObservation[][]>();
  // The rollout's step weights: a step's advance target scales with its share of traffic.
  let rolloutSteps: readonly number[] = [];
  let states = new Map<string, TrackerState>();
  // Per sequential metric: the stable's samples before the rollout (stable-history.ts).
  let stableHistories = new Map<string, StableHistory>();

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
      history.push({ at, canary, stable });
      histories.set(name, history);
      const stableHistory = stableHistories.get(name);
      const result = plan.judge(history, {
        earlierSteps: earlierSteps.get(name) ?? [],
        targetScale: exposureTargetScale(ctx.weight, rolloutSteps),
        ...(stableHistory ? { stableHistory } : {}),
      });
      tracked = trackJudgeResult(prev, result, plan.limits);
      report = {
        ...report,
        canaryValue: result.canaryValue,
        stableValue: result.stableValue,
        // The judge's unit replaces the metric's only when it has one (a sequential judge's %).
        ...(result.unit !== undefined ? { unit: result.unit } : {}),
        threshold: result.threshold,
        details: result.details,
        power: result.power,
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
    if (report.power) opts.log(`metric ${name}: ${detectableLine(report.power)}`);
    return { ...report, verdict: tracked.verdict, explanation: tracked.explanation, reason: tracked.reason };
  }

  return {
    name: 'metrics',
    queries,
    async beginRollout(ctx: RolloutContext) {
      // A new rollout starts a new evidence process (one per rollout, not per step).
      rolloutSteps = ctx.steps;
      earlierSteps.clear();
      histories = new Map();
      states = new Map();
      stableHistories = new Map();
      // Before the canary exists: the stable's own history, one sample per analysis interval.
      if (ctx.intervalMs !== undefined) {
        stableHistories = await fetchStableHistories(plans, { end: ctx.startedAt, intervalMs: ctx.intervalMs, log: opts.log, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      }
    },
    async prepare(signal?: AbortSignal): Promise<PreflightResult> {
      const learned = await learnWindows(signal);
      if (learned.size > 0) {
        plans = plan(learned);
        logQueries();
      }
      const items: PreflightItem[] = plans.map((p) => ({
        metric: p.metric.name,
        provider: p.provider,
        windowMs: p.windowMs,
        canary: p.canary.value,
        ...(p.stable ? { stable: p.stable.value } : {}),
        ...(p.subQueries ? { subQueries: p.subQueries } : {}),
        aggregates: p.metric.aggregate !== undefined,
        ...(p.diagnose ? { diagnose: p.diagnose } : {}),
      }));
      const result = await runMetricPreflight(items, now(), signal);
      for (const f of result.findings) opts.log(`preflight: ${f.ok ? 'ok' : 'FAILED'}: ${f.message}`);
      return result;
    },
    beginStep() {
      for (const [name, h] of histories) if (h.length > 0) earlierSteps.set(name, [...(earlierSteps.get(name) ?? []), h]);
      histories = new Map();
      states = new Map();
    },
    async check(ctx: GateContext): Promise<GateCheck> {
      if (plans.length === 0) return { verdict: 'pass', summary: 'no metrics configured', metrics: [] };
      const [checked, share] = await Promise.all([Promise.all(plans.map((p) => checkMetric(p, ctx))), checkShare(ctx)]);
      if (share) checked.push(share);
      const metrics: MetricReport[] = checked.map(({ reason: _reason, ...m }) => m);
      const verdict = combineVerdicts(metrics.map((m) => m.verdict));
      const counts = (v: string): number => metrics.filter((m) => m.verdict === v).length;
      const failed = metrics.filter((m) => m.verdict === 'fail').map((m) => m.name);
      // A judge's failure is the canary's; a provider that stayed down is not, and the rollback's
      // message (built from this summary) must say which provider and why, not only which metrics.
      const unavailable = [
        ...new Set(checked.filter((m) => m.verdict === 'fail' && m.reason === 'metrics-unavailable').map((m) => m.explanation)),
      ];
      // What an undecided step could see so far: the step-timeout message is built from this summary.
      const undecided = metrics.filter((m) => m.verdict !== 'pass' && m.verdict !== 'fail' && m.power).map((m) => `${m.name}: ${detectableLine(m.power!)}`);
      const summary =
        verdict === 'fail'
            ? `metric${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed${unavailable.length ? `: ${unavailable.join('; ')}` : ''}` +
              (share?.verdict === 'fail' ? ` (${SHARE}: ${share.explanation})` : '')
            : `${counts('pass')} of ${metrics.length} metrics pass` +
              (counts('inconclusive') ? `, ${counts('inconclusive')} inconclusive` : '') +
              (counts('continue') ? `, ${counts('continue')} need more checks` : '') +
              (undecided.length ? ` (${undecided.join('; ')})` : '');
      // The rollback reason: the canary's fault unless every failing metric failed for lack of data.
      const reason = verdict === 'fail' ? commonFailureReason(checked.filter((m) => m.verdict === 'fail').map((m) => m.reason)) : undefined;
      return { verdict, summary, metrics, ...(reason && reason !== 'gate-failed' ? { reason } : {}) };
    },
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
    },
  };
}
