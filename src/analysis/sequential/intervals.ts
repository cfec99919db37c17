/**
 * Turns a step's observation history (cumulative counters and histograms per version, as a metrics
 * backend returns them) into per-interval counts for the sequential tests.
 *
 * - Burn-in: observations before history[0].at + burnInMs are ignored; the first observation after
 *   it is the reference point and only increments after it count.
 * - Counter resets: when a cumulative counter decreases, the interval that spans the drop is
 *   skipped and counting resumes from the new value. Prometheus increase() reads a drop as a
 *   restart from 0, which is right for one series; but the built-in queries sum counters over pods,
 *   and when one pod restarts the sum drops only partly, so "restart from 0" would count the other
 *   pods' whole history a second time. Skipping loses at most one scrape interval and is right in
 *   both cases.
 * - An observation where either version lacks usable data is skipped; the next increment spans it.
 * - Latency: the event is "slower than a threshold", where the threshold is the finite histogram
 *   bound whose exceedance share in the stable's cumulative histogram at the reference point is
 *   closest (on a log scale) to 1 − quantile. It is fixed before the tested increments begin and
 *   uses stable data only, so it cannot bias the test.
 */
import type { HistogramBucket, MetricObservation, VersionSample } from '../types.ts';
import type { CountInterval } from './ratio-evidence.ts';

export type SequentialKind = 'error-rate' | 'latency';

export interface ExtractedIntervals {
  intervals: CountInterval[];
  /** Latency: the histogram bound (seconds, or the backend's unit) used as the slow threshold. */
  threshold?: number;
  /** Stable's share of requests above the threshold at the reference point. */
  stableExceedanceAtReference?: number;
  /** Why nothing could be extracted yet, for the explanation. */
  missing?: string;
  /** Whether any observation carried stable data at all. */
  sawStable: boolean;
  /** Intervals skipped because a counter decreased (restart). */
  resets: number;
}

export interface Counts {
  trials: number;
  events: number;
}

const finiteNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function sortedBuckets(buckets: readonly HistogramBucket[] | undefined): HistogramBucket[] | undefined {
  if (!buckets || buckets.length === 0) return undefined;
  if (!buckets.every((b) => typeof b.le === 'number' && !Number.isNaN(b.le) && finiteNonNegative(b.count))) return undefined;
  return [...buckets].sort((a, b) => a.le - b.le);
}

/** Total observations of a histogram: the +Inf bucket, else the requests counter, else the largest bucket. */
function histogramTotal(sample: VersionSample, buckets: readonly HistogramBucket[]): number {
  const inf = buckets.find((b) => b.le === Infinity);
  if (inf) return inf.count;
  if (finiteNonNegative(sample.requests)) return Math.max(sample.requests, buckets[buckets.length - 1]!.count);
  return buckets[buckets.length - 1]!.count;
}

function countAtOrBelow(buckets: readonly HistogramBucket[], threshold: number): number | undefined {
  const b = buckets.find((x) => Math.abs(x.le - threshold) <= 1e-12 * Math.max(1, Math.abs(threshold)));
  return b?.count;
}

export function readCounts(sample: VersionSample | undefined, kind: SequentialKind, threshold: number | undefined): Counts | undefined {
  if (!sample) return undefined;
  if (kind === 'error-rate') {
    if (!finiteNonNegative(sample.requests) || !finiteNonNegative(sample.errors)) return undefined;
    return { trials: sample.requests, events: sample.errors };
  }
  const buckets = sortedBuckets(sample.buckets);
  if (!buckets || threshold === undefined) return undefined;
  const total = histogramTotal(sample, buckets);
  const below = countAtOrBelow(buckets, threshold);
  if (below === undefined) return undefined;
  return { trials: total, events: Math.max(0, total - below) };
}

