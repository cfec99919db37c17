/**
 * Anytime-valid evidence about the ratio ρ = (canary event rate) / (stable event rate) from
 * per-interval counts, where an "event" is an error (error-rate judge) or a request slower than a
 * threshold (latency judge).
 *
 * Model. In interval i the canary serves n_c requests with x_c events and the stable n_s with x_s.
 * With events arriving as Poisson processes at rates p_c·n_c and p_s·n_s, the canary's share of the
 * interval's m = x_c + x_s events is, given m, Binomial(m, θ_i(ρ)) with
 *     θ_i(ρ) = ρ s_i / (ρ s_i + 1 − s_i),  s_i = n_c / (n_c + n_s)  (the measured request share).
 * Conditioning on m removes the common rate: an incident that multiplies both versions' error rates
 * cancels, and so do traffic level changes; conditioning on the measured share means the configured
 * weight never enters. (With exact binomial sampling the conditional law is hypergeometric, which is
 * smaller in convex order, so the e-values below stay valid.)
 *
 * E-process. For an alternative ρ1 and null ρ0 the likelihood ratio of all intervals so far is
 *     LR_t(ρ1 : ρ0) = Π_i (ρ1/ρ0)^{x_c,i} · ((ρ0 s_i + 1 − s_i)/(ρ1 s_i + 1 − s_i))^{m_i},
 * a nonnegative martingale with mean 1 under ρ0 (a supermartingale for every ρ on the far side of ρ0).
 * A mixture Σ_k w_k LR_t(ρ_k : ρ0) with Σ w_k ≤ 1 is again one, so by Ville's inequality
 * P(∃t: E_t ≥ 1/α) ≤ α: the test may be checked after every scrape. The log-likelihood ratio needs
 * only X = Σ x_c and f(ρ) = Σ_i m_i ln(ρ s_i + 1 − s_i), so we keep f on a fixed grid of ln ρ and any
 * grid pair costs O(1): ln LR(ρ_a : ρ_b) = X (ln ρ_a − ln ρ_b) − f(ρ_a) + f(ρ_b).
 */

export interface CountInterval {
  canaryTrials: number;
  canaryEvents: number;
  stableTrials: number;
  stableEvents: number;
}

/** ln ρ_k = (k − center)·step for k = 0 .. size−1; index `center` is ρ = 1. */
export interface RatioGrid {
  step: number;
  center: number;
  size: number;
  /** ρ at the grid's top (its bottom is 1/maxRatio). */
  maxRatio: number;
}

export function createRatioGrid(step = 0.01, maxRatio = 64): RatioGrid {
  const center = Math.ceil(Math.log(maxRatio) / step);
  return { step, center, size: 2 * center + 1, maxRatio: Math.exp(center * step) };
}

function gridRatio(grid: RatioGrid, k: number): number {
  return Math.exp((k - grid.center) * grid.step);
}

export interface RatioEvidence {
  readonly grid: RatioGrid;
  /** Totals of the compared intervals (both versions served requests); X = canaryEvents. */
  canaryTrials: number;
  canaryEvents: number;
  stableTrials: number;
  stableEvents: number;
  /** Intervals that carried information (both versions had requests and some event occurred). */
  informativeIntervals: number;
  /**
   * X of the likelihood ratio: Σ x_c,i / φ_i (= canaryEvents when not tempered). f holds
   * Σ (m_i / φ_i) ln(ρ_k s_i + 1 − s_i) likewise.
   */
  x: number;
  /** Dispersion-tempered evidence (see `intervalDispersion`); false = the plain binomial e-process. */
  readonly tempered: boolean;
  /** Running sums of the dispersion estimate (intervals before the next one: predictable). */
  dispersion: DispersionSums;
  /**
   * Σ_i min(ln LR_i(ρ_k : 1), cap) for the alternatives above ρ = 1 (index d = k − center): the
   * rollback test with each interval's evidence capped (see `capped`). Undefined without a cap.
   */
  readonly capped?: Float64Array;
  readonly cap?: number;
  /** Requests/events of intervals where the other version served nothing (not compared, not in X). */
  uncomparedCanaryTrials: number;
  uncomparedCanaryEvents: number;
  uncomparedStableTrials: number;
  /** f[k] = Σ_i m_i ln(ρ_k s_i + 1 − s_i). */
  readonly f: Float64Array;
  /** ρ_k, cached. */
  readonly ratios: Float64Array;
}

