/**
 * Scenario families for the decision benchmark and the stream generator that turns a scenario into
 * what a metrics backend would show: one observation per scrape with cumulative counters and
 * histograms per version. Every engine is fed the same stream.
 */
import type { MetricObservation } from '../../src/analysis/types.ts';
import { mulberry32, poisson, type RandomSource } from '../../src/analysis/sequential/rng.ts';
import {
  LATENCY_BOUNDS,
  addTraffic,
  bucketProbabilities,
  emptyCounters,
  lognormalCdf,
  lognormalQuantile,
  scaledCdf,
  tailStretchedCdf,
  toSample,
  type LatencyCdf,
} from './sim.ts';

export const SCRAPE_SECONDS = 15;
export const HORIZON_SECONDS = 30 * 60;
export const BURN_IN_SECONDS = 60;

export const BASE_LATENCY = { median: 0.1, sigma: 0.5 };
const Z95 = 1.6448536269514722;
const Z99 = 2.3263478740408408;
/** The stable's true p99; "slow" (a bad request) means slower than this. */
export const STABLE_P99 = lognormalQuantile(BASE_LATENCY, Z99);
const STABLE_P95 = lognormalQuantile(BASE_LATENCY, Z95);
const baseCdf = lognormalCdf(BASE_LATENCY);

export interface Scenario {
  name: string;
  family: 'healthy' | 'regression';
  /** Requests per second over both versions. */
  totalRps: number;
  canaryWeight: number;
  stableErrorRate: number;
  /** Canary error rate at t seconds since the canary started (before warm-up effects). */
  canaryErrorRate: (t: number) => number;
  canaryLatency: LatencyCdf;
  warmUp?: boolean;
  /** One of 10 stable pods at 5× errors in spells. */
  noisyBaseline?: boolean;
  /** Both versions' error rates ×10 for 3 minutes from minute 10. */
  sharedIncident?: boolean;
  /** Key of the healthy twin used to tune the baselines to the same false-rollback budget. */
  calibrationKey: string;
}

const stretchFor20pctP99 = (1.2 * STABLE_P99 - STABLE_P95) / (STABLE_P99 - STABLE_P95);

export function scenarios(): Scenario[] {
  const constant = (p: number) => () => p;
  const healthy = (name: string, extra: Partial<Scenario> = {}): Scenario => {
    const s: Scenario = {
      name,
      family: 'healthy',
      totalRps: 100,
      canaryWeight: 0.1,
      stableErrorRate: 0.01,
      canaryErrorRate: constant(0.01),
      canaryLatency: baseCdf,
      calibrationKey: '',
      ...extra,
    };
    s.calibrationKey = `${s.totalRps}rps-${s.stableErrorRate}`;
    return s;
  };
  const regression = (name: string, extra: Partial<Scenario>): Scenario => ({ ...healthy(name, extra), family: 'regression' });
  return [
    healthy('healthy 1%'),
    healthy('healthy 1% + warm-up', { warmUp: true }),
    healthy('healthy 0.1%', { stableErrorRate: 0.001, canaryErrorRate: constant(0.001) }),
    healthy('healthy, noisy baseline', { noisyBaseline: true }),
    healthy('healthy, shared incident', { sharedIncident: true }),
    healthy('healthy, low traffic 2 rps', { totalRps: 2 }),
    regression('errors 1% -> 1.5%', { canaryErrorRate: constant(0.015) }),
    regression('errors 1% -> 6%', { canaryErrorRate: constant(0.06) }),
    regression('errors 0.1% -> 0.6%', { stableErrorRate: 0.001, canaryErrorRate: constant(0.006) }),
    regression('p99 +20% (tail only)', { canaryLatency: tailStretchedCdf(baseCdf, STABLE_P95, stretchFor20pctP99) }),
    regression('latency +20% (scale)', { canaryLatency: scaledCdf(baseCdf, 1.2) }),
    regression('drift 1% -> 3% in 30 min', { canaryErrorRate: (t) => 0.01 + (0.02 * t) / HORIZON_SECONDS }),
    regression('low traffic 2 rps, 1% -> 6%', { totalRps: 2, canaryErrorRate: constant(0.06) }),
  ];
}

/** True probability that a canary request is slower than the stable's p99. */
export function canarySlowProbability(s: Scenario): number {
  return 1 - s.canaryLatency(STABLE_P99);
}

/** Expected bad (error or slower than stable p99) requests in excess of the stable, per canary request at t. */
export function excessBadPerRequest(s: Scenario, t: number): number {
  return Math.max(0, s.canaryErrorRate(t) - s.stableErrorRate) + Math.max(0, canarySlowProbability(s) - 0.01);
}

export interface Stream {
  observations: MetricObservation[];
  /** Canary requests served by each observation (cumulative), for exposure figures. */
  canaryRequests: number[];
}

/** Generates one run's observations (one per scrape, the first at t = 0). */
export function generateStream(s: Scenario, seed: number): Stream {
  const rng: RandomSource = mulberry32(seed);
  const stableProbs = bucketProbabilities(baseCdf);
  const canaryBaseProbs = bucketProbabilities(s.canaryLatency);
  const canary = emptyCounters();
  const stable = emptyCounters();
  // The stable has served a long history before the canary starts (its counters are not at zero).
  addTraffic(rng, stable, 1_000_000, s.stableErrorRate, stableProbs);
  const phase = rng.next() * 2 * Math.PI;
  let pollutedPod = false;
  const start = 1_700_000_000_000;
  const observations: MetricObservation[] = [{ at: start, canary: toSample(canary), stable: toSample(stable) }];
  const canaryRequests = [0];
  for (let t = SCRAPE_SECONDS; t <= HORIZON_SECONDS; t += SCRAPE_SECONDS) {
    const level = s.totalRps * (1 + 0.2 * Math.sin((2 * Math.PI * t) / 1200 + phase));
    const nc = poisson(rng, level * s.canaryWeight * SCRAPE_SECONDS);
    const ns = poisson(rng, level * (1 - s.canaryWeight) * SCRAPE_SECONDS);
    let pc = s.canaryErrorRate(t);
    let ps = s.stableErrorRate;
    let canaryProbs = canaryBaseProbs;
    if (s.warmUp) {
      const excess = Math.exp(-t / 20);
      pc *= 1 + 4 * excess;
      canaryProbs = bucketProbabilities(scaledCdf(s.canaryLatency, 1 + excess));
    }
    if (s.noisyBaseline) {
      // Spells: on for 2 minutes on average, off for 4.
      if (rng.next() < (pollutedPod ? SCRAPE_SECONDS / 120 : SCRAPE_SECONDS / 240)) pollutedPod = !pollutedPod;
      if (pollutedPod) ps *= 1 + 4 / 10;
    }
    if (s.sharedIncident && t > 600 && t <= 780) {
      pc *= 10;
      ps *= 10;
    }
    addTraffic(rng, canary, nc, pc, canaryProbs);
    addTraffic(rng, stable, ns, ps, stableProbs);
    observations.push({ at: start + t * 1000, canary: toSample(canary), stable: toSample(stable) });
    canaryRequests.push(canary.requests);
  }
  return { observations, canaryRequests };
}

export { LATENCY_BOUNDS };
