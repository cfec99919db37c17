/**
 * Seeded simulation of what a metrics backend shows for a canary and its stable baseline: per
 * scrape, cumulative request and error counters and a cumulative latency histogram per version.
 * Shared by the decision benchmark and the sequential-judge tests.
 */
import type { HistogramBucket, MetricObservation, VersionSample } from '../../src/analysis/types.ts';
import { binomial, type RandomSource } from '../../src/analysis/sequential/rng.ts';
import { normalCdf } from '../../src/analysis/special/special.ts';

/** Histogram bounds in seconds, a typical service's custom buckets (+Inf implied). */
export const LATENCY_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.75, 1, 2.5, 5, 10];

/** CDF of a latency distribution in seconds. */
export type LatencyCdf = (seconds: number) => number;

export interface LognormalLatency {
  median: number;
  sigma: number;
}

export const lognormalCdf =
  ({ median, sigma }: LognormalLatency): LatencyCdf =>
  (x) =>
    x <= 0 ? 0 : normalCdf(Math.log(x / median) / sigma);

export function lognormalQuantile({ median, sigma }: LognormalLatency, z: number): number {
  return median * Math.exp(sigma * z);
}

/** All latencies multiplied by `factor` (a +20 % scale regression is factor 1.2). */
export const scaledCdf =
  (base: LatencyCdf, factor: number): LatencyCdf =>
  (x) =>
    base(x / factor);

/**
 * Tail-only regression: latencies above `from` are stretched by `stretch` around it, so the body of
 * the distribution is unchanged and only the tail (e.g. p99) moves.
 */
export const tailStretchedCdf =
  (base: LatencyCdf, from: number, stretch: number): LatencyCdf =>
  (x) =>
    x <= from ? base(x) : base(from + (x - from) / stretch);

/** Probability of each bucket (non-cumulative), one per bound plus the +Inf bucket. */
export function bucketProbabilities(cdf: LatencyCdf, bounds: readonly number[] = LATENCY_BOUNDS): number[] {
  const probs: number[] = [];
  let prev = 0;
  for (const b of bounds) {
    const c = cdf(b);
    probs.push(Math.max(0, c - prev));
    prev = c;
  }
  probs.push(Math.max(0, 1 - prev));
  return probs;
}

/** Multinomial split of n requests into buckets by conditional binomials. */
export function sampleBuckets(rng: RandomSource, n: number, probs: readonly number[]): number[] {
  const out: number[] = [];
  let left = n;
  let mass = 1;
  for (let i = 0; i < probs.length; i++) {
    if (i === probs.length - 1) {
      out.push(left);
      break;
    }
    const p = mass > 0 ? Math.min(1, probs[i]! / mass) : 0;
    const k = left > 0 ? binomial(rng, left, p) : 0;
    out.push(k);
    left -= k;
    mass -= probs[i]!;
  }
  return out;
}

/** Cumulative state of one version as a backend would expose it. */
export interface VersionCounters {
  requests: number;
  errors: number;
  /** Non-cumulative per-bucket totals since the origin (same order as bounds + Inf). */
  bucketTotals: number[];
}

export function emptyCounters(bounds: readonly number[] = LATENCY_BOUNDS): VersionCounters {
  return { requests: 0, errors: 0, bucketTotals: new Array<number>(bounds.length + 1).fill(0) };
}

/** Adds one interval's traffic to a version's counters (mutates and returns them). */
export function addTraffic(
  rng: RandomSource,
  counters: VersionCounters,
  requests: number,
  errorRate: number,
  latencyProbs: readonly number[] | undefined,
): VersionCounters {
  counters.requests += requests;
  counters.errors += binomial(rng, requests, Math.min(1, Math.max(0, errorRate)));
  if (latencyProbs) {
    const counts = sampleBuckets(rng, requests, latencyProbs);
    for (let i = 0; i < counts.length; i++) counters.bucketTotals[i]! += counts[i]!;
  }
  return counters;
}

/** Snapshot of counters as a VersionSample (cumulative histogram, Prometheus style). */
export function toSample(counters: VersionCounters, bounds: readonly number[] = LATENCY_BOUNDS, withBuckets = true): VersionSample {
  const sample: VersionSample = { requests: counters.requests, errors: counters.errors };
  if (withBuckets) {
    const buckets: HistogramBucket[] = [];
    let cum = 0;
    for (let i = 0; i < bounds.length; i++) {
      cum += counters.bucketTotals[i]!;
      buckets.push({ le: bounds[i]!, count: cum });
    }
    buckets.push({ le: Infinity, count: cum + counters.bucketTotals[bounds.length]! });
    sample.buckets = buckets;
  }
  return sample;
}

/** Quantile of a (non-cumulative) bucket count vector by linear interpolation, as histogram_quantile. */
export function histogramQuantile(counts: readonly number[], q: number, bounds: readonly number[] = LATENCY_BOUNDS): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return NaN;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const next = cum + counts[i]!;
    if (next >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1]!; // +Inf bucket: highest finite bound
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return counts[i]! > 0 ? lower + ((upper - lower) * (rank - cum)) / counts[i]! : upper;
    }
    cum = next;
  }
  return bounds[bounds.length - 1]!;
}

export interface IntervalPlan {
  canaryRequests: number;
  stableRequests: number;
  canaryErrorRate: number;
  stableErrorRate: number;
  canaryLatency?: readonly number[];
  stableLatency?: readonly number[];
}

/**
 * A step's history from a plan of intervals: one observation at `start` (the stable with a long
 * prior history, the canary fresh) and one after each interval.
 */
export function simulateHistory(
  rng: RandomSource,
  plan: readonly IntervalPlan[],
  options: { start?: number; intervalMs?: number; stablePrior?: IntervalPlan; withBuckets?: boolean } = {},
): MetricObservation[] {
  const start = options.start ?? 1_700_000_000_000;
  const intervalMs = options.intervalMs ?? 15_000;
  const withBuckets = options.withBuckets ?? plan.some((p) => p.canaryLatency !== undefined);
  const canary = emptyCounters();
  const stable = emptyCounters();
  if (options.stablePrior) {
    const p = options.stablePrior;
    addTraffic(rng, stable, p.stableRequests, p.stableErrorRate, p.stableLatency);
  }
  const history: MetricObservation[] = [{ at: start, canary: toSample(canary, LATENCY_BOUNDS, withBuckets), stable: toSample(stable, LATENCY_BOUNDS, withBuckets) }];
  plan.forEach((p, i) => {
    addTraffic(rng, canary, p.canaryRequests, p.canaryErrorRate, p.canaryLatency);
    addTraffic(rng, stable, p.stableRequests, p.stableErrorRate, p.stableLatency);
    history.push({ at: start + (i + 1) * intervalMs, canary: toSample(canary, LATENCY_BOUNDS, withBuckets), stable: toSample(stable, LATENCY_BOUNDS, withBuckets) });
  });
  return history;
}