/**
 * Running sums of the dispersion estimate: successive differences of the **stable's** interval rates
 * (see `kappaEstimate`), from its history before the rollout and then from its intervals in the
 * rollout. Only the stable's counts enter, so a regressed canary cannot make its own evidence look
 * like noise.
 */
export interface DispersionSums {
  /** Adjacent pairs of stable intervals, Σ (r_j − r_{j+1})², Σ (1/n_j + 1/n_{j+1}). */
  pairs: number;
  squares: number;
  inverses: number;
  /** Pooled stable counts (p̂). */
  events: number;
  trials: number;
  /** The last stable interval's rate and requests, to pair with the next one (undefined: none yet). */
  last?: { rate: number; trials: number };
  /** Prior of κ and its weight in pairs (see `DispersionPrior`). */
  priorKappa: number;
  priorIntervals: number;
}

/**
 * What is assumed of the dispersion before any of the stable's intervals are seen: κ (the
 * intra-class correlation of one version's events within an interval) with the weight of so many
 * pairs of intervals.
 */
export interface DispersionPrior {
  kappa: number;
  intervals: number;
}

/**
 * The prior when the stable's history before the rollout is not available: bursts are heavy-tailed,
 * so a few intervals underestimate κ; the tempered evidence starts by assuming real burstiness
 * (κ0 = 0.03: at 2,000 rps and a 1 % canary share an interval's variance is ×36 the binomial one)
 * and gives way as the stable's own intervals accumulate during the rollout. With an hour of history
 * there is no prior: the history is the knowledge.
 */
export const DEFAULT_DISPERSION_PRIOR: Readonly<DispersionPrior> = Object.freeze({ kappa: 0.03, intervals: 10 });
export const NO_PRIOR: Readonly<DispersionPrior> = Object.freeze({ kappa: 0, intervals: 0 });

export function emptyDispersion(prior: DispersionPrior = DEFAULT_DISPERSION_PRIOR): DispersionSums {
  return { pairs: 0, squares: 0, inverses: 0, events: 0, trials: 0, priorKappa: prior.kappa, priorIntervals: prior.intervals };
}

/** Adds one stable interval (requests, events) to the sums; an interval without requests is skipped. */
export function addStableInterval(d: DispersionSums, trials: number, events: number): DispersionSums {
  if (!(trials > 0) || !(events >= 0)) return d;
  const rate = Math.min(events, trials) / trials;
  if (d.last) {
    const diff = d.last.rate - rate;
    d.pairs++;
    d.squares += diff * diff;
    d.inverses += 1 / d.last.trials + 1 / trials;
  }
  d.last = { rate, trials };
  d.events += Math.min(events, trials);
  d.trials += trials;
  return d;
}

/**
 * κ̂ from the sums, by the method of moments on successive differences, which a slow drift of the
 * rate (diurnal load, a trend) does not inflate. Beta-binomial per interval with ICC κ: the
 * interval's rate r_j = x_j / n_j has variance p(1 − p)(κ + (1 − κ)/n_j), so for adjacent intervals
 *     E (r_j − r_{j+1})² = p(1 − p) (2κ + (1 − κ)(1/n_j + 1/n_{j+1})),
 * and with D = Σ (r_j − r_{j+1})² / p̂(1 − p̂) and H = Σ (1/n_j + 1/n_{j+1}) over P pairs,
 *     κ̂ = max(0, (D − H) / (2P − H)),
 * combined with the prior as (κ0 P0 + κ̂ P) / (P0 + P). Without events nothing is learned (κ does
 * not matter where events are that rare): κ̂ = 0.
 */
