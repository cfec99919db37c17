import {
  createSequentialJudge,
  splitAlpha,
  addCountInterval,
  createRatioGrid,
  emptyRatioEvidence,
  emptyDispersion,
  NO_PRIOR,
  extractIntervals,
  halfNormalMixturePrior,
  logEValueAbove,
} from '../../../src/analysis/sequential/index.ts';
import type { MetricObservation } from '../../../src/analysis/types.ts';
import { deriveSeed, mulberry32 } from '../../../src/analysis/sequential/rng.ts';
import {
  bucketProbabilities,
  lognormalCdf,
  lognormalQuantile,
  simulateHistory,
  tailStretchedCdf,
  type IntervalPlan,
} from '../../../bench/lib/sim.ts';
import { InputError } from '../../../src/util/errors.ts';

const plan = (n: number, p: Partial<IntervalPlan> = {}): IntervalPlan[] =>
  Array.from({ length: n }, () => ({ canaryRequests: 100, stableRequests: 900, canaryErrorRate: 0.01, stableErrorRate: 0.01, ...p }));

/**
 * First prefix length at which the judge (called on the growing history, as the gate does) says
 * `verdict`, checking every `every`-th prefix.
 */
function firstVerdict(history: readonly MetricObservation[], judge: ReturnType<typeof createSequentialJudge>, verdict: string, every = 1): number {
  for (let i = 1; i <= history.length; i++) {
    if ((i % every === 0 || i === history.length) && judge(history.slice(0, i)).verdict === verdict) return i;
  }
  return -1;
}

