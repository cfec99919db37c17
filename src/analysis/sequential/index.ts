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
import type { Judge, JudgeResult, MetricObservation } from '../types.ts';
import { extractIntervals, type SequentialKind } from './intervals.ts';
import {
  addCountInterval,
  createRatioGrid,
  emptyRatioEvidence,
  gridIndexAtOrBelow,
  halfNormalMixturePrior,
  logEValueAbove,
  logEValueBelow,
  ratioConfidenceSequence,
  ratioEstimate,
  type CountInterval,
  type RatioEvidence,
} from './ratio-evidence.ts';
import { groupIntoBlocks, robustLogEValue, robustRatioConfidenceSequence } from './robust-evidence.ts';

export * from './ratio-evidence.ts';
export * from './robust-evidence.ts';
export { extractIntervals, chooseLatencyThreshold, readCounts, increment } from './intervals.ts';
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
  /** Latency only: the tail quantile whose histogram bound defines a slow request (default 0.99). */
  quantile?: number;
  /** Ignore the first N ms of each step, measured from the step's first observation (burn-in). */
  burnInMs?: number;
  /** Below this many canary requests the verdict is never 'pass' (default 100). */
  minRequests?: number;
  /** Overdispersion-robust variant (blocked residuals + sequential t-test). */
  robust?: boolean;
  /**
   * Error budget of the promotion side: the chance of promoting a canary whose ratio is above
   * 1 + allowedIncrease (default 0.05).
   */
  passAlpha?: number;
  /** Robust variant: minimum events (errors or slow requests) per block (default 8). */
  minBlockEvents?: number;
  /** Robust variant: minimum intervals (scrapes) per block (default 2); raise it for long spells. */
  minBlockIntervals?: number;
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
  if (opts.minRequests !== undefined && !(opts.minRequests >= 0)) throw new InputError('judge.minRequests', `expected a count >= 0, found ${opts.minRequests}`);
}

/** What the tests concluded from a set of intervals; shared by the judge and the benchmark. */
export interface SequentialAssessment {
  logEValue: number;
  failed: boolean;
  passed: boolean;
  ciLower: number;
  ciUpper: number;
  estimate: number;
}

/**
 * Runs both one-sided tests and the confidence sequence on the evidence. `failAlpha` is the
 * rollback level, `passAlpha` the promotion level, `allowedRatio` = 1 + allowedIncrease.
 */
export function assessIntervals(
  intervals: readonly CountInterval[],
  settings: { failAlpha: number; passAlpha: number; allowedRatio: number; robust?: boolean; minBlockEvents?: number; minBlockIntervals?: number },
): SequentialAssessment & { evidence: RatioEvidence } {
  const grid = createRatioGrid();
  const evidence = emptyRatioEvidence(grid);
  for (const iv of intervals) addCountInterval(evidence, iv);
  const { failAlpha, passAlpha, allowedRatio } = settings;
  if (settings.robust) {
    const blocks = groupIntoBlocks(intervals, settings.minBlockEvents ?? 8, settings.minBlockIntervals ?? 2);
    const logE = robustLogEValue(blocks, 1, 1);
    const logPass = robustLogEValue(blocks, allowedRatio, -1);
    const cs = robustRatioConfidenceSequence(blocks, failAlpha, passAlpha);
    return {
      evidence,
      logEValue: logE,
      failed: logE >= Math.log(1 / failAlpha),
      passed: logPass >= Math.log(1 / passAlpha),
      ciLower: cs.lower,
      ciUpper: cs.upper,
      estimate: naiveRatio(evidence),
    };
  }
  const prior = halfNormalMixturePrior(grid);
  const logE = logEValueAbove(evidence, grid.center, prior);
  const passIndex = gridIndexAtOrBelow(grid, allowedRatio);
  const logPass = logEValueBelow(evidence, passIndex, prior);
  const cs = ratioConfidenceSequence(evidence, prior, failAlpha, passAlpha);
  return {
    evidence,
    logEValue: logE,
    failed: logE >= Math.log(1 / failAlpha),
    passed: logPass >= Math.log(1 / passAlpha),
    ciLower: cs.lower,
    ciUpper: cs.upper,
    estimate: evidence.canaryEvents + evidence.stableEvents > 0 ? ratioEstimate(evidence) : NaN,
  };
}

function naiveRatio(e: RatioEvidence): number {
  if (e.canaryTrials <= 0 || e.stableTrials <= 0 || e.stableEvents <= 0) return NaN;
  return e.canaryEvents / e.canaryTrials / (e.stableEvents / e.stableTrials);
}