export function kappaEstimate(d: DispersionSums): number {
  const p = d.trials > 0 ? d.events / d.trials : 0;
  const denominator = 2 * d.pairs - d.inverses;
  const learned = p > 0 && p < 1 && denominator > 0 ? Math.min(1, Math.max(0, (d.squares / (p * (1 - p)) - d.inverses) / denominator)) : 0;
  const weight = d.priorIntervals + d.pairs;
  return weight > 0 ? (d.priorKappa * d.priorIntervals + learned * d.pairs) / weight : d.priorKappa;
}

/**
 * The sums after the stable's history before the rollout (its per-interval counts, oldest first):
 * no prior, the history is the knowledge.
 */
export function dispersionFromHistory(intervals: readonly { trials: number; events: number }[]): DispersionSums {
  const d = emptyDispersion(NO_PRIOR);
  for (const iv of intervals) addStableInterval(d, iv.trials, iv.events);
  return d;
}

/**
 * The interval's dispersion factor φ_i ≥ 1, from the stable's intervals before it only
 * (predictable), for tempering its log-likelihood ratio by 1/φ_i. Model (beta-binomial per version
 * and interval, with intra-class correlation κ): the linear residual x_c − s m has variance
 * ≈ v_i (1 + 2κ s(1−s) N) with v_i = s(1−s) m_i its Poisson value and N the interval's requests, so
 *     φ_i = 1 + 2 κ̂ s_i (1 − s_i) N_i.
 */
export function intervalDispersion(d: DispersionSums, interval: CountInterval): number {
  const { canaryTrials: nc, stableTrials: ns } = interval;
  const n = nc + ns;
  const s = nc / n;
  return 1 + 2 * kappaEstimate(d) * s * (1 - s) * n;
}

export function cloneDispersion(d: DispersionSums): DispersionSums {
  return { ...d, ...(d.last ? { last: { ...d.last } } : {}) };
}

export function emptyRatioEvidence(
  grid: RatioGrid = createRatioGrid(),
  options: { tempered?: boolean; cap?: number; dispersion?: DispersionSums } = {},
): RatioEvidence {
  return {
    ...(options.cap !== undefined ? { cap: options.cap, capped: new Float64Array(grid.size - grid.center) } : {}),
    grid,
    x: 0,
    tempered: options.tempered ?? false,
    dispersion: options.dispersion ? cloneDispersion(options.dispersion) : emptyDispersion(),
    canaryTrials: 0,
    canaryEvents: 0,
    stableTrials: 0,
    stableEvents: 0,
    informativeIntervals: 0,
    uncomparedCanaryTrials: 0,
    uncomparedCanaryEvents: 0,
    uncomparedStableTrials: 0,
    f: new Float64Array(grid.size),
    ratios: Float64Array.from({ length: grid.size }, (_, k) => gridRatio(grid, k)),
  };
}

/**
 * Adds one interval's counts to `evidence` (mutating it, so a caller may update incrementally).
 * An interval in which either version served no requests compares nothing with nothing: it is
 * skipped **before** anything is added, because X = Σ x_c enters the likelihood ratio and must count
 * only the canary events of compared intervals (issue 13: adding them first turned a frozen stable
 * and 2 canary errors into e-value 49). Such canary traffic is kept apart in `uncompared*`.
 */
