/**
 * The bench's own model of what Prometheus shows during a whole canary rollout: per 30 s scrape,
 * cumulative request and error counters and a latency histogram (Prometheus' default buckets) per
 * version, summed over pods. Independent of the production code (it imports only types and the
 * seeded random source); the world it encodes:
 *
 * - Requests: Poisson per scrape at the total rate × a diurnal factor (24 h sine, random phase,
 *   amplitude `diurnal`); each request goes to the canary with the **real** share, which differs
 *   from the configured weight by a per-rollout factor (pod readiness, connection reuse, uneven
 *   load balancing); at weight 100 a splitting router sends everything to the canary.
 * - Errors, independent: Binomial(n, p). Overdispersed: the interval's rate of each version is
 *   drawn from a Beta with mean p and intra-class correlation `icc` (beta-binomial), independently
 *   per version and interval. Incidents: a Poisson process (`incidentsPerHour`) of events that each
 *   fail 10–200 requests of one version, chosen with probability equal to its request share (so
 *   per request both versions see the same expected errors: the canary is healthy).
 * - Counter resets: each version runs on two pods whose counters Prometheus sums; a pod restarts
 *   with probability `resetProbability` per scrape, zeroing its counters (the sum drops partly).
 * - Scrape gaps: a version's query returns nothing with probability `gapProbability` per scrape.
 * - Latency: lognormal (median 100 ms, σ 0.5); a p99 regression stretches the tail above the
 *   stable's p95 so that the p99 rises by `p99Increase`.
 */
import type { HistogramBucket, MetricObservation, StableSample, VersionSample } from '../../src/analysis/types.ts';
import { binomial, poisson, standardNormal, type RandomSource } from '../../src/analysis/sequential/rng.ts';
import { normalCdf } from '../../src/analysis/special/special.ts';
import { bucketProbabilities } from './sim.ts';

/** Prometheus client libraries' default histogram buckets (seconds), e.g. client_golang DefBuckets. */
export const PROMETHEUS_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const LATENCY = { median: 0.1, sigma: 0.5 };
/** An hour of 30 s scrapes before the rollout. */
const HISTORY_SCRAPES = 120;
const Z95 = 1.6448536269514722;
const Z99 = 2.3263478740408408;
export const STABLE_P95 = LATENCY.median * Math.exp(LATENCY.sigma * Z95);
export const STABLE_P99 = LATENCY.median * Math.exp(LATENCY.sigma * Z99);

export interface World {
  baseRate: number;
  totalRps: number;
  icc: number;
  incidentsPerHour: number;
  diurnal: number;
  resetProbability: number;
  gapProbability: number;
  /** Real canary share / configured weight, drawn per rollout uniformly from this range. */
  shareFactor: readonly [number, number];
  /** Canary's error rate / stable's (1 = healthy). */
  errorRatio: number;
  /** Canary's p99 / stable's p99 − 1 (0 = healthy). */
  p99Increase: number;
}

const baseCdf = (x: number): number => (x <= 0 ? 0 : normalCdf(Math.log(x / LATENCY.median) / LATENCY.sigma));

export function latencyCdf(p99Increase: number): (x: number) => number {
  if (p99Increase === 0) return baseCdf;
  const stretch = ((1 + p99Increase) * STABLE_P99 - STABLE_P95) / (STABLE_P99 - STABLE_P95);
  return (x) => (x <= STABLE_P95 ? baseCdf(x) : baseCdf(STABLE_P95 + (x - STABLE_P95) / stretch));
}


/** Share of requests slower than `bound` under a p99 increase (for the bad-request count). */
export function slowShare(p99Increase: number, bound: number): number {
  return 1 - latencyCdf(p99Increase)(bound);
}

