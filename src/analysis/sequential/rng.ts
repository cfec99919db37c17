/**
 * Variates for simulations (tests and the decision benchmark) drawn from the one seeded source in
 * util/random.ts. Judges never use randomness.
 */
import { logGamma } from '../special/special.ts';
import type { RandomSource } from '../../util/random.ts';

export { deriveSeed, mulberry32, type RandomSource } from '../../util/random.ts';

export function standardNormal(rng: RandomSource): number {
  // Box-Muller; u1 in (0, 1] so the log is finite.
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Poisson variate: multiplication method for small means, PTRS (Hörmann 1993) for large ones. */
export function poisson(rng: RandomSource, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = rng.next();
    while (prod > limit) {
      k++;
      prod *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logGamma(k + 1)) return k;
  }
}

/**
 * Binomial variate. Exact inversion while the expected count of the rarer outcome is small (the
 * regime of error counts); a rounded normal approximation when it is large (> 40), where its error
 * is far below the Monte Carlo noise of the benchmark.
 */
export function binomial(rng: RandomSource, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const mean = n * p;
  if (mean > 40) {
    const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * standardNormal(rng));
    return Math.min(n, Math.max(0, x));
  }
  // Inversion by sequential search of the CDF from 0.
  const q = 1 - p;
  const ratio = p / q;
  let prob = Math.exp(n * Math.log1p(-p));
  let u = rng.next();
  let k = 0;
  while (u > prob && k < n) {
    u -= prob;
    prob *= (ratio * (n - k)) / (k + 1);
    k++;
  }
  return k;
}