export function addCountInterval(evidence: RatioEvidence, interval: CountInterval): RatioEvidence {
  const { canaryTrials: nc, canaryEvents: xc, stableTrials: ns, stableEvents: xs } = interval;
  if (nc <= 0 || ns <= 0) {
    evidence.uncomparedCanaryTrials += Math.max(0, nc);
    evidence.uncomparedCanaryEvents += Math.max(0, xc);
    evidence.uncomparedStableTrials += Math.max(0, ns);
    return evidence;
  }
  evidence.canaryTrials += nc;
  evidence.stableTrials += ns;
  evidence.canaryEvents += xc;
  evidence.stableEvents += xs;
  const phi = evidence.tempered ? intervalDispersion(evidence.dispersion, interval) : 1;
  addStableInterval(evidence.dispersion, ns, xs);
  const m = xc + xs;
  if (m <= 0) return evidence;
  evidence.informativeIntervals++;
  evidence.x += xc / phi;
  const s = nc / (nc + ns);
  const { f, ratios } = evidence;
  const w = m / phi;
  const log = Math.log; // a local binding: global lookups are slow inside test sandboxes (vm contexts)
  const c = evidence.grid.center;
  const { capped, cap } = evidence;
  const lnNull = capped ? log(s + 1 - s) : 0; // ln(1 · s + 1 − s) = 0, kept for clarity
  for (let k = 0; k < ratios.length; k++) {
    const l = log(ratios[k]! * s + 1 - s);
    f[k]! += w * l;
    if (capped && k > c) capped[k - c]! += Math.min(cap!, (xc / phi) * (k - c) * evidence.grid.step - w * (l - lnNull));
  }
  return evidence;
}

function logLikelihoodRatio(evidence: RatioEvidence, alternative: number, nullIndex: number): number {
  const { step } = evidence.grid;
  return evidence.x * (alternative - nullIndex) * step - (evidence.f[alternative]! - evidence.f[nullIndex]!);
}

/**
 * Mixing distribution over the distance between alternative and null in grid steps, as log weights
 * for offsets d = 1..D (index d−1). A mixture of half-normals on |ln ρ1 − ln ρ0|: narrow components
 * spend little evidence on small regressions (ρ ≈ 1.5), wide ones keep large regressions cheap.
 * Weights sum to at most 1, which is all validity needs.
 */
export function halfNormalMixturePrior(
  grid: RatioGrid,
  components: readonly { scale: number; weight: number }[] = DEFAULT_PRIOR_COMPONENTS,
): Float64Array {
  const maxOffset = grid.size - 1;
  const w = new Float64Array(maxOffset);
  const totalWeight = components.reduce((a, c) => a + c.weight, 0);
  for (const { scale, weight } of components) {
    // Mass of the half-normal on ((d − 1/2)·step, (d + 1/2)·step], via the density at d·step times
    // the step (the grid is fine compared with every scale used).
    for (let d = 1; d <= maxOffset; d++) {
      const u = d * grid.step;
      w[d - 1]! += (weight / totalWeight) * ((2 / (scale * Math.sqrt(2 * Math.PI))) * Math.exp((-0.5 * u * u) / (scale * scale)) * grid.step);
    }
  }
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i]!;
  const logW = new Float64Array(maxOffset);
  for (let i = 0; i < w.length; i++) logW[i] = w[i]! > 0 ? Math.log(w[i]! / Math.max(1, sum)) : -Infinity;
  return logW;
}

const DEFAULT_PRIOR_COMPONENTS: readonly { scale: number; weight: number }[] = [
  { scale: 0.3, weight: 0.45 },
  { scale: 0.8, weight: 0.35 },
  { scale: 2.5, weight: 0.2 },
];

