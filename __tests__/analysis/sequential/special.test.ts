import { erf, erfc, klBernoulli, logGamma, logSumExp, normalCdf, normalQuantile } from '../../../src/analysis/special/special.ts';

// Reference values from high-precision tables (R: pnorm/qnorm/lgamma; Abramowitz & Stegun).
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('normal distribution', () => {
  test.each([
    [0, 0.5],
    [1.96, 0.9750021048517795],
    [-1, 0.15865525393145707],
    [-2.4, 0.008197535924596131],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160527e-24],
    [3, 0.9986501019683699],
  ])('Φ(%p)', (z, expected) => {
    expect(rel(normalCdf(z), expected)).toBeLessThan(1e-12);
  });

  test.each([
    [0.975, 1.959963984540054],
    [0.01, -2.326347874040841],
    [0.3, -0.5244005127080407],
    [0.99, 2.326347874040841],
    [1e-10, -6.361340902404056],
    [0.5, 0],
  ])('Φ⁻¹(%p)', (p, expected) => {
    expect(Math.abs(normalQuantile(p) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });

  test('quantile inverts the CDF across the range and handles edges', () => {
    for (const p of [1e-300, 1e-50, 1e-5, 0.02, 0.02425, 0.1, 0.49, 0.7, 0.97575, 0.999999]) {
      expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-11);
    }
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });

  test('erf/erfc', () => {
    expect(rel(erf(0.5), 0.5204998778130465)).toBeLessThan(1e-13);
    expect(rel(erf(2.6), 0.9997639655834707)).toBeLessThan(1e-13);
    expect(rel(erfc(3), 2.209049699858544e-5)).toBeLessThan(1e-12);
    expect(rel(erfc(-1), 1.8427007929497148)).toBeLessThan(1e-13);
    expect(erf(-0.3)).toBeCloseTo(-erf(0.3), 15);
  });
});

describe('log-gamma and helpers', () => {
  test.each([
    [0.5, 0.5723649429247001],
    [1, 0],
    [2, 0],
    [10, 12.801827480081469],
    [100, 359.1342053695754],
    [0.1, 2.252712651734206],
    [1e-8, 18.420680738180209],
  ])('ln Γ(%p)', (x, expected) => {
    expect(Math.abs(logGamma(x) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });

  test('logSumExp is stable for large and empty inputs', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-Infinity, 0])).toBe(0);
    expect(logSumExp([])).toBe(-Infinity);
  });

  test('Bernoulli KL matches the worked figure in the issue (1 % → 1.5 %)', () => {
    const kl = klBernoulli(0.015, 0.01);
    expect(kl).toBeCloseTo(0.0010946, 6);
    // d(1−β‖α)/KL with α = 0.05, β = 0.2 ≈ 1,742 canary requests.
    const d = klBernoulli(0.8, 0.05);
    expect(Math.round(d / kl)).toBeGreaterThanOrEqual(1740);
    expect(Math.round(d / kl)).toBeLessThanOrEqual(1743);
    expect(klBernoulli(0.3, 0.3)).toBe(0);
  });
});
