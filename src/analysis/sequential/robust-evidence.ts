/**
 * Overdispersion-robust evidence about the rate ratio ρ (for one flapping pod, retry storms, ...).
 *
 * The binomial e-process in ratio-evidence.ts assumes the canary's share of events in an interval is
 * Binomial(m, θ(ρ)). When events come in bursts its variance is larger and that e-process raises
 * false alarms. Here intervals are grouped into blocks of at least `minBlockEvents` events and each
 * block gives a standardised residual
 *     z_b(ρ0) = Σ_i (x_c,i − m_i θ_i(ρ0)) / sqrt(Σ_i m_i θ_i(ρ0)(1 − θ_i(ρ0))),
 * which has mean exactly 0 under ρ = ρ0 whatever the dispersion, mean > 0 when ρ > ρ0. Its unknown
 * variance is handled by the scale-invariant sequential t-test: the Bayes factor of the one-sample
 * t-test with effect size δ = μ/σ ~ N(0, g) and the right-Haar prior 1/σ on the scale,
 *     BF_n = (1 + n g)^{-1/2} · [(1 + t²/ν) / (1 + t²/((1 + n g) ν))]^{(ν+1)/2},  ν = n − 1,
 * is the likelihood ratio of the scale-invariant statistic and therefore a test martingale under
 * μ = 0 for Gaussian residuals (Pérez-Ortiz, Lardy, de Heide, Grünwald 2024, "E-statistics, group
 * invariance and anytime-valid testing"). Residuals of small counts are only approximately Gaussian,
 * which is why blocks hold several events; the test and the benchmark check the false-alarm rate by
 * simulation. A two-sided Bayes factor is used and only the wanted sign rejects, which keeps the
 * one-sided level at or below α.
 */
import type { CountInterval } from './ratio-evidence.ts';

export interface ResidualSummary {
  /** Number of complete blocks. */
  n: number;
  sum: number;
  sumSquares: number;
}

/**
 * Blocks of consecutive informative intervals holding at least `minBlockEvents` events and
 * `minBlockIntervals` intervals. The t-test treats blocks as independent, so a block should be
 * longer than the bursts it must absorb (a spell of a flapping pod); longer blocks cost speed.
 */
export function groupIntoBlocks(intervals: readonly CountInterval[], minBlockEvents: number, minBlockIntervals = 1): CountInterval[][] {
  const blocks: CountInterval[][] = [];
  let current: CountInterval[] = [];
  let events = 0;
  for (const iv of intervals) {
    const m = iv.canaryEvents + iv.stableEvents;
    if (iv.canaryTrials <= 0 || iv.stableTrials <= 0 || m <= 0) continue;
    current.push(iv);
    events += m;
    if (events >= minBlockEvents && current.length >= minBlockIntervals) {
      blocks.push(current);
      current = [];
      events = 0;
    }
  }
  return blocks; // an incomplete trailing block waits for more data
}

export function blockResiduals(blocks: readonly CountInterval[][], ratio: number): ResidualSummary {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const block of blocks) {
    let num = 0;
    let variance = 0;
    for (const iv of block) {
      const s = iv.canaryTrials / (iv.canaryTrials + iv.stableTrials);
      const theta = (ratio * s) / (ratio * s + 1 - s);
      const m = iv.canaryEvents + iv.stableEvents;
      num += iv.canaryEvents - m * theta;
      variance += m * theta * (1 - theta);
    }
    if (variance <= 0) continue;
    const z = num / Math.sqrt(variance);
    n++;
    sum += z;
    sumSquares += z * z;
  }
  return { n, sum, sumSquares };
}

/**
 * ln BF of the sequential t-test (see above) with prior variance g of the standardised effect, and
 * the sign of the sample mean. n < 2 gives ln BF = 0 (no evidence yet).
 */
export function tMixtureLogBayesFactor(summary: ResidualSummary, g = 1): { logBF: number; sign: number } {
  const { n, sum, sumSquares } = summary;
  if (n < 2) return { logBF: 0, sign: Math.sign(sum) };
  const mean = sum / n;
  const nu = n - 1;
  // Residuals of discrete counts can coincide; a floor on the sample variance (a quarter of the
  // binomial variance 1) keeps a few identical blocks from giving an infinite t. Only conservative.
  const ss = Math.max(0.25 * nu, sumSquares - n * mean * mean);
  const r = 1 + n * g;
  const t2 = (n * mean * mean) / (ss / nu);
  const logBF = -0.5 * Math.log(r) + ((nu + 1) / 2) * (Math.log1p(t2 / nu) - Math.log1p(t2 / (r * nu)));
  return { logBF, sign: Math.sign(mean) };
}

/**
 * Signed log e-value of the robust test at ρ0: ln BF when the residual mean has the sign `direction`
 * (+1: evidence that ρ > ρ0; −1: that ρ < ρ0), otherwise 0 (no evidence in that direction).
 */
export function robustLogEValue(blocks: readonly CountInterval[][], ratio: number, direction: 1 | -1, g = 1): number {
  const { logBF, sign } = tMixtureLogBayesFactor(blockResiduals(blocks, ratio), g);
  return sign === direction ? Math.max(0, logBF) : 0;
}

/**
 * Confidence sequence for ρ from the robust tests, by bisection on ln ρ in [1/64, 64] (residual
 * means decrease in ρ, so each side's rejection region is an interval).
 */
export function robustRatioConfidenceSequence(
  blocks: readonly CountInterval[][],
  alphaLower: number,
  alphaUpper: number,
  g = 1,
): { lower: number; upper: number } {
  const lo = Math.log(1 / 64);
  const hi = Math.log(64);
  const rejectLow = (u: number) => robustLogEValue(blocks, Math.exp(u), 1, g) >= Math.log(1 / alphaLower);
  const rejectHigh = (u: number) => robustLogEValue(blocks, Math.exp(u), -1, g) >= Math.log(1 / alphaUpper);
  const bisect = (reject: (u: number) => boolean, rejectedSideIsLow: boolean): number => {
    let a = lo;
    let b = hi;
    if (rejectedSideIsLow ? !reject(lo) : !reject(hi)) return rejectedSideIsLow ? 0 : Infinity;
    if (rejectedSideIsLow ? reject(hi) : reject(lo)) return rejectedSideIsLow ? Infinity : 0;
    for (let i = 0; i < 40; i++) {
      const mid = (a + b) / 2;
      const r = reject(mid);
      if (rejectedSideIsLow === r) a = mid;
      else b = mid;
    }
    return Math.exp(rejectedSideIsLow ? a : b);
  };
  return { lower: bisect(rejectLow, true), upper: bisect(rejectHigh, false) };
}