function logMixture(evidence: RatioEvidence, nullIndex: number, logPrior: Float64Array, direction: 1 | -1): number {
  const { size, step } = evidence.grid;
  const { f, x } = evidence;
  const fNull = f[nullIndex]!;
  const last = direction === 1 ? Math.min(logPrior.length, size - 1 - nullIndex) : Math.min(logPrior.length, nullIndex);
  // Two passes (maximum, then the sum) for a stable log-sum-exp without allocating; a weight below
  // e^-60 cannot matter at any threshold used here.
  let max = -Infinity;
  for (let d = 1; d <= last; d++) {
    const lw = logPrior[d - 1]!;
    if (lw < -60) continue;
    const k = nullIndex + direction * d;
    const v = lw + x * (k - nullIndex) * step - (f[k]! - fNull);
    if (v > max) max = v;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  const exp = Math.exp;
  for (let d = 1; d <= last; d++) {
    const lw = logPrior[d - 1]!;
    if (lw < -60) continue;
    const k = nullIndex + direction * d;
    sum += exp(lw + x * (k - nullIndex) * step - (f[k]! - fNull) - max);
  }
  return max + Math.log(sum);
}

/** ln E_t for H0: ρ ≤ ρ_{nullIndex} against the mixture of alternatives above it (regression test). */
export function logEValueAbove(evidence: RatioEvidence, nullIndex: number, logPrior: Float64Array): number {
  return logMixture(evidence, nullIndex, logPrior, 1);
}

/**
 * The rollback e-value with each interval's log-likelihood ratio capped at `cap`:
 * Σ_d w_d Π_i min(LR_i(ρ_d), e^cap). Each factor is at most LR_i, so its conditional mean is ≤ 1
 * under H0 and the capped product is still a test supermartingale (a mixture of them too); under
 * bursts it bounds what one interval — one incident, one flapping pod — can add to the evidence.
 */
export function cappedLogEValue(evidence: RatioEvidence, logPrior: Float64Array): number {
  const { capped } = evidence;
  if (!capped) return logEValueAbove(evidence, evidence.grid.center, logPrior);
  let max = -Infinity;
  const last = Math.min(logPrior.length, capped.length - 1);
  for (let d = 1; d <= last; d++) {
    const lw = logPrior[d - 1]!;
    if (lw < -60) continue;
    const v = lw + capped[d]!;
    if (v > max) max = v;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let d = 1; d <= last; d++) {
    const lw = logPrior[d - 1]!;
    if (lw < -60) continue;
    sum += Math.exp(lw + capped[d]! - max);
  }
  return max + Math.log(sum);
}

/** ln E_t for H0: ρ ≥ ρ_{nullIndex} against alternatives below it (used to promote). */
function logEValueBelow(evidence: RatioEvidence, nullIndex: number, logPrior: Float64Array): number {
  return logMixture(evidence, nullIndex, logPrior, -1);
}

export interface RatioInterval {
  lower: number;
  upper: number;
}

/**
 * Confidence sequence for ρ by inverting the two families of tests: ρ_k is excluded when the
 * one-sided e-value at ρ_k reaches 1/α. Covers the true ρ at all times simultaneously with
 * probability ≥ 1 − alphaLower − alphaUpper. Bounds are rounded outward by one grid step so a ρ
 * between grid points is still covered; the search bisects, relying on the rejection region being
 * an interval on each side (true for these exponential-family mixtures).
 */
export function ratioConfidenceSequence(
  evidence: RatioEvidence,
  logPrior: Float64Array,
  alphaLower: number,
  alphaUpper: number,
): RatioInterval {
  const { size } = evidence.grid;
  const rejectLow = (k: number) => logEValueAbove(evidence, k, logPrior) >= Math.log(1 / alphaLower);
  const rejectHigh = (k: number) => logEValueBelow(evidence, k, logPrior) >= Math.log(1 / alphaUpper);
  // Smallest k not rejected from below.
  let lo = 0;
  let hi = size - 1;
  let lowerIndex: number;
  if (!rejectLow(0)) lowerIndex = 0;
  else if (rejectLow(size - 1)) lowerIndex = size - 1;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (rejectLow(mid)) lo = mid;
      else hi = mid;
    }
    lowerIndex = hi;
  }
  // Largest k not rejected from above.
  let upperIndex: number;
  lo = 0;
  hi = size - 1;
  if (!rejectHigh(size - 1)) upperIndex = size - 1;
  else if (rejectHigh(0)) upperIndex = 0;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (rejectHigh(mid)) hi = mid;
      else lo = mid;
    }
    upperIndex = lo;
  }
  const lower = lowerIndex === 0 ? 0 : gridRatio(evidence.grid, lowerIndex - 1);
  const upper = upperIndex === size - 1 ? Infinity : gridRatio(evidence.grid, upperIndex + 1);
  return { lower, upper };
}

/** Maximum-likelihood ρ on the grid (for display). */
export function ratioEstimate(evidence: RatioEvidence): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < evidence.grid.size; k++) {
    const v = logLikelihoodRatio(evidence, k, evidence.grid.center);
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return gridRatio(evidence.grid, best);
}
