/**
 * Anytime-valid sequential judges (error rate and latency) for canary analysis. See
 * docs/sequential.md for the method. A judge is a pure function of the step's history: it rebuilds
 * the evidence from the cumulative counters on every call.
 *
 * Verdicts: e-value for "canary worse than stable" ≥ 1/alpha → 'fail'; the confidence sequence for
 * the rate ratio canary/stable lies entirely at or below 1 + allowedIncrease with at least
 * minRequests canary requests → 'pass'; no usable data (none at all, no stable data, still in
 * burn-in) → 'inconclusive'; otherwise 'continue'.
 */
import { InputError } from '../../util/errors.ts';
import { formatNumber, formatPercentOfFraction } from '../../util/format.ts';
import type { DetectionPower, Judge, JudgeContext, JudgeResult, MetricObservation } from '../types.ts';
import { extractIntervals, versionIntervals, type SequentialKind } from './intervals.ts';
import {
  addCountInterval,
  cappedLogEValue,
  intervalDispersion,
  createRatioGrid,
  emptyRatioEvidence,
  cloneDispersion,
  dispersionFromHistory,
  emptyDispersion,
  kappaEstimate,
  NO_PRIOR,
  type DispersionSums,
  halfNormalMixturePrior,
  logEValueAbove,
  ratioConfidenceSequence,
  ratioEstimate,
  type CountInterval,
  type RatioEvidence,
  type RatioGrid,
} from './ratio-evidence.ts';
import { addStepExposure, emptyStepExposure, minimumDetectableRatio, type StepExposure } from './power.ts';

export * from './ratio-evidence.ts';
export * from './power.ts';

/** Default β: a regression of the configured size escapes a step at most 20 % of the time. */
const DEFAULT_BETA = 0.2;
export { extractIntervals, chooseLatencyThreshold, readCounts, increment, versionIntervals } from './intervals.ts';
export type { SequentialKind, ExtractedIntervals, Counts } from './intervals.ts';

export interface SequentialJudgeOptions {
  kind: SequentialKind;
  /** False-rollback budget for this metric (already split across metrics by the caller), e.g. 0.01. */
  alpha: number;
  /**
   * Relative increase of the canary/stable rate ratio still accepted for promotion: pass when the
   * confidence sequence's upper bound is <= 1 + allowedIncrease. For latency the rate is the share of
   * requests slower than the stable's tail threshold (see `quantile`).
   */
  allowedIncrease: number;
  /**
   * Absolute floor of the regression a step must be able to catch, as a rate (0.001 = 0.1
   * percentage points): the step's target is the larger of the two. At a 0.01 % base rate a 20 %
   * relative increase is noise; users think in error budgets.
   */
  allowedIncreaseAbs?: number;
  /** A regression of the target size escapes a step with probability at most beta (default 0.2). */
  beta?: number;
  /**
   * Cap on what one interval may add to the rollback evidence, as a log-likelihood ratio (default:
   * none): each interval's factor is min(LR_i, e^cap), still a test supermartingale, and one burst
   * (an incident, a flapping pod) can no longer roll back alone. Rejecting then takes at least
   * ln(1/alpha)/cap intervals, and a step does not advance before that many.
   */
  intervalCap?: number;
  /** Latency only: the tail quantile whose histogram bound defines a slow request (default 0.99). */
  quantile?: number;
  /** Ignore the first N ms of each step, measured from the step's first observation (burn-in). */
  burnInMs?: number;
  /**
   * Below this many canary requests in the step the verdict is never 'pass' (default 100), at the
   * last compared step; a step with a smaller share of traffic (`JudgeContext.targetScale`) needs
   * minRequests / targetScale, at least 10 (or minRequests if smaller).
   */
  minRequests?: number;
  /**
   * Bursty errors. By default (undefined) the evidence is tempered by the burstiness the stable's
   * history shows (`JudgeContext.stableHistory`) and its intervals since; without that history, by
   * the burstiness of its intervals in the rollout alone. true: without history, start from a
   * cautious prior that gives way as the stable's intervals accumulate (slow at high traffic).
   * false: never tempered (errors known to be independent).
   */
  robust?: boolean;
  /**
   * Error budget of the promotion side: the chance of promoting a canary whose ratio is above
   * 1 + allowedIncrease (default 0.05).
   */
  passAlpha?: number;
}