describe('error-rate judge', () => {
  const judge = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5 });

  test('fails a 1 % → 5 % canary quickly and explains itself', () => {
    let detected = 0;
    for (let r = 0; r < 20; r++) {
      const history = simulateHistory(mulberry32(deriveSeed(10, r)), plan(30, { canaryErrorRate: 0.05 }));
      const at = firstVerdict(history, judge, 'fail');
      if (at > 0 && at <= 15) detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(19);
    const history = simulateHistory(mulberry32(1), plan(30, { canaryErrorRate: 0.05 }));
    const result = judge(history);
    expect(result.verdict).toBe('fail');
    expect(result.explanation).toMatch(/e-value/);
    expect(Number(result.details?.eValue)).toBeGreaterThanOrEqual(100);
    expect(Number(result.details?.ciLower)).toBeGreaterThan(1);
    expect(result.details?.canaryRequests).toBe(3000);
    expect(result.details?.stableRequests).toBe(27000);
    expect(typeof result.details?.canaryErrors).toBe('number');
  });

  test('advances a healthy canary once the step could have caught the configured increase, and says what it could detect', () => {
    const history = simulateHistory(mulberry32(2), plan(120, { canaryRequests: 1000, stableRequests: 1000, canaryErrorRate: 0.02, stableErrorRate: 0.02 }));
    const at = firstVerdict(history, judge, 'pass');
    expect(at).toBeGreaterThan(2);
    const passed = judge(history.slice(0, at));
    const before = judge(history.slice(0, at - 1));
    // The step advances exactly when its minimum detectable increase reaches the configured +50 %.
    expect(passed.power?.minDetectableIncrease).toBeLessThanOrEqual(0.5);
    expect(before.verdict).toBe('continue');
    expect(before.power?.minDetectableIncrease).toBeGreaterThan(0.5);
    expect(before.explanation).toMatch(/could only detect an increase of \+\d/);
    expect(passed.explanation).toMatch(/could detect an increase of \+\d[^;]*with 80% power/);
    expect(passed.power).toMatchObject({ kind: 'error-rate', power: 0.8, targetIncrease: 0.5 });
    expect(passed.power!.minDetectableIncreaseAbs).toBeCloseTo(passed.power!.baseRate! * passed.power!.minDetectableIncrease, 12);
    // More data, smaller detectable increase.
    expect(judge(history).power!.minDetectableIncrease).toBeLessThan(passed.power!.minDetectableIncrease);
  });

  test('a step with a smaller share of traffic than the last compared one advances on a proportionally larger target; the rollback test is unchanged', () => {
    // A 1 % step of a 1,5,20,50,100 rollout at 200 rps: 2 canary requests a second, 1 % errors.
    const history = simulateHistory(mulberry32(21), plan(10, { canaryRequests: 60, stableRequests: 5940, canaryErrorRate: 0.01, stableErrorRate: 0.01 }));
    const unscaled = judge(history);
    const scaled = judge(history, { targetScale: 50 });
    // Unscaled, this step could never prove what a 50 % step proves; scaled by 50/1 it advances.
    expect(unscaled.verdict).toBe('continue');
    expect(unscaled.explanation).toMatch(/could only detect an increase of \+\d[^;]*, needs \+50%$/);
    expect(scaled.verdict).toBe('pass');
    expect(scaled.power?.targetIncrease).toBeCloseTo(0.5 * 50, 9);
    expect(scaled.explanation).toMatch(/within its target \+2500% \(the configured \+50% × 50 for this step's smaller share of traffic\)/);
    // The rollback evidence does not depend on the scale: the same e-value either way.
    expect(scaled.details?.eValue).toBe(unscaled.details?.eValue);
    // A catastrophic canary at the same step still fails.
    const broken = simulateHistory(mulberry32(22), plan(10, { canaryRequests: 60, stableRequests: 5940, canaryErrorRate: 0.3, stableErrorRate: 0.01 }));
    expect(judge(broken, { targetScale: 50 }).verdict).toBe('fail');
  });

  test("a low base rate's scaled target beyond the grid's largest ratio is searched, not reported as undetectable", () => {
    // 0.01 % errors, a 1 % step at 200 rps scaled ×50: the target is +0.1 pp × 50 = ×501 the base
    // rate, past the grid's ×64; 480 canary requests would show such a canary's ~24 errors, not a ×64 one's 3.
    const history = simulateHistory(mulberry32(31), plan(8, { canaryRequests: 60, stableRequests: 5940, canaryErrorRate: 0.0001, stableErrorRate: 0.0001 }));
    const j = createSequentialJudge({ kind: 'error-rate', alpha: 0.005, allowedIncrease: 0.5, allowedIncreaseAbs: 0.001 });
    const r = j(history, { targetScale: 50 });
    expect(r.power!.targetIncrease).toBeGreaterThan(64);
    expect(Number.isFinite(r.power!.minDetectableIncrease)).toBe(true);
    expect(r.verdict).toBe('pass');
  });

  test("with the stable's history the evidence is tempered by the burstiness it shows; robust: false opts out; a short history is not used", () => {
    const j = (robust?: boolean) => createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, ...(robust !== undefined ? { robust } : {}) });
    const rng = mulberry32(41);
    // An hour of the stable alone, with errors in bursts (rate ×0.2 or ×1.8 per interval).
    const bursty = simulateHistory(
      rng,
      Array.from({ length: 120 }, () => ({ canaryRequests: 0, stableRequests: 3000, canaryErrorRate: 0, stableErrorRate: rng.next() < 0.5 ? 0.004 : 0.036 })),
    ).map(({ at, stable }) => ({ at, stable }));
    const step = simulateHistory(mulberry32(42), plan(20, { canaryRequests: 300, stableRequests: 2700, canaryErrorRate: 0.03, stableErrorRate: 0.02 }));
    const plain = j()(step);
    const tempered = j()(step, { stableHistory: bursty });
    expect(tempered.details!.method).toMatch(/tempered by the burstiness of the stable's last 120 intervals before the rollout and those since \(κ 0\.\d+\)/);
    expect(tempered.details!.logEValue as number).toBeLessThan((plain.details!.logEValue as number) / 5);
    expect(tempered.power!.minDetectableIncrease).toBeGreaterThan(plain.power!.minDetectableIncrease);
    // Opting out gives the untempered evidence; a short history is not used (the stable's own
    // intervals in the rollout are, as without history).
    const untempered = j(false)(step, { stableHistory: bursty });
    expect(untempered.details!.method).toBe('mixture likelihood ratio');
    expect(untempered.details!.logEValue as number).toBeGreaterThan(tempered.details!.logEValue as number);
    const short = j()(step, { stableHistory: bursty.slice(0, 20) });
    expect(short.details!.logEValue).toBe(plain.details!.logEValue);
    expect(short.details!.method).toMatch(/in this rollout \(κ [\d.]+\) \(the stable's history had 19 intervals, fewer than 30\)$/);
  });

  test('the minimum detectable increase is honest: a regression of that size is caught about 1 − β of the time', () => {
    // Healthy twin: the step's MDI after 40 intervals; then a canary regressed by exactly that.
    const p = plan(40, { canaryRequests: 300, stableRequests: 2700, canaryErrorRate: 0.01, stableErrorRate: 0.01 });
    const mdi = judge(simulateHistory(mulberry32(11), p)).power!.minDetectableIncrease;
    expect(mdi).toBeGreaterThan(0.2);
    expect(mdi).toBeLessThan(1);
    let caught = 0;
    const runs = 100;
    for (let r = 0; r < runs; r++) {
      const h = simulateHistory(mulberry32(deriveSeed(12, r)), plan(40, { canaryRequests: 300, stableRequests: 2700, canaryErrorRate: 0.01 * (1 + mdi), stableErrorRate: 0.01 }));
      if (judge(h).verdict === 'fail' || firstVerdict(h, judge, 'fail', 10) > 0) caught++;
    }
    // Target 80 %; the Poisson/normal approximation may be a little conservative, never far off.
    expect(caught / runs).toBeGreaterThan(0.7);
  });

  test('an absolute floor (allowedIncreaseAbs) sets the target at low base rates', () => {
    const floor = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, allowedIncreaseAbs: 0.001 });
    const low = simulateHistory(mulberry32(13), plan(60, { canaryRequests: 2000, stableRequests: 8000, canaryErrorRate: 0.0002, stableErrorRate: 0.0002 }));
    const r = floor(low);
    // 0.02 % + 0.1 pp is a ratio of about 6: far above +50 %.
    expect(r.power!.targetIncrease).toBeGreaterThan(3);
    expect(judge(low).power!.targetIncrease).toBe(0.5);
  });

  test('with an interval cap a step does not advance before the evidence could have crossed', () => {
    const capped = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, intervalCap: 1 });
    // Plenty of traffic: the uncapped power is reached after 1–2 intervals.
    const history = simulateHistory(mulberry32(16), plan(12, { canaryRequests: 50_000, stableRequests: 50_000, canaryErrorRate: 0.02, stableErrorRate: 0.02 }));
    expect(judge(history.slice(0, 3)).verdict).toBe('pass');
    const at = firstVerdict(history, capped, 'pass');
    // ceil(ln 100 / 1) = 5 intervals, i.e. 6 observations.
    expect(at).toBe(6);
    expect(capped(history.slice(0, 5)).explanation).toMatch(/needs 5 compared intervals in the step before advancing/);
  });

  test('never passes below minRequests', () => {
    const strict = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, minRequests: 1e9 });
    const history = simulateHistory(mulberry32(2), plan(120, { canaryRequests: 1000, stableRequests: 1000, canaryErrorRate: 0.02, stableErrorRate: 0.02 }));
    expect(strict(history).verdict).toBe('continue');
  });

  test('the judge computes the same e-value as the incremental machinery the benchmark uses', () => {
    const history = simulateHistory(mulberry32(3), plan(25, { canaryErrorRate: 0.02 }));
    const grid = createRatioGrid();
    // The default judge: tempered by the burstiness of the stable's intervals (none learned before them).
    const ev = emptyRatioEvidence(grid, { tempered: true, dispersion: emptyDispersion(NO_PRIOR) });
    for (const iv of extractIntervals(history, 'error-rate').intervals) addCountInterval(ev, iv);
    const expected = logEValueAbove(ev, grid.center, halfNormalMixturePrior(grid));
    expect(Number(judge(history).details?.logEValue)).toBeCloseTo(expected, 10);
  });

  test('a counter reset skips only the interval that spans it (full restart or one pod of a sum)', () => {
    const history = simulateHistory(mulberry32(4), plan(20, { canaryErrorRate: 0.03 }));
    const base = history[10]!.canary;
    // Full restart after observation 10: the canary's counters count again from 0.
    const restarted = history.map((o, i) => (i <= 10 ? o : { ...o, canary: { requests: o.canary.requests! - base.requests!, errors: o.canary.errors! - base.errors! } }));
    // One of several pods restarts: the summed counters drop by that pod's share (40 %) only.
    const partial = history.map((o, i) =>
      i <= 10 ? o : { ...o, canary: { requests: o.canary.requests! - Math.round(0.4 * base.requests!), errors: o.canary.errors! - Math.round(0.4 * base.errors!) } },
    );
    // Reference: the clean history without the interval that spans the drop (10 -> 11).
    const withoutSpan = history.map((o, i) => (i <= 10 ? o : { ...o, canary: { requests: o.canary.requests! - (history[11]!.canary.requests! - base.requests!), errors: o.canary.errors! - (history[11]!.canary.errors! - base.errors!) } }));
    const expected = judge(withoutSpan);
    for (const variant of [restarted, partial]) {
      const r = judge(variant);
      expect(r.details?.counterResets).toBe(1);
      expect(r.details?.canaryRequests).toBe(expected.details?.canaryRequests);
      expect(r.details?.canaryErrors).toBe(expected.details?.canaryErrors);
      expect(Number(r.details?.logEValue)).toBeCloseTo(Number(expected.details?.logEValue), 10);
    }
    // Never more canary requests than were really served.
    expect(Number(judge(partial).details?.canaryRequests)).toBeLessThan(history[20]!.canary.requests!);
  });

  test('intervals with zero requests change nothing; no traffic at all is not a pass', () => {
    const history = simulateHistory(mulberry32(5), plan(15, { canaryErrorRate: 0.03 }));
    const padded: MetricObservation[] = [];
    history.forEach((o, i) => {
      padded.push(o);
      padded.push({ ...o, at: o.at + 1 }); // a scrape in which nothing happened
      if (i === 5) padded.push({ at: o.at + 2, canary: o.canary }); // stable missing in one scrape
    });
    expect(Number(judge(padded).details?.logEValue)).toBeCloseTo(Number(judge(history).details?.logEValue), 10);
    const idle = Array.from({ length: 10 }, (_, i) => ({ at: i * 15000, canary: { requests: 0, errors: 0 }, stable: { requests: 0, errors: 0 } }));
    expect(['inconclusive', 'continue']).toContain(judge(idle).verdict);
  });

  test('issue 13: a frozen stable does not let canary errors count as evidence (the 100 % step bug)', () => {
    // Stable frozen (serves nothing), canary 200 requests with 2 errors: nothing to compare with.
    // Before the fix the canary's errors were added to the evidence before the interval was skipped
    // and this read `fail`, e-value 49.
    const frozen: MetricObservation[] = [
      { at: 0, canary: { requests: 0, errors: 0 }, stable: { requests: 5000, errors: 50 } },
      { at: 30_000, canary: { requests: 200, errors: 2 }, stable: { requests: 5000, errors: 50 } },
    ];
    const r = createSequentialJudge({ kind: 'error-rate', alpha: 0.05, allowedIncrease: 0.5 })(frozen);
    expect(r.verdict).not.toBe('fail');
    expect(Number(r.details?.eValue)).toBeLessThanOrEqual(1);
    // An informative interval afterwards is judged on its own counts only.
    const later = [...frozen, { at: 60_000, canary: { requests: 300, errors: 3 }, stable: { requests: 5900, errors: 59 } }];
    const alone = judge([
      { at: 0, canary: { requests: 0, errors: 0 }, stable: { requests: 0, errors: 0 } },
      { at: 30_000, canary: { requests: 100, errors: 1 }, stable: { requests: 900, errors: 9 } },
    ]);
    expect(Number(judge(later).details?.logEValue)).toBeCloseTo(Number(alone.details?.logEValue), 10);
  });

  test('no judge compares against nothing: a step where the stable serves no traffic passes on the earlier steps, or is inconclusive alone', () => {
    const earlier = simulateHistory(mulberry32(14), plan(10));
    const last = earlier.at(-1)!;
    // Weight 100 on a splitting router: the stable's counters stand still, the canary serves all.
    const full: MetricObservation[] = [0, 1, 2].map((i) => ({
      at: last.at + 30_000 * (i + 1),
      canary: { requests: last.canary.requests! + 1000 * i, errors: last.canary.errors! + 30 * i },
      stable: last.stable!,
    }));
    const withEarlier = judge(full, { earlierSteps: [earlier] });
    expect(withEarlier.verdict).toBe('pass');
    expect(withEarlier.explanation).toMatch(/stable serves no traffic at this weight, so nothing is compared in this step \(the earlier steps decided\)/);
    // 3 % canary errors at 100 % weight are not evidence: nothing to compare them with.
    expect(Number(withEarlier.details?.logEValue)).toBeCloseTo(Number(judge(earlier).details?.logEValue), 10);
    expect(withEarlier.details?.uncomparedCanaryRequests).toBe(2000);
    const alone = judge(full);
    expect(alone.verdict).toBe('inconclusive');
    expect(alone.explanation).toMatch(/no earlier step was compared/);
  });

  test('earlier steps carry their evidence into the rollout\'s e-value (one process per rollout)', () => {
    const steps = [0, 1, 2].map((k) => simulateHistory(mulberry32(deriveSeed(15, k)), plan(8, { canaryErrorRate: 0.02 }), { start: 1_700_000_000_000 + k * 600_000 }));
    const all = judge(steps[2]!, { earlierSteps: [steps[0]!, steps[1]!] });
    const evidence = emptyRatioEvidence(createRatioGrid(), { tempered: true, dispersion: emptyDispersion(NO_PRIOR) });
    for (const h of steps) for (const iv of extractIntervals(h, 'error-rate').intervals) addCountInterval(evidence, iv);
    expect(Number(all.details?.logEValue)).toBeCloseTo(logEValueAbove(evidence, evidence.grid.center, halfNormalMixturePrior(evidence.grid)), 10);
    expect(all.details?.steps).toBe(3);
    // The step's power counts this step's requests only.
    expect(all.details?.stepCanaryRequests).toBe(800);
  });

  test('missing stable data is inconclusive; burn-in ignores the warm-up', () => {
    const history = simulateHistory(mulberry32(6), plan(10));
    const noStable = history.map(({ at, canary }) => ({ at, canary }));
    expect(judge(noStable).verdict).toBe('inconclusive');
    expect(judge([]).verdict).toBe('inconclusive');
    // Canary at 20 % errors for the first minute (warm-up), then healthy.
    const warm = simulateHistory(mulberry32(7), [...plan(4, { canaryErrorRate: 0.2 }), ...plan(20)]);
    expect(judge(warm).verdict).toBe('fail');
    const withBurnIn = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, burnInMs: 60_000 });
    expect(withBurnIn(warm).verdict).not.toBe('fail');
    expect(withBurnIn(warm.slice(0, 3)).verdict).toBe('inconclusive');
  });

  test('robust variant also fails a clear regression', () => {
    const robust = createSequentialJudge({ kind: 'error-rate', alpha: 0.01, allowedIncrease: 0.5, robust: true });
    const history = simulateHistory(mulberry32(8), plan(40, { canaryErrorRate: 0.05 }));
    const r = robust(history);
    expect(r.verdict).toBe('fail');
    expect(r.details?.method).toMatch(/tempered/);
  });

  test('rejects invalid options with an InputError naming the field', () => {
    expect(() => createSequentialJudge({ kind: 'error-rate', alpha: 1.5, allowedIncrease: 0.2 })).toThrow(InputError);
    expect(() => createSequentialJudge({ kind: 'latency', alpha: 0.01, allowedIncrease: -1 })).toThrow(/allowedIncrease/);
  });
});