function gamma(rng: RandomSource, shape: number): number {
  // Marsaglia–Tsang; shape < 1 by the boost U^(1/shape).
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.next() || 1e-300, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(rng: RandomSource, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x + y > 0 ? x / (x + y) : a / (a + b);
}

interface Pod {
  requests: number;
  errors: number;
  buckets: number[];
}

const emptyPod = (): Pod => ({ requests: 0, errors: 0, buckets: new Array<number>(PROMETHEUS_DEFAULT_BUCKETS.length + 1).fill(0) });

class Version {
  pods: Pod[] = [emptyPod(), emptyPod()];
  private readonly probs: number[];
  constructor(probs: number[]) {
    this.probs = probs;
  }

  serve(rng: RandomSource, n: number, errors: number): void {
    // Requests spread over the pods; errors fall on the requests uniformly.
    const n0 = binomial(rng, n, 0.5);
    const e0 = n > 0 ? hypergeometricSplit(rng, errors, n0, n) : 0;
    const split: [number, number][] = [
      [n0, e0],
      [n - n0, errors - e0],
    ];
    split.forEach(([k, e], i) => {
      const pod = this.pods[i]!;
      pod.requests += k;
      pod.errors += e;
      let left = k;
      let mass = 1;
      for (let b = 0; b < this.probs.length; b++) {
        if (b === this.probs.length - 1) {
          pod.buckets[b]! += left;
          break;
        }
        const p = mass > 0 ? Math.min(1, this.probs[b]! / mass) : 0;
        const x = left > 0 ? binomial(rng, left, p) : 0;
        pod.buckets[b]! += x;
        left -= x;
        mass -= this.probs[b]!;
      }
    });
  }

  restartOnePod(rng: RandomSource): void {
    this.pods[rng.next() < 0.5 ? 0 : 1] = emptyPod();
  }

  sample(): VersionSample {
    const requests = this.pods.reduce((a, p) => a + p.requests, 0);
    const errors = this.pods.reduce((a, p) => a + p.errors, 0);
    const buckets: HistogramBucket[] = [];
    let cum = 0;
    PROMETHEUS_DEFAULT_BUCKETS.forEach((le, i) => {
      cum += this.pods[0]!.buckets[i]! + this.pods[1]!.buckets[i]!;
      buckets.push({ le, count: cum });
    });
    const last = PROMETHEUS_DEFAULT_BUCKETS.length;
    buckets.push({ le: Infinity, count: cum + this.pods[0]!.buckets[last]! + this.pods[1]!.buckets[last]! });
    return { requests, errors, buckets };
  }
}

/** Errors among k of n requests when `errors` of the n failed (sequential draws; small counts). */
function hypergeometricSplit(rng: RandomSource, errors: number, k: number, n: number): number {
  if (errors <= 0 || k <= 0) return 0;
  if (k >= n) return errors;
  if (errors > 50) return Math.min(errors, k, Math.max(0, Math.round(binomial(rng, errors, k / n))));
  let inK = 0;
  let kLeft = k;
  let nLeft = n;
  for (let e = 0; e < errors; e++) {
    if (rng.next() < kLeft / nLeft) {
      inK++;
      kLeft--;
    }
    nLeft--;
  }
  return inK;
}

/** One rollout's world: call `scrape(weight)` every 30 s to advance it and read the counters. */
export class RolloutWorld {
  readonly shareFactor: number;
  private readonly phase: number;
  private readonly canary: Version;
  private readonly stable: Version;
  private t = 0;
  /** Canary requests served so far, and the excess bad requests they carried. */
  canaryServed = 0;

  private readonly rng: RandomSource;
  private readonly w: World;
  readonly scrapeSeconds: number;

  constructor(rng: RandomSource, w: World, scrapeSeconds = 30) {
    this.rng = rng;
    this.w = w;
    this.scrapeSeconds = scrapeSeconds;
    this.shareFactor = w.shareFactor[0] + (w.shareFactor[1] - w.shareFactor[0]) * rng.next();
    this.phase = 2 * Math.PI * rng.next();
    this.canary = new Version(bucketProbabilities(latencyCdf(w.p99Increase), PROMETHEUS_DEFAULT_BUCKETS));
    this.stable = new Version(bucketProbabilities(latencyCdf(0), PROMETHEUS_DEFAULT_BUCKETS));
    // The stable has served alone for an hour before the rollout, in the same world (bursts,
    // incidents, restarts, gaps): its histogram places the slow threshold, and its scrapes are the
    // history a range query over the last hour returns.
    for (let i = 0; i < HISTORY_SCRAPES; i++) {
      const obs = this.scrape(0);
      this.history.push(obs.stable ? { at: obs.at, stable: obs.stable } : { at: obs.at });
    }
  }

  /** The stable's scrapes from the hour before the rollout (stable only), oldest first. */
  readonly history: StableSample[] = [];

  private intervalErrors(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (this.w.icc <= 0) return binomial(this.rng, n, p);
    const s = (1 - this.w.icc) / this.w.icc; // a + b of the Beta
    return binomial(this.rng, n, beta(this.rng, p * s, (1 - p) * s));
  }

  /** Serves one scrape interval at `weight` (percent) and returns what the next scrape shows. */
  scrape(weight: number): MetricObservation & { canaryRequests: number; stableRequests: number } {
    const rng = this.rng;
    this.t += this.scrapeSeconds;
    const load = 1 + this.w.diurnal * Math.sin(this.phase + (2 * Math.PI * this.t) / 86_400);
    const total = poisson(rng, this.w.totalRps * this.scrapeSeconds * load);
    const share = weight >= 100 ? 1 : Math.min(1, (weight / 100) * this.shareFactor);
    const nc = binomial(rng, total, share);
    const ns = total - nc;
    let xc = this.intervalErrors(nc, Math.min(1, this.w.baseRate * this.w.errorRatio));
    let xs = this.intervalErrors(ns, this.w.baseRate);
    // Incidents: start at Poisson times, hit a version with probability = its request share, and
    // fail 10–200 of its requests within the interval they start in (capped by what it served).
    const starts = this.w.incidentsPerHour > 0 ? poisson(rng, (this.w.incidentsPerHour * this.scrapeSeconds) / 3600) : 0;
    for (let i = 0; i < starts; i++) {
      const size = 10 + Math.floor(rng.next() * 191);
      if (total > 0 && rng.next() < nc / total) xc = Math.min(nc, xc + size);
      else xs = Math.min(ns, xs + size);
    }
    this.canary.serve(rng, nc, xc);
    this.stable.serve(rng, ns, xs);
    this.canaryServed += nc;
    for (const v of [this.canary, this.stable]) if (rng.next() < this.w.resetProbability) v.restartOnePod(rng);
    const obs: MetricObservation & { canaryRequests: number; stableRequests: number } = {
      at: this.t * 1000,
      canary: this.canary.sample(),
      canaryRequests: nc,
      stableRequests: ns,
    };
    if (rng.next() >= this.w.gapProbability) obs.stable = this.stable.sample();
    if (rng.next() < this.w.gapProbability) obs.canary = {};
    return obs;
  }
}