/**
 * Splits a false-rollback budget across metrics by Bonferroni: each e-process rejects at
 * metrics/total. Valid under any dependence between metrics (union bound), which matters because
 * error rate and latency of one canary are strongly dependent.
 */
export function splitAlpha(total: number, metrics: number): number {
  if (!(total > 0 && total < 1)) throw new InputError('alpha', `expected a number in (0, 1), found ${total}`);
  if (!Number.isInteger(metrics) || metrics < 1) throw new InputError('metrics', `expected a positive integer count of metrics, found ${metrics}`);
  return total / metrics;
}

function validate(opts: SequentialJudgeOptions): void {
  if (opts.kind !== 'error-rate' && opts.kind !== 'latency') throw new InputError('judge.kind', `expected 'error-rate' or 'latency', found ${String(opts.kind)}`);
  const inUnit = (v: number | undefined) => v === undefined || (v > 0 && v < 1);
  if (!inUnit(opts.alpha) || opts.alpha === undefined) throw new InputError('judge.alpha', `expected a number in (0, 1) such as 0.01, found ${opts.alpha}`);
  if (!inUnit(opts.passAlpha)) throw new InputError('judge.passAlpha', `expected a number in (0, 1) such as 0.05, found ${opts.passAlpha}`);
  if (!inUnit(opts.quantile)) throw new InputError('judge.quantile', `expected a quantile in (0, 1) such as 0.99, found ${opts.quantile}`);
  if (!(opts.allowedIncrease >= 0 && Number.isFinite(opts.allowedIncrease))) throw new InputError('judge.allowedIncrease', `expected a relative increase >= 0 such as 0.2, found ${opts.allowedIncrease}`);
  if (opts.burnInMs !== undefined && !(opts.burnInMs >= 0)) throw new InputError('judge.burnInMs', `expected milliseconds >= 0, found ${opts.burnInMs}`);
  if (opts.allowedIncreaseAbs !== undefined && !(opts.allowedIncreaseAbs >= 0 && opts.allowedIncreaseAbs < 1)) throw new InputError('judge.allowedIncreaseAbs', `expected an absolute rate increase in [0, 1) such as 0.001 (0.1 percentage points), found ${opts.allowedIncreaseAbs}`);
  if (!inUnit(opts.beta)) throw new InputError('judge.beta', `expected a number in (0, 1) such as 0.2, found ${opts.beta}`);
  if (opts.minRequests !== undefined && !(opts.minRequests >= 0)) throw new InputError('judge.minRequests', `expected a count >= 0, found ${opts.minRequests}`);
}

function naiveRatio(e: RatioEvidence): number {
  if (e.canaryTrials <= 0 || e.stableTrials <= 0 || e.stableEvents <= 0) return NaN;
  return e.canaryEvents / e.canaryTrials / (e.stableEvents / e.stableTrials);
}

const fmt = (v: number): string => formatNumber(v);
const pct = (events: number, trials: number): string => (trials > 0 ? formatPercentOfFraction(events / trials) : 'n/a');

/** How much larger than the stable's rate the canary's may be before a step must catch it. */
function targetRatio(allowedIncrease: number, allowedIncreaseAbs: number | undefined, baseRate: number): number {
  const relative = 1 + allowedIncrease;
  if (allowedIncreaseAbs === undefined || !(allowedIncreaseAbs > 0)) return relative;
  return Math.max(relative, baseRate > 0 ? 1 + allowedIncreaseAbs / baseRate : Infinity);
}

function cloneEvidence(e: RatioEvidence): RatioEvidence {
  return { ...e, f: Float64Array.from(e.f), dispersion: cloneDispersion(e.dispersion), ...(e.capped ? { capped: Float64Array.from(e.capped) } : {}) };
}

const sameInterval = (a: CountInterval, b: CountInterval): boolean =>
  a.canaryTrials === b.canaryTrials && a.canaryEvents === b.canaryEvents && a.stableTrials === b.stableTrials && a.stableEvents === b.stableEvents;

