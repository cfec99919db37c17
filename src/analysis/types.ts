/**
 * The vocabulary of analysis: what one check of a metric sees and what a judge decides.
 * Pure data; no I/O here.
 */
export type Verdict = 'pass' | 'fail' | 'continue' | 'inconclusive';

/** Cumulative histogram bucket, Prometheus style: count of observations <= le. */
export interface HistogramBucket {
  le: number; // Infinity for +Inf
  count: number;
}

/**
 * One version's data at one check. A provider fills what its query gives: a scalar `value`
 * (threshold/relative judges), and cumulative counters / histograms (sequential judges).
 * `value` undefined or NaN means "no data".
 */
export interface VersionSample {
  value?: number;
  /** Cumulative request count since the version started taking traffic (or since a fixed origin). */
  requests?: number;
  /** Cumulative error count, same origin as `requests`. */
  errors?: number;
  /** Cumulative latency histogram, same origin as `requests`. */
  buckets?: HistogramBucket[];
}

/** One check of one metric: canary and (when the metric compares) stable, at the same instant. */
export interface MetricObservation {
  /** Milliseconds since epoch, passed in (judges read no clock). */
  at: number;
  canary: VersionSample;
  stable?: VersionSample;
}

export interface JudgeResult {
  verdict: Verdict;
  /** One line for a person at 2 AM: the numbers behind the verdict. */
  explanation: string;
  /** Canary and stable values as shown in reports. */
  canaryValue?: number;
  stableValue?: number;
  /** Unit of canaryValue/stableValue when it is not the metric's own (a sequential judge reports shares in %). */
  unit?: string;
  /** The bound the canary was held to, as text (e.g. "<= 1.2 x stable (0.31 s)"). */
  threshold?: string;
  /** Extra numbers (e-value, confidence interval, requests seen...) for the report. */
  details?: Record<string, number | string>;
  /** Sequential judges: what the step's data could have detected (for the report and the log). */
  power?: DetectionPower;
}

/**
 * The minimum detectable increase of a step: the smallest increase of the canary's event rate over
 * the stable's that the rollback test would have caught by now with probability `power`.
 * Infinity when the data could not detect any increase.
 */
export interface DetectionPower {
  kind: 'error-rate' | 'latency';
  /** Relative: 0.5 = +50 % over the stable's rate. */
  minDetectableIncrease: number;
  /** Absolute, as a rate (0.001 = 0.1 percentage points); absent without a stable rate. */
  minDetectableIncreaseAbs?: number;
  /** The stable's rate the increase is relative to. */
  baseRate?: number;
  /** The configured increase a step must be able to catch (relative). */
  targetIncrease: number;
  /** 1 − β. */
  power: number;
}

/** What a judge knows beyond the current step: the rollout's earlier steps (oldest first). */
export interface JudgeContext {
  earlierSteps?: readonly (readonly MetricObservation[])[];
  /**
   * Exposure scaling of the advance target (>= 1, default 1): a step that carries less traffic than
   * the rollout's last compared step may advance once it could catch a proportionally larger
   * increase (see exposureTargetScale in decision-rule.ts). The rollback test is not scaled.
   */
  targetScale?: number;
  /**
   * The stable's own samples from before the rollout (oldest first, `stable` set, `canary` unset),
   * as the metric's stable queries returned them over a lookback: the sequential judges learn from
   * them how bursty the stable's events are and temper their evidence by it.
   */
  stableHistory?: readonly StableSample[];
}

/** One of the stable's samples before the rollout (a range query's timestamp; `stable` unset when it had no data). */
export type StableSample = Pick<MetricObservation, 'at' | 'stable'>;

/**
 * A judge sees the whole history of a metric's observations within a step (oldest first) so
 * stateful/sequential judges can be written as pure functions of that history.
 */
export type Judge = (history: readonly MetricObservation[], context?: JudgeContext) => JudgeResult;
