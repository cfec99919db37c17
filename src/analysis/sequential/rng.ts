/**
 * A small seeded random source for simulations (tests and the decision benchmark). Judges never use
 * randomness; this exists so every simulated stream is reproducible from its seed.
 */
import { logGamma } from '../special/special.ts';

export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

/** mulberry32: 32-bit state, period 2^32, good enough statistical quality for Monte Carlo here. */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  const imul = Math.imul; // local binding: global lookups are slow inside test sandboxes
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = imul(t ^ (t >>> 15), t | 1);
      t ^= t + imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Derives independent-looking seeds for sub-streams (run i of scenario s) from one seed. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h >>> 0;
}

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