/**
 * Incremental evidence: the judge is a pure function of the rollout's history, but rebuilding the
 * evidence of a 4-hour rollout at every check costs O(intervals × grid); this keeps the last result
 * and adds only the new intervals when the old ones are a prefix of the new (else it rebuilds).
 */
function incrementalEvidence(grid: RatioGrid) {
  let cache: { base: RatioEvidence; intervals: CountInterval[]; evidence: RatioEvidence; exposure: StepExposure } | undefined;
  return (base: RatioEvidence, intervals: readonly CountInterval[]): { evidence: RatioEvidence; exposure: StepExposure } => {
    let evidence: RatioEvidence;
    let exposure: StepExposure;
    let from = 0;
    if (
      cache &&
      cache.base === base &&
      cache.intervals.length <= intervals.length &&
      cache.intervals.every((iv, i) => sameInterval(iv, intervals[i]!))
    ) {
      evidence = cache.evidence;
      exposure = cache.exposure;
      from = cache.intervals.length;
    } else {
      evidence = cloneEvidence(base);
      exposure = emptyStepExposure(grid);
    }
    for (let i = from; i < intervals.length; i++) {
      const iv = intervals[i]!;
      // φ of this interval from the intervals before it (as addCountInterval computes it).
      const phi = evidence.tempered && iv.canaryTrials > 0 && iv.stableTrials > 0 ? intervalDispersion(evidence.dispersion, iv) : 1;
      addCountInterval(evidence, iv);
      addStepExposure(exposure, iv, evidence.ratios, phi);
    }
    cache = { base, intervals: [...intervals], evidence, exposure };
    return { evidence, exposure };
  };
}

/** Evidence of the rollout's earlier steps, cached on their (unchanging) intervals and the dispersion it starts from. */
function priorEvidenceCache(grid: RatioGrid, cap: number | undefined) {
  let cache: { intervals: CountInterval[]; tempered: boolean; start: DispersionSums | undefined; evidence: RatioEvidence } | undefined;
  return (intervals: readonly CountInterval[], tempered: boolean, start: DispersionSums | undefined): RatioEvidence => {
    if (
      cache &&
      cache.tempered === tempered &&
      cache.start === start &&
      cache.intervals.length === intervals.length &&
      cache.intervals.every((iv, i) => sameInterval(iv, intervals[i]!))
    )
      return cache.evidence;
    const evidence = emptyRatioEvidence(grid, { tempered, ...(cap !== undefined ? { cap } : {}), ...(start ? { dispersion: start } : {}) });
    for (const iv of intervals) addCountInterval(evidence, iv);
    cache = { intervals: [...intervals], tempered, start, evidence };
    return evidence;
  };
}

/** The stable's dispersion sums from its history, cached on the history array and the threshold. */
function historyDispersionCache(kind: SequentialKind) {
  let cache: { history: object; length: number; threshold: number | undefined; sums: DispersionSums | undefined; intervals: number } | undefined;
  return (history: JudgeContext['stableHistory'], threshold: number | undefined): { sums: DispersionSums | undefined; intervals: number } => {
    if (!history) return { sums: undefined, intervals: 0 };
    if (cache && cache.history === history && cache.length === history.length && cache.threshold === threshold) return cache;
    const intervals = versionIntervals(history.map((o) => o.stable), kind, threshold);
    const sums = intervals.length >= MIN_HISTORY_INTERVALS ? dispersionFromHistory(intervals) : undefined;
    cache = { history, length: history.length, threshold, sums, intervals: intervals.length };
    return cache;
  };
}

/**
 * Fewest of the stable's pre-rollout intervals worth learning the dispersion from (15 minutes of
 * 30 s scrapes); with fewer the judge does as without history.
 */
export const MIN_HISTORY_INTERVALS = 30;

