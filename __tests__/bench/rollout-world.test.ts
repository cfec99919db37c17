/**
 * The whole-rollout benchmark's world (bench/lib/rollout-sim.ts) and driver (bench/lib/rollouts.ts):
 * the figures of docs/sequential.md rest on them, so what they claim to model is checked here.
 */
import { RolloutWorld, type World } from '../../bench/lib/rollout-sim.ts';
import { defaultRolloutConfig, runRollout } from '../../bench/lib/rollouts.ts';
import { dispersionFromHistory, kappaEstimate, versionIntervals } from '../../src/analysis/sequential/index.ts';
import { mulberry32 } from '../../src/analysis/sequential/rng.ts';

const world = (over: Partial<World>): World => ({
  baseRate: 0.05,
  totalRps: 2000,
  icc: 0,
  incidentsPerHour: 0,
  diurnal: 0.5,
  resetProbability: 0.01,
  gapProbability: 0.03,
  shareFactor: [0.7, 1.3],
  errorRatio: 1,
  p99Increase: 0,
  ...over,
});

const historyKappa = (w: World, seed: number): number => {
  const sim = new RolloutWorld(mulberry32(seed), w);
  return kappaEstimate(dispersionFromHistory(versionIntervals(sim.history.map((o) => o.stable), 'error-rate', undefined)));
};

test("the hour of stable scrapes before a rollout carries the world's burstiness (ICC), and none when errors are independent", () => {
  const kappas = [1, 2, 3, 4, 5].map((seed) => historyKappa(world({ icc: 0.01 }), seed));
  const mean = kappas.reduce((a, b) => a + b, 0) / kappas.length;
  expect(mean).toBeGreaterThan(0.006);
  expect(mean).toBeLessThan(0.015);
  expect(historyKappa(world({}), 1)).toBeLessThan(1e-4);
});

test('the canary gets the real share of traffic (weight × a per-rollout factor), and everything at 100 %', () => {
  const sim = new RolloutWorld(mulberry32(7), world({}));
  let canary = 0;
  let total = 0;
  for (let i = 0; i < 40; i++) {
    const o = sim.scrape(20);
    canary += o.canaryRequests;
    total += o.canaryRequests + o.stableRequests;
  }
  expect(canary / total).toBeCloseTo(0.2 * sim.shareFactor, 2);
  const full = sim.scrape(100);
  expect(full.stableRequests).toBe(0);
});

test('a default rollout promotes a healthy canary and rolls back a doubled error rate on the error-rate metric; the same seed gives the same rollout', () => {
  const config = defaultRolloutConfig();
  expect(config).toMatchObject({ steps: [1, 5, 20, 50, 100], stepTimeoutMs: 900_000, timeoutMs: 3_600_000 });
  const healthy = runRollout(world({}), 11, config);
  expect(healthy.decision).toBe('promote');
  expect(healthy.steps.map((s) => s.weight)).toEqual([1, 5, 20, 50, 100]);
  const regressed = runRollout(world({ errorRatio: 2 }), 12, config);
  expect(regressed).toMatchObject({ decision: 'rollback-fail', failedMetric: 'error-rate' });
  expect(runRollout(world({ errorRatio: 2 }), 12, config)).toEqual(regressed);
});