/** Picks the latency threshold from the stable's cumulative histogram; undefined when too thin. */
export function chooseLatencyThreshold(
  stable: VersionSample | undefined,
  quantile: number,
): { threshold: number; exceedance: number } | undefined {
  const buckets = sortedBuckets(stable?.buckets);
  if (!stable || !buckets) return undefined;
  const total = histogramTotal(stable, buckets);
  const target = 1 - quantile;
  // Enough stable history that the tail share is estimated from ~10 slow requests.
  if (total < 10 / target) return undefined;
  let best: { threshold: number; exceedance: number } | undefined;
  let bestDistance = Infinity;
  for (const b of buckets) {
    if (!Number.isFinite(b.le)) continue;
    const exceedance = (total - b.count) / total;
    if (exceedance <= 0 || exceedance > 0.5) continue;
    const distance = Math.abs(Math.log(exceedance / target));
    if (distance < bestDistance) {
      bestDistance = distance;
      best = { threshold: b.le, exceedance };
    }
  }
  return best;
}

/**
 * Counts of one version since `prev`; undefined when a counter decreased (a reset: the interval's
 * true increment is unknown, see above).
 */
export function increment(prev: Counts, cur: Counts): Counts | undefined {
  if (cur.trials < prev.trials || cur.events < prev.events) return undefined;
  const trials = cur.trials - prev.trials;
  // Events are clamped to requests: two counters scraped a moment apart can disagree slightly.
  return { trials, events: Math.min(cur.events - prev.events, trials) };
}

export function extractIntervals(
  history: readonly MetricObservation[],
  kind: SequentialKind,
  options: { burnInMs?: number; quantile?: number; threshold?: number } = {},
): ExtractedIntervals {
  const sawStable = history.some((o) => o.stable !== undefined);
  if (history.length === 0) return { intervals: [], sawStable, missing: 'no observations yet', resets: 0 };
  const start = history[0]!.at + (options.burnInMs ?? 0);
  const quantile = options.quantile ?? 0.99;
  // A latency threshold chosen in an earlier step of the rollout stays fixed for the whole rollout.
  let threshold: number | undefined = options.threshold;
  let stableExceedanceAtReference: number | undefined;
  let prev: { canary: Counts; stable: Counts } | undefined;
  const intervals: CountInterval[] = [];
  let resets = 0;
  let missing: string | undefined = history.some((o) => o.at >= start) ? undefined : 'still in burn-in';
  for (const obs of history) {
    if (obs.at < start) continue;
    if (kind === 'latency' && threshold === undefined) {
      const chosen = chooseLatencyThreshold(obs.stable, quantile);
      if (!chosen) {
        missing = 'stable latency histogram too thin to choose a tail threshold';
        continue;
      }
      threshold = chosen.threshold;
      stableExceedanceAtReference = chosen.exceedance;
    }
    const canary = readCounts(obs.canary, kind, threshold);
    const stable = readCounts(obs.stable, kind, threshold);
    if (!canary || !stable) {
      missing ??= !stable ? 'no stable data' : 'no canary data';
      continue;
    }
    missing = undefined;
    if (prev) {
      const c = increment(prev.canary, canary);
      const s = increment(prev.stable, stable);
      if (c && s) intervals.push({ canaryTrials: c.trials, canaryEvents: c.events, stableTrials: s.trials, stableEvents: s.events });
      else resets++;
    }
    prev = { canary, stable };
  }
  if (intervals.length === 0 && missing === undefined) missing = 'need a second observation after the reference point';
  return { intervals, threshold, stableExceedanceAtReference, missing, sawStable, resets };
}

/**
 * One version's per-interval counts from a history of its cumulative counters alone (the stable's
 * samples before the rollout): consecutive samples give an interval; a counter that decreased
 * (restart) or a missing sample breaks the chain without inventing an interval.
 */
export function versionIntervals(
  samples: readonly (VersionSample | undefined)[],
  kind: SequentialKind,
  threshold: number | undefined,
): Counts[] {
  const out: Counts[] = [];
  let prev: Counts | undefined;
  for (const sample of samples) {
    const cur = readCounts(sample, kind, threshold);
    if (!cur) {
      prev = undefined;
      continue;
    }
    if (prev) {
      const inc = increment(prev, cur);
      if (inc) out.push(inc);
    }
    prev = cur;
  }
  return out;
}
