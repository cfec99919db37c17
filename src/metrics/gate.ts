/**
 * The metric gate: a StepGate over the planned metrics (plan.ts) of the configured providers
 * (factory.ts), sampled each check (sample.ts) and judged against the step's history.
 */
import type { GateCheck, GateContext, MetricReport, StepGate } from '../rollout/gate.ts';
import { commonFailureReason } from '../rollout/step-verdict.ts';
import type { DetectionPower, MetricObservation } from '../analysis/types.ts';
import { formatPercentOfFraction, formatValue } from '../util/format.ts';
import type { TrackerState, TrackedVerdict } from '../analysis/metric-tracker.ts';
import { combineVerdicts, initialTrackerState, trackJudgeResult, trackProviderError } from '../analysis/metric-tracker.ts';
import { errorMessage } from '../util/errors.ts';
import type { MetricsConfig } from './config.ts';
import { metricProviderName } from './config.ts';
import { createProviders, type ProviderFactoryOptions } from './factory.ts';
import { planMetric, shownQueries, type MetricPlan, type PlanContext } from './plan.ts';
import { queryVersion } from './sample.ts';

export interface MetricGateOptions extends ProviderFactoryOptions, PlanContext {
  config: MetricsConfig;
}

export type MetricGate = StepGate & {
  /** The rendered queries per metric (what the logs show). */
  readonly queries: ReadonlyMap<string, { canary: string; stable?: string }>;
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
  const plans = opts.config.metrics.map((m) =>
    planMetric(m, providers.get(metricProviderName(opts.config, m))!, opts, sequentialCount),
  );

  const queries = new Map<string, { canary: string; stable?: string }>();
  for (const p of plans) {
    const entry = shownQueries(p);
    queries.set(p.metric.name, entry);
    opts.log(`metric ${p.metric.name} (${p.provider.name}, ${p.metric.judge}): canary query: ${entry.canary}`);
    if (entry.stable) opts.log(`metric ${p.metric.name} (${p.provider.name}): stable query: ${entry.stable}`);
  }

  // Per metric: this step's observations, and the earlier steps' (oldest first). A sequential judge
  // runs one evidence process over the whole rollout, so its false-rollback budget is per rollout.
  let histories = new Map<string, MetricObservation[]>();
  const earlierSteps = new Map<string, MetricObservation[][]>();
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
      history.push({ at, canary, stable });
      histories.set(name, history);
      const result = plan.judge(history, { earlierSteps: earlierSteps.get(name) ?? [] });
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
    beginRollout() {
      // A new rollout starts a new evidence process (one per rollout, not per step).
      earlierSteps.clear();
      histories = new Map();
      states = new Map();
    },
    beginStep() {
      for (const [name, h] of histories) if (h.length > 0) earlierSteps.set(name, [...(earlierSteps.get(name) ?? []), h]);
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
      // What an undecided step could see so far: the step-timeout message is built from this summary.
      const undecided = metrics.filter((m) => m.verdict !== 'pass' && m.verdict !== 'fail' && m.power).map((m) => `${m.name}: ${detectableLine(m.power!)}`);
      const summary =
        verdict === 'fail'
            ? `metric${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed${unavailable.length ? `: ${unavailable.join('; ')}` : ''}`
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
