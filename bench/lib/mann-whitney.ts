/**
 * Two-sample Hodges-Lehmann shift estimate with its distribution-free confidence interval (the
 * inversion of the Mann-Whitney test, normal approximation for the rank-sum quantile), as Kayenta's
 * Mann-Whitney classifier uses it.
 */
import { normalQuantile } from '../../src/analysis/special/special.ts';

export interface ShiftEstimate {
  estimate: number;
  lower: number;
  upper: number;
}

/** Shift of `x` (experiment) relative to `y` (control): median of all pairwise differences x_i − y_j. */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence: number): ShiftEstimate | undefined {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) return undefined;
  const diffs = new Float64Array(m * n);
  let k = 0;
  for (const a of x) for (const b of y) diffs[k++] = a - b;
  diffs.sort();
  const N = m * n;
  const estimate = N % 2 === 1 ? diffs[(N - 1) / 2]! : (diffs[N / 2 - 1]! + diffs[N / 2]!) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  // The limits are the C-th smallest and largest differences (1-based), C the lower critical value
  // of the Mann-Whitney U statistic (Hollander & Wolfe, normal approximation).
  const c = Math.floor(N / 2 - z * Math.sqrt((N * (m + n + 1)) / 12));
  const cut = Math.max(0, Math.min(Math.floor((N - 1) / 2), c - 1));
  return { estimate, lower: diffs[cut]!, upper: diffs[N - 1 - cut]! };
}

/**
 * Kayenta's classification for a metric where higher is worse (MannWhitneyClassifier): "High" when
 * the confidence interval's lower bound exceeds tolerance × |Hodges-Lehmann estimate|.
 */
export function kayentaHigh(canary: readonly number[], baseline: readonly number[], confidence: number, tolerance: number): boolean {
  const canaryValues = canary.filter(Number.isFinite);
  const baselineValues = baseline.filter(Number.isFinite);
  if (canaryValues.length === 0 || baselineValues.length === 0) return false; // Nodata
  const r = hodgesLehmann(canaryValues, baselineValues, confidence);
  if (!r) return false;
  return r.lower > tolerance * Math.abs(r.estimate);
}