const fmt = (v: number): string => formatNumber(v);
const pct = (events: number, trials: number): string => (trials > 0 ? formatPercentOfFraction(events / trials) : 'n/a');

export function createSequentialJudge(opts: SequentialJudgeOptions): Judge {
  validate(opts);
  const settings = {
    failAlpha: opts.alpha,
    passAlpha: opts.passAlpha ?? 0.05,
    allowedRatio: 1 + opts.allowedIncrease,
    robust: opts.robust ?? false,
    minBlockEvents: opts.minBlockEvents ?? 8,
    minBlockIntervals: opts.minBlockIntervals ?? 2,
  };
  const minRequests = opts.minRequests ?? 100;
  const quantile = opts.quantile ?? 0.99;
  const what = opts.kind === 'error-rate' ? 'errors' : 'slow';
  const method = settings.robust ? 'sequential t-test on blocked residuals' : 'mixture likelihood ratio';

  return (history: readonly MetricObservation[]): JudgeResult => {
    const extracted = extractIntervals(history, opts.kind, { burnInMs: opts.burnInMs, quantile });
    const thresholdText = `rollback at e-value >= ${fmt(1 / settings.failAlpha)}; pass when ratio CS upper <= ${fmt(settings.allowedRatio)}`;
    if (!extracted.sawStable) {
      return { verdict: 'inconclusive', explanation: `no stable data to compare the canary with (${opts.kind})`, threshold: thresholdText };
    }
    if (extracted.intervals.length === 0) {
      return { verdict: 'inconclusive', explanation: `${opts.kind}: ${extracted.missing ?? 'no data'}`, threshold: thresholdText };
    }
    const a = assessIntervals(extracted.intervals, settings);
    const e = a.evidence;
    const canaryRate = e.canaryTrials > 0 ? e.canaryEvents / e.canaryTrials : NaN;
    const stableRate = e.stableTrials > 0 ? e.stableEvents / e.stableTrials : NaN;
    const eValue = Math.exp(Math.min(700, a.logEValue));
    const latencyNote = extracted.threshold !== undefined ? ` (slow = above ${fmt(extracted.threshold)}, the stable's ~p${fmt(100 * quantile)})` : '';
    const numbers =
      `canary ${what} ${pct(e.canaryEvents, e.canaryTrials)} (${e.canaryEvents}/${e.canaryTrials}) vs stable ${pct(e.stableEvents, e.stableTrials)} (${e.stableEvents}/${e.stableTrials})${latencyNote}; ` +
      `ratio ${fmt(a.estimate)}, CS [${fmt(a.ciLower)}, ${fmt(a.ciUpper)}]; e-value ${fmt(eValue)}`;
    let verdict: JudgeResult['verdict'];
    let tail: string;
    if (a.failed) {
      verdict = 'fail';
      tail = ` >= ${fmt(1 / settings.failAlpha)}: canary is worse than stable`;
    } else if (a.passed && e.canaryTrials >= minRequests) {
      verdict = 'pass';
      tail = `; CS upper <= ${fmt(settings.allowedRatio)} allowed`;
    } else if (e.canaryTrials + e.stableTrials === 0) {
      verdict = 'inconclusive';
      tail = '; no requests after burn-in';
    } else {
      verdict = 'continue';
      tail = a.passed ? `; needs ${minRequests} canary requests before passing` : `; keep observing`;
    }
    const details: Record<string, number | string> = {
      method,
      eValue,
      logEValue: a.logEValue,
      rollbackAtEValue: 1 / settings.failAlpha,
      ratioEstimate: a.estimate,
      ciLower: a.ciLower,
      ciUpper: a.ciUpper,
      ciLevels: `lower ${1 - settings.failAlpha}, upper ${1 - settings.passAlpha}`,
      allowedRatio: settings.allowedRatio,
      canaryRequests: e.canaryTrials,
      stableRequests: e.stableTrials,
      [opts.kind === 'error-rate' ? 'canaryErrors' : 'canarySlow']: e.canaryEvents,
      [opts.kind === 'error-rate' ? 'stableErrors' : 'stableSlow']: e.stableEvents,
      intervals: extracted.intervals.length,
    };
    if (extracted.resets > 0) details.counterResets = extracted.resets;
    if (extracted.threshold !== undefined) details.slowThreshold = extracted.threshold;
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
    };
  };
}
