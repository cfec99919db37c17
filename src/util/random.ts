/**
 * The one seeded random source, for simulations only (the simulator's traffic, tests and the
 * decision benchmark). Decisions never use randomness; this exists so that every simulated stream
 * is reproducible from its seed.
 */

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