/**
 * One sequential judge for one metric of one rollout. Call it with the current step's history and,
 * in `context.earlierSteps`, the histories of the rollout's earlier steps: the rollback test runs on
 * all of them (one evidence process per rollout, so its false-rollback probability is ≤ alpha over
 * the whole rollout), the advance test on the current step's power.
 *
 * Verdicts: `fail` when the rollout's e-value reaches 1/alpha; `pass` when this step has seen enough
 * requests that a regression of the configured size (max of `allowedIncrease` relative and
 * `allowedIncreaseAbs` absolute) would have been caught with probability ≥ 1 − beta, or when the
 * stable serves no traffic at this weight and earlier steps were compared (nothing to compare here:
 * see docs/sequential.md); `inconclusive` when there is no usable data; else `continue`, with the
 * minimum detectable increase so far in the explanation and the details.
 */
export function createSequentialJudge(opts: SequentialJudgeOptions): Judge {
  validate(opts);
  const failAlpha = opts.alpha;
  const beta = opts.beta ?? DEFAULT_BETA;
  const passAlpha = opts.passAlpha ?? 0.05;
  const robust = opts.robust;
  const cap = opts.intervalCap === undefined || opts.intervalCap === Infinity ? undefined : opts.intervalCap;
  // With a cap, rejecting needs at least this many intervals: a step may not advance before.
  const minIntervals = cap !== undefined ? Math.ceil(Math.log(1 / failAlpha) / cap) : 1;
  const minRequests = opts.minRequests ?? 100;
  const quantile = opts.quantile ?? 0.99;
  const what = opts.kind === 'error-rate' ? 'errors' : 'slow';
  const grid = createRatioGrid();
  const logPrior = halfNormalMixturePrior(grid);
  const threshold = Math.log(1 / failAlpha);
  const priorEvidence = priorEvidenceCache(grid, cap);
  const historyDispersion = historyDispersionCache(opts.kind);
  const stepEvidence = incrementalEvidence(grid);
  const absText = opts.allowedIncreaseAbs ? ` or +${fmt(100 * opts.allowedIncreaseAbs)} pp` : '';
  const thresholdText = `rollback at e-value >= ${fmt(1 / failAlpha)}; advance when +${fmt(100 * opts.allowedIncrease)}%${absText} would be caught with ${fmt(100 * (1 - beta))}% power`;

  return (history: readonly MetricObservation[], context?: JudgeContext): JudgeResult => {
    const steps = [...(context?.earlierSteps ?? []), history];
    let latencyThreshold: number | undefined;
    let resets = 0;
    let sawStable = false;
    const extracted = steps.map((h) => {
      const e = extractIntervals(h, opts.kind, { burnInMs: opts.burnInMs, quantile, ...(latencyThreshold !== undefined ? { threshold: latencyThreshold } : {}) });
      latencyThreshold ??= e.threshold;
      resets += e.resets;
      sawStable ||= e.sawStable;
      return e;
    });
    const current = extracted[extracted.length - 1]!;
    if (!sawStable) {
      return { verdict: 'inconclusive', explanation: `no stable data to compare the canary with (${opts.kind})`, threshold: thresholdText };
    }
    // Bursts (docs/sequential.md, "Bursty errors"): the evidence is tempered by the burstiness the
    // stable shows — its history before the rollout when there is one, and its intervals since;
    // `robust: true` starts a missing history from a cautious prior; `robust: false` opts out.
    const learned = historyDispersion(context?.stableHistory, latencyThreshold);
    const start = learned.sums && robust !== false ? learned.sums : robust === true ? emptyDispersion() : robust === undefined ? emptyDispersion(NO_PRIOR) : undefined;
    const tempered = start !== undefined;
    const earlierIntervals = extracted.slice(0, -1).flatMap((e) => e.intervals);
    const prior = priorEvidence(earlierIntervals, tempered, start);
    const { evidence: e, exposure } = stepEvidence(prior, current.intervals);
    const kappaText = `κ ${fmt(kappaEstimate(e.dispersion))}`;
    const shortHistory = context?.stableHistory && !learned.sums ? ` (the stable's history had ${learned.intervals} intervals, fewer than ${MIN_HISTORY_INTERVALS})` : '';
    const method = !tempered
      ? 'mixture likelihood ratio'
      : learned.sums && start === learned.sums
        ? `mixture likelihood ratio, tempered by the burstiness of the stable's last ${learned.intervals} intervals before the rollout and those since (${kappaText})`
        : robust === true
          ? `mixture likelihood ratio, tempered by a cautious burstiness prior giving way to the stable's intervals in this rollout (${kappaText})${shortHistory}`
          : `mixture likelihood ratio, tempered by the burstiness of the stable's intervals in this rollout (${kappaText})${shortHistory}`;
    if (e.canaryTrials + e.uncomparedCanaryTrials === 0 && current.intervals.length === 0) {
      return { verdict: 'inconclusive', explanation: `${opts.kind}: ${current.missing ?? 'no data'}`, threshold: thresholdText };
    }

    const logEValue = cap !== undefined ? cappedLogEValue(e, logPrior) : logEValueAbove(e, grid.center, logPrior);
    const cs = ratioConfidenceSequence(e, logPrior, failAlpha, passAlpha);
    const ciLower = cs.lower;
    const ciUpper = cs.upper;
    const estimate = e.canaryEvents + e.stableEvents > 0 ? ratioEstimate(e) : NaN;
    const failed = logEValue >= threshold;

    // Power of this step (given the earlier steps' evidence) against the configured regression.
    const baseRate = e.stableTrials > 0 ? (e.stableEvents + 0.5) / (e.stableTrials + 1) : NaN;
    const scale = Math.max(1, context?.targetScale ?? 1);
    const configuredTarget = targetRatio(opts.allowedIncrease, opts.allowedIncreaseAbs, baseRate);
    // A step with less exposure than the last compared one may leave a proportionally larger
    // increase undetected (decision-rule.ts exposureTargetScale); promotion uses scale 1.
    // A scaled target never asks for more than a canary failing every request (a rate cannot pass 1).
    const allFailing = baseRate > 0 ? 1 / baseRate : Infinity;
    const scaledTarget = 1 + (configuredTarget - 1) * scale;
    const target = Math.min(scaledTarget, Math.max(configuredTarget, allFailing));
    const targetText =
      scale > 1
        ? `+${fmt(100 * (target - 1))}% (the configured +${fmt(100 * (configuredTarget - 1))}% × ${fmt(scale)} for this step's smaller share of traffic${target < scaledTarget ? ', capped at every request failing' : ''})`
        : `+${fmt(100 * (target - 1))}%`;
    // The floor of requests scales like the target (the 1 % step of a 1,5,20,50,100 plan needs 10,
    // the last compared step minRequests), never below 10 or minRequests if that is smaller.
    const stepMinRequests = Math.max(Math.min(minRequests, 10), Math.ceil(minRequests / scale));
    const stepCompared = exposure.canaryRequests > 0;
    // Search up to the step's target even past the grid's largest ratio (a low base rate's scaled
    // target can be ×500): the test still rejects such a regression, at the grid's edge.
    const searchTo = Number.isFinite(baseRate) ? Math.max(grid.maxRatio, target) : grid.maxRatio;
    const mdr = stepCompared && Number.isFinite(baseRate) ? minimumDetectableRatio({ prior, step: exposure, baseRate, logPrior, threshold }, beta, searchTo) : Infinity;
    const mdiText = Number.isFinite(mdr)
      ? `+${formatPercentOfFraction(mdr - 1)} (${formatPercentOfFraction(baseRate)} → ${formatPercentOfFraction(baseRate * mdr)})`
      : 'none (too few requests or events)';

    const canaryRate = e.canaryTrials > 0 ? e.canaryEvents / e.canaryTrials : NaN;
    const stableRate = e.stableTrials > 0 ? e.stableEvents / e.stableTrials : NaN;
    const eValue = Math.exp(Math.min(700, logEValue));
    const latencyNote = latencyThreshold !== undefined ? ` (slow = above ${fmt(latencyThreshold)}, the stable's ~p${fmt(100 * quantile)})` : '';
    const scope = steps.length > 1 ? 'rollout' : 'step';
    const numbers =
      `canary ${what} ${pct(e.canaryEvents, e.canaryTrials)} (${e.canaryEvents}/${e.canaryTrials}) vs stable ${pct(e.stableEvents, e.stableTrials)} (${e.stableEvents}/${e.stableTrials})${latencyNote} this ${scope}; ` +
      `ratio ${fmt(estimate)}, CS [${fmt(ciLower)}, ${fmt(ciUpper)}]; e-value ${fmt(eValue)}`;
    // Requests as served (the exposure's counts are on the tempered scale, for the power).
    const comparedNow = current.intervals.filter((iv) => iv.canaryTrials > 0 && iv.stableTrials > 0);
    const stepCanary = comparedNow.reduce((a, iv) => a + iv.canaryTrials, 0);
    const stepIntervals = comparedNow.length;
    const stableIdle = !stepCompared && current.intervals.some((iv) => iv.canaryTrials > 0) && current.intervals.every((iv) => iv.stableTrials <= 0);
    let verdict: JudgeResult['verdict'];
    let tail: string;
    if (failed) {
      verdict = 'fail';
      tail = ` >= ${fmt(1 / failAlpha)}: canary is worse than stable`;
    } else if (stableIdle) {
      verdict = prior.canaryTrials > 0 ? 'pass' : 'inconclusive';
      tail =
        `; the stable serves no traffic at this weight, so nothing is compared in this step` +
        (prior.canaryTrials > 0 ? ' (the earlier steps decided)' : ' and no earlier step was compared');
    } else if (stepCompared && mdr <= target && stepCanary >= stepMinRequests && stepIntervals >= minIntervals) {
      verdict = 'pass';
      tail = `; this step could detect an increase of ${mdiText} with ${fmt(100 * (1 - beta))}% power, within ${scale > 1 ? 'its target ' : 'the configured '}${targetText}`;
    } else if (e.canaryTrials + e.stableTrials === 0 && !stepCompared) {
      verdict = 'inconclusive';
      tail = '; no compared requests yet';
    } else {
      verdict = 'continue';
      tail =
        mdr <= target && stepCanary < stepMinRequests
          ? `; needs ${stepMinRequests} canary requests in the step before advancing`
          : mdr <= target
            ? `; needs ${minIntervals} compared intervals in the step before advancing (each adds at most e^${fmt(cap ?? Infinity)} to the evidence)`
            : `; so far this step could only detect an increase of ${mdiText}, needs ${targetText}`;
    }
    const details: Record<string, number | string> = {
      method,
      eValue,
      logEValue,
      rollbackAtEValue: 1 / failAlpha,
      ratioEstimate: estimate,
      ciLower,
      ciUpper,
      ciLevels: `lower ${1 - failAlpha}, upper ${1 - passAlpha}`,
      canaryRequests: e.canaryTrials,
      stableRequests: e.stableTrials,
      [opts.kind === 'error-rate' ? 'canaryErrors' : 'canarySlow']: e.canaryEvents,
      [opts.kind === 'error-rate' ? 'stableErrors' : 'stableSlow']: e.stableEvents,
      stepCanaryRequests: stepCanary,
      intervals: extracted.reduce((a, x) => a + x.intervals.length, 0),
      steps: steps.length,
      minDetectableRatio: mdr,
      targetRatio: target,
      power: 1 - beta,
    };
    if (Number.isFinite(baseRate)) details.baseRate = baseRate;
    if (e.uncomparedCanaryTrials > 0) details.uncomparedCanaryRequests = e.uncomparedCanaryTrials;
    if (resets > 0) details.counterResets = resets;
    if (latencyThreshold !== undefined) details.slowThreshold = latencyThreshold;
    const power: DetectionPower = {
      minDetectableIncrease: mdr - 1,
      ...(Number.isFinite(baseRate) ? { baseRate, minDetectableIncreaseAbs: baseRate * (mdr - 1) } : {}),
      targetIncrease: target - 1,
      power: 1 - beta,
      kind: opts.kind,
    };
    return {
      verdict,
      explanation: `${opts.kind}: ${numbers}${tail}`,
      // Shares of requests, in percent whatever the metric's own unit (a latency metric's values here
      // are the share of slow requests, not milliseconds).
      canaryValue: 100 * canaryRate,
      stableValue: 100 * stableRate,
      unit: '%',
      threshold: thresholdText,
      details,
      power,
    };
  };
}
