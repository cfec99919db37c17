import {
  addCountInterval,
  createRatioGrid,
  emptyRatioEvidence,
  halfNormalMixturePrior,
  logEValueAbove,
  ratioConfidenceSequence,
  intervalDispersion,
  cappedLogEValue,
  dispersionFromHistory,
  kappaEstimate,
  type CountInterval,
} from '../../../src/analysis/sequential/index.ts';
import { binomial, deriveSeed, mulberry32, type RandomSource } from '../../../src/analysis/sequential/rng.ts';
import { normalQuantile } from '../../../src/analysis/special/special.ts';

const grid = createRatioGrid();
const prior = halfNormalMixturePrior(grid);

/** Binomial counts per interval: canary nc at pc, stable ns at ps. */
function interval(rng: RandomSource, nc: number, pc: number, ns: number, ps: number): CountInterval {
  return { canaryTrials: nc, canaryEvents: binomial(rng, nc, pc), stableTrials: ns, stableEvents: binomial(rng, ns, ps) };
}

/** Upper limit for an observed proportion whose true value is at most `p` (z = 3, one-sided). */
const upperLimit = (p: number, runs: number) => p + 3 * Math.sqrt((p * (1 - p)) / runs);

describe('mixture likelihood-ratio e-process', () => {
  test('A/A streams checked after every interval keep false alarms at or below α (2,000 runs)', () => {
    const alpha = 0.05;
    const runs = 2000;
    let alarms = 0;
    let naiveAlarms = 0;
    const z = normalQuantile(1 - alpha);
    for (let r = 0; r < runs; r++) {
      const rng = mulberry32(deriveSeed(1, r));
      const ev = emptyRatioEvidence(grid);
      let alarmed = false;
      let naive = false;
      for (let t = 0; t < 40; t++) {
        // Traffic level and share change over time; the test must not care.
        const nc = 30 + (t % 7) * 10;
        const ns = 150 + (t % 5) * 40;
        addCountInterval(ev, interval(rng, nc, 0.03, ns, 0.03));
        if (!alarmed && logEValueAbove(ev, grid.center, prior) >= Math.log(1 / alpha)) alarmed = true;
        // The fixed-level z-test repeated at every look, for contrast (what Kayenta-style re-testing does).
        const pc = ev.canaryEvents / ev.canaryTrials;
        const ps = ev.stableEvents / ev.stableTrials;
        const pool = (ev.canaryEvents + ev.stableEvents) / (ev.canaryTrials + ev.stableTrials);
        const se = Math.sqrt(pool * (1 - pool) * (1 / ev.canaryTrials + 1 / ev.stableTrials));
        if (se > 0 && (pc - ps) / se > z) naive = true;
      }
      if (alarmed) alarms++;
      if (naive) naiveAlarms++;
    }
    expect(alarms / runs).toBeLessThanOrEqual(upperLimit(alpha, runs));
    // The repeated fixed-level test is far above its level on the same streams.
    expect(naiveAlarms / runs).toBeGreaterThan(2 * alpha);
  });

  test('detects 1 % → 5 % within a few hundred canary requests', () => {
    const exposures: number[] = [];
    for (let r = 0; r < 100; r++) {
      const rng = mulberry32(deriveSeed(2, r));
      const ev = emptyRatioEvidence(grid);
      for (let t = 0; t < 100; t++) {
        addCountInterval(ev, interval(rng, 50, 0.05, 450, 0.01));
        if (logEValueAbove(ev, grid.center, prior) >= Math.log(100)) break;
      }
      exposures.push(ev.canaryTrials);
    }
    exposures.sort((a, b) => a - b);
    expect(exposures[49]!).toBeLessThanOrEqual(500); // median
    expect(exposures[94]!).toBeLessThanOrEqual(1000); // 95th percentile
  });

  test('a shared incident (both versions ×10 errors for a spell) does not trigger', () => {
    const alpha = 0.05;
    const runs = 500;
    let alarms = 0;
    for (let r = 0; r < runs; r++) {
      const rng = mulberry32(deriveSeed(3, r));
      const ev = emptyRatioEvidence(grid);
      for (let t = 0; t < 40; t++) {
        const p = t >= 10 && t < 20 ? 0.1 : 0.01;
        addCountInterval(ev, interval(rng, 100, p, 900, p));
        if (logEValueAbove(ev, grid.center, prior) >= Math.log(1 / alpha)) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / runs).toBeLessThanOrEqual(upperLimit(alpha, runs));
  });

  test('confidence sequence covers the true ratio and narrows with data', () => {
    const rng = mulberry32(99);
    const ev = emptyRatioEvidence(grid);
    for (let t = 0; t < 200; t++) addCountInterval(ev, interval(rng, 500, 0.02, 500, 0.01));
    const cs = ratioConfidenceSequence(ev, prior, 0.05, 0.05);
    expect(cs.lower).toBeLessThan(2);
    expect(cs.upper).toBeGreaterThan(2);
    expect(cs.upper / cs.lower).toBeLessThan(1.4);
  });

  test('zero-traffic and zero-event intervals leave the evidence unchanged', () => {
    const rng = mulberry32(5);
    const a = emptyRatioEvidence(grid);
    const b = emptyRatioEvidence(grid);
    for (let t = 0; t < 20; t++) {
      const iv = interval(rng, 100, 0.03, 300, 0.01);
      addCountInterval(a, iv);
      addCountInterval(b, iv);
      addCountInterval(b, { canaryTrials: 0, canaryEvents: 0, stableTrials: 0, stableEvents: 0 });
      addCountInterval(b, { canaryTrials: 0, canaryEvents: 0, stableTrials: 50, stableEvents: 2 });
    }
    expect(logEValueAbove(b, grid.center, prior)).toBeCloseTo(logEValueAbove(a, grid.center, prior), 10);
  });
});

describe('robust variant (evidence tempered by the estimated dispersion)', () => {
  /**
   * Each version has 5 pods; one pod per version flaps to 5× errors in short spells (about a third
   * of the scrapes, independently per version): on average the versions are equal, but the
   * counts are overdispersed.
   */
  function flappingInterval(rng: RandomSource, p: number): CountInterval {
    const rate = () => p * (rng.next() < 0.35 ? (4 + 5) / 5 : 1); // 4 healthy pods + one at 5×
    return interval(rng, 400, rate(), 400, rate());
  }

  test('keeps false alarms at or below α where the binomial e-process does not', () => {
    const alpha = 0.05;
    const runs = 400;
    let robustAlarms = 0;
    let binomialAlarms = 0;
    for (let r = 0; r < runs; r++) {
      const rng = mulberry32(deriveSeed(4, r));
      const plain = emptyRatioEvidence(grid);
      const tempered = emptyRatioEvidence(grid, { tempered: true });
      let rAl = false;
      let bAl = false;
      for (let t = 0; t < 60; t++) {
        const iv = flappingInterval(rng, 0.02);
        addCountInterval(plain, iv);
        addCountInterval(tempered, iv);
        if (!bAl && logEValueAbove(plain, grid.center, prior) >= Math.log(1 / alpha)) bAl = true;
        if (!rAl && logEValueAbove(tempered, grid.center, prior) >= Math.log(1 / alpha)) rAl = true;
      }
      if (rAl) robustAlarms++;
      if (bAl) binomialAlarms++;
    }
    expect(robustAlarms / runs).toBeLessThanOrEqual(upperLimit(alpha, runs));
    expect(binomialAlarms).toBeGreaterThan(robustAlarms);
  });

  test('the dispersion factor of an interval depends only on the intervals before it', () => {
    const rng = mulberry32(9);
    const ivs = Array.from({ length: 30 }, () => flappingInterval(rng, 0.02));
    const a = emptyRatioEvidence(grid, { tempered: true });
    const b = emptyRatioEvidence(grid, { tempered: true });
    for (const iv of ivs.slice(0, 20)) addCountInterval(a, iv);
    for (const iv of ivs.slice(0, 20)) addCountInterval(b, iv);
    const next = ivs[20]!;
    // Whatever the next interval's counts, its factor is the same (predictable).
    expect(intervalDispersion(a.dispersion, next)).toBe(intervalDispersion(b.dispersion, { ...next, canaryEvents: 0, stableEvents: 300 }));
    expect(intervalDispersion(a.dispersion, next)).toBeGreaterThanOrEqual(1);
  });

  test('still detects 1 % → 5 %', () => {
    let detected = 0;
    for (let r = 0; r < 50; r++) {
      const rng = mulberry32(deriveSeed(6, r));
      const ev = emptyRatioEvidence(grid, { tempered: true });
      for (let t = 0; t < 60; t++) {
        addCountInterval(ev, interval(rng, 100, 0.05, 900, 0.01));
        if (logEValueAbove(ev, grid.center, prior) >= Math.log(100)) {
          detected++;
          break;
        }
      }
    }
    expect(detected).toBeGreaterThanOrEqual(48);
  });
});

describe("dispersion learned from the stable's history", () => {
  /** The stable alone: n requests per interval at a rate that is p·(1 ± δ) with equal odds (ICC p δ² / (1 − p)). */
  function stableInterval(rng: RandomSource, n: number, p: number, delta: number): { trials: number; events: number } {
    const rate = p * (rng.next() < 0.5 ? 1 - delta : 1 + delta);
    return { trials: n, events: binomial(rng, n, rate) };
  }

  test('κ is recovered from an hour of intervals, and is ~0 for independent errors', () => {
    const p = 0.02;
    const delta = 0.5;
    const kappa = (p * delta * delta) / (1 - p);
    const rng = mulberry32(21);
    const bursty = Array.from({ length: 120 }, () => stableInterval(rng, 5000, p, delta));
    const clean = Array.from({ length: 120 }, () => stableInterval(rng, 5000, p, 0));
    expect(kappaEstimate(dispersionFromHistory(bursty))).toBeGreaterThan(0.6 * kappa);
    expect(kappaEstimate(dispersionFromHistory(bursty))).toBeLessThan(1.5 * kappa);
    expect(kappaEstimate(dispersionFromHistory(clean))).toBeLessThan(0.05 * kappa);
  });

  test('a slow drift of the rate (diurnal load) is not taken for burstiness', () => {
    const rng = mulberry32(22);
    const n = 5000;
    // Independent errors whose rate climbs from 1 % to 2 % over the hour.
    const drifting = Array.from({ length: 120 }, (_, j) => ({ trials: n, events: binomial(rng, n, 0.01 + (0.01 * j) / 119) }));
    const rates = drifting.map((iv) => iv.events / n);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const pooled = drifting.reduce((a, iv) => a + iv.events, 0) / (n * drifting.length);
    // What the levels' variance would call burstiness: ~8e-6 / p(1−p) ≈ 5e-4.
    const levelKappa = (rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (rates.length - 1) - pooled * (1 - pooled) / n) / (pooled * (1 - pooled));
    expect(levelKappa).toBeGreaterThan(3e-4);
    expect(kappaEstimate(dispersionFromHistory(drifting))).toBeLessThan(5e-5);
  });

  test('with the κ of the history, bursty A/A streams keep false alarms at or below α; untempered they do not', () => {
    const alpha = 0.05;
    const runs = 400;
    const p = 0.02;
    const delta = 0.6;
    let temperedAlarms = 0;
    let plainAlarms = 0;
    for (let r = 0; r < runs; r++) {
      const rng = mulberry32(deriveSeed(23, r));
      const history = Array.from({ length: 120 }, () => stableInterval(rng, 2000, p, delta));
      const plain = emptyRatioEvidence(grid);
      const tempered = emptyRatioEvidence(grid, { tempered: true, dispersion: dispersionFromHistory(history) });
      let tAl = false;
      let pAl = false;
      for (let t = 0; t < 120; t++) {
        const c = stableInterval(rng, 200, p, delta);
        const s = stableInterval(rng, 1800, p, delta);
        const iv = { canaryTrials: c.trials, canaryEvents: c.events, stableTrials: s.trials, stableEvents: s.events };
        addCountInterval(plain, iv);
        addCountInterval(tempered, iv);
        pAl ||= logEValueAbove(plain, grid.center, prior) >= Math.log(1 / alpha);
        tAl ||= logEValueAbove(tempered, grid.center, prior) >= Math.log(1 / alpha);
      }
      if (tAl) temperedAlarms++;
      if (pAl) plainAlarms++;
    }
    expect(temperedAlarms / runs).toBeLessThanOrEqual(upperLimit(alpha, runs));
    expect(plainAlarms / runs).toBeGreaterThan(upperLimit(alpha, runs));
  });

  test("only the stable's counts move the estimate: a regressed canary cannot make its evidence look like noise", () => {
    const start = dispersionFromHistory(Array.from({ length: 60 }, (_, j) => ({ trials: 1000, events: 10 + (j % 3) })));
    const a = emptyRatioEvidence(grid, { tempered: true, dispersion: start });
    const b = emptyRatioEvidence(grid, { tempered: true, dispersion: start });
    addCountInterval(a, { canaryTrials: 100, canaryEvents: 1, stableTrials: 900, stableEvents: 9 });
    addCountInterval(b, { canaryTrials: 100, canaryEvents: 60, stableTrials: 900, stableEvents: 9 });
    expect(kappaEstimate(a.dispersion)).toBe(kappaEstimate(b.dispersion));
  });
});

describe('capped evidence (one interval adds at most e^cap)', () => {
  test('is never above the uncapped e-value, and one burst cannot roll back alone', () => {
    const rng = mulberry32(21);
    const capped = emptyRatioEvidence(grid, { cap: 1 });
    const plain = emptyRatioEvidence(grid);
    for (let t = 0; t < 20; t++) {
      const iv = interval(rng, 200, 0.01, 1800, 0.01);
      addCountInterval(capped, iv);
      addCountInterval(plain, iv);
      expect(cappedLogEValue(capped, prior)).toBeLessThanOrEqual(logEValueAbove(plain, grid.center, prior) + 1e-9);
    }
    // An incident fails 150 of the canary's 200 requests in one interval.
    const burst = { canaryTrials: 200, canaryEvents: 150, stableTrials: 1800, stableEvents: 18 };
    addCountInterval(capped, burst);
    addCountInterval(plain, burst);
    expect(logEValueAbove(plain, grid.center, prior)).toBeGreaterThan(Math.log(1e6));
    expect(cappedLogEValue(capped, prior)).toBeLessThan(Math.log(100));
  });

  test('keeps false alarms at or below α with incident bursts where the uncapped e-process does not', () => {
    const alpha = 0.01;
    const runs = 300;
    let cappedAlarms = 0;
    let plainAlarms = 0;
    for (let r = 0; r < runs; r++) {
      const rng = mulberry32(deriveSeed(22, r));
      const capped = emptyRatioEvidence(grid, { cap: 1 });
      const plain = emptyRatioEvidence(grid);
      let c = false;
      let p = false;
      for (let t = 0; t < 120; t++) {
        const iv = interval(rng, 500, 0.01, 4500, 0.01);
        // Incidents (about one an hour at 30 s intervals) fail 10–200 requests of the version they
        // hit, chosen by request share: per request both versions see the same errors.
        if (rng.next() < 1 / 120) {
          const size = 10 + Math.floor(rng.next() * 191);
          if (rng.next() < 0.1) iv.canaryEvents = Math.min(iv.canaryTrials, iv.canaryEvents + size);
          else iv.stableEvents = Math.min(iv.stableTrials, iv.stableEvents + size);
        }
        addCountInterval(capped, iv);
        addCountInterval(plain, iv);
        if (!c && cappedLogEValue(capped, prior) >= Math.log(1 / alpha)) c = true;
        if (!p && logEValueAbove(plain, grid.center, prior) >= Math.log(1 / alpha)) p = true;
      }
      if (c) cappedAlarms++;
      if (p) plainAlarms++;
    }
    expect(cappedAlarms / runs).toBeLessThanOrEqual(upperLimit(alpha, runs));
    expect(plainAlarms).toBeGreaterThan(cappedAlarms);
  });

  test('still detects 1 % → 3 %, after at least ln(1/α)/cap intervals', () => {
    let detected = 0;
    let earliest = Infinity;
    for (let r = 0; r < 40; r++) {
      const rng = mulberry32(deriveSeed(23, r));
      const ev = emptyRatioEvidence(grid, { cap: 1 });
      for (let t = 1; t <= 40; t++) {
        addCountInterval(ev, interval(rng, 500, 0.03, 4500, 0.01));
        if (cappedLogEValue(ev, prior) >= Math.log(100)) {
          detected++;
          earliest = Math.min(earliest, t);
          break;
        }
      }
    }
    expect(detected).toBe(40);
    expect(earliest).toBeGreaterThanOrEqual(Math.ceil(Math.log(100) / 1));
  });
});
