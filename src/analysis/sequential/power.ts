/**
 * Power of the rollback test: how large an increase of the canary's event rate the data seen so far
 * would have caught, with probability ≥ 1 − β, by now. This is what lets a step advance "on power"
 * (a regression of the configured size would have been caught) instead of on proof of equality.
 *
 * Method. The rollback e-value for H0: ρ ≤ 1 is a function of the evidence (X = Σ x_c and
 * f(ρ_k) = Σ_i m_i ln(ρ_k s_i + 1 − s_i), see ratio-evidence.ts). Take the evidence from before this
 * step as observed (`prior`), and this step's request counts (n_c,i, n_s,i) as observed. Under an
 * alternative ρ1 with the stable's rate p, the step's expected events are m_i = p (ρ1 n_c,i + n_s,i)
 * and its canary events X_step ~ Poisson(p ρ1 Σ n_c,i) (approximately binomial; the Poisson law is
 * the more dispersed one, so the power is not overstated). With f_step = p (ρ1 A + B), where
 * A_k = Σ n_c,i ln(ρ_k s_i + 1 − s_i) and B_k = Σ n_s,i ln(·), the e-value is increasing in X
 * (each log-likelihood ratio above ρ = 1 is X ln ρ_k − f(ρ_k) + f(1)), so the test rejects iff
 * X_prior + X_step ≥ X*(ρ1). Power(ρ1) ≈ P(Poisson(μ) ≥ X* − X_prior) by the normal approximation
 * with continuity correction. The minimum detectable ratio is the smallest ρ1 whose power reaches
 * 1 − β (bisection on ln ρ1; power increases with ρ1).
 *
 * "Caught by now" is a lower bound on "caught at some look so far": the sequential test rejects at
 * the first look where the e-value crosses, and at the current look in particular.
 */
import { normalCdf } from '../special/special.ts';
import type { CountInterval, RatioEvidence, RatioGrid } from './ratio-evidence.ts';

/** This step's request counts, summarised on the evidence grid. */
export interface StepExposure {
  readonly grid: RatioGrid;
  /** Σ n_c / φ over intervals where both versions served requests (tempered scale). */
  canaryRequests: number;
  stableRequests: number;
  /** A_k = Σ n_c,i ln(ρ_k s_i + 1 − s_i). */
  readonly a: Float64Array;
  /** B_k = Σ n_s,i ln(ρ_k s_i + 1 − s_i). */
  readonly b: Float64Array;
}

export function emptyStepExposure(grid: RatioGrid): StepExposure {
  return { grid, canaryRequests: 0, stableRequests: 0, a: new Float64Array(grid.size), b: new Float64Array(grid.size) };
}

/**
 * Adds an interval's requests; `phi` is the dispersion factor its evidence is tempered by (1 for the
 * plain e-process): on the tempered scale its events count 1/φ each, with variance 1/φ per expected
 * raw event, so the step behaves like Poisson counts with mean μ/φ.
 */
export function addStepExposure(exposure: StepExposure, interval: CountInterval, ratios: Float64Array, phi = 1): StepExposure {
  const nc = interval.canaryTrials / phi;
  const ns = interval.stableTrials / phi;
  if (nc <= 0 || ns <= 0) return exposure;
  exposure.canaryRequests += nc;
  exposure.stableRequests += ns;
  const s = nc / (nc + ns);
  const { a, b } = exposure;
  const log = Math.log;
  for (let k = 0; k < ratios.length; k++) {
    const l = log(ratios[k]! * s + 1 - s); // s is unchanged by φ (both counts scaled alike)
    a[k]! += nc * l;
    b[k]! += ns * l;
  }
  return exposure;
}

/**
 * Smallest total X at which the mixture e-value (offsets d ≥ 1 above the centre, log weights
 * `logPrior`) reaches e^threshold, given g_d = f(ρ_{c+d}) − f(1). h(X) = ln E(X) − threshold =
 * logsumexp_d(lw_d + X u_d − g_d) − threshold is convex and increasing in X, so Newton's method
 * from any start lands at or right of the root after one step and then decreases to it.
 */
function criticalX(g: Float64Array, grid: RatioGrid, logPrior: Float64Array, threshold: number, start: number): number {
  const step = grid.step;
  const terms = Math.min(g.length, logPrior.length + 1);
  const evaluate = (x: number): { h: number; slope: number } => {
    let max = -Infinity;
    for (let d = 1; d < terms; d++) {
      const v = logPrior[d - 1]! + x * d * step - g[d]!;
      if (v > max) max = v;
    }
    let sum = 0;
    let weighted = 0;
    for (let d = 1; d < terms; d++) {
      const w = Math.exp(logPrior[d - 1]! + x * d * step - g[d]! - max);
      sum += w;
      weighted += w * d * step;
    }
    return { h: max + Math.log(sum) - threshold, slope: weighted / sum };
  };
  let x = Math.max(0, start);
  for (let i = 0; i < 60; i++) {
    const { h, slope } = evaluate(x);
    if (h <= 0 && h > -1e-6) return x;
    if (!(slope > 0)) return Infinity;
    const next = x - h / slope;
    if (next <= 0 && h >= 0) return 0;
    if (Math.abs(next - x) < 1e-3) return Math.max(0, next);
    x = Math.max(0, next);
    if (x > 1e12) return Infinity;
  }
  return x;
}

export interface PowerInput {
  /** Evidence from before this step (the rollout's earlier steps), as observed. */
  prior: RatioEvidence;
  /** This step's request counts. */
  step: StepExposure;
  /** The stable's event rate (per request) the alternative is built on. */
  baseRate: number;
  logPrior: Float64Array;
  /** ln(1/α) of the rollback test. */
  threshold: number;
}

/** P(the rollback test has rejected by now | ρ = ratio), see the module comment. */
function detectionPower(input: PowerInput, ratio: number): number {
  const { prior, step, baseRate, logPrior, threshold } = input;
  const grid = prior.grid;
  const c = grid.center;
  const half = grid.size - c;
  const g = new Float64Array(half);
  const p = baseRate;
  const f0 = prior.f[c]! + p * (ratio * step.a[c]! + step.b[c]!);
  for (let d = 0; d < half; d++) {
    const k = c + d;
    g[d] = prior.f[k]! + p * (ratio * step.a[k]! + step.b[k]!) - f0;
  }
  const mu = p * ratio * step.canaryRequests;
  const xStar = criticalX(g, grid, logPrior, threshold, prior.x + mu);
  const needed = xStar - prior.x;
  if (needed <= 0) return 1;
  if (!(mu > 0)) return 0;
  // Normal approximation; on the untempered scale X is an integer, whence the continuity correction.
  const tempered = prior.tempered;
  const cut = tempered ? needed : Math.ceil(needed - 1e-9) - 0.5;
  return 1 - normalCdf((cut - mu) / Math.sqrt(mu));
}

/**
 * Smallest ratio ρ1 in (1, maxRatio] with detectionPower ≥ 1 − β, to about 1 %; Infinity when even
 * maxRatio is not detectable (too few requests or no events at the base rate).
 */
export function minimumDetectableRatio(input: PowerInput, beta: number, maxRatio = 64): number {
  const want = 1 - beta;
  if (!(input.baseRate > 0) || input.step.canaryRequests <= 0) return Infinity;
  if (detectionPower(input, maxRatio) < want) return Infinity;
  let lo = 0;
  let hi = Math.log(maxRatio);
  while (hi - lo > 0.01) {
    const mid = (lo + hi) / 2;
    if (detectionPower(input, Math.exp(mid)) >= want) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}