describe('latency judge', () => {
  const base = { median: 0.1, sigma: 0.5 };
  const stableProbs = bucketProbabilities(lognormalCdf(base));
  // Tail-only regression: above the stable's p95 latencies stretch so that p99 is 20 % higher.
  const p95 = lognormalQuantile(base, 1.6448536269514722);
  const p99 = lognormalQuantile(base, 2.3263478740408408);
  const stretch = (1.2 * p99 - p95) / (p99 - p95);
  const canaryProbs = bucketProbabilities(tailStretchedCdf(lognormalCdf(base), p95, stretch));
  const latencyPlan = (n: number, canary: number[]) =>
    plan(n, { canaryLatency: canary, stableLatency: stableProbs, canaryRequests: 200, stableRequests: 800 });
  const stablePrior: IntervalPlan = { ...plan(1)[0]!, stableRequests: 100_000, stableLatency: stableProbs };
  const judge = createSequentialJudge({ kind: 'latency', alpha: 0.01, allowedIncrease: 0.5, quantile: 0.99 });

  test('detects a +20 % p99 regression in the tail only', () => {
    let detected = 0;
    for (let r = 0; r < 20; r++) {
      const history = simulateHistory(mulberry32(deriveSeed(20, r)), latencyPlan(120, canaryProbs), { stablePrior });
      if (judge(history).verdict === 'fail') detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(18);
    const r = judge(simulateHistory(mulberry32(21), latencyPlan(120, canaryProbs), { stablePrior }));
    expect(r.details?.slowThreshold).toBe(0.3);
    expect(r.explanation).toMatch(/slow/);
  });

  test('does not fail an unchanged latency distribution', () => {
    let failed = 0;
    for (let r = 0; r < 40; r++) {
      const history = simulateHistory(mulberry32(deriveSeed(22, r)), latencyPlan(120, stableProbs), { stablePrior });
      if (firstVerdict(history, judge, 'fail', 8) > 0) failed++;
    }
    expect(failed).toBeLessThanOrEqual(2);
  });

  test('without enough stable history to place the threshold, it is inconclusive', () => {
    const history = simulateHistory(mulberry32(23), latencyPlan(2, stableProbs));
    expect(judge(history).verdict).toBe('inconclusive');
  });
});

test('splitAlpha is Bonferroni and validates its input', () => {
  expect(splitAlpha(0.01, 2)).toBeCloseTo(0.005, 15);
  expect(splitAlpha(0.05, 1)).toBe(0.05);
  expect(() => splitAlpha(0, 2)).toThrow(InputError);
  expect(() => splitAlpha(0.05, 0)).toThrow(InputError);
});
