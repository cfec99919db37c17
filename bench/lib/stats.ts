/** Small statistics helpers for reporting benchmark figures with confidence intervals. */
import { normalQuantile } from '../../src/analysis/special/special.ts';

export interface Proportion {
  value: number;
  lower: number;
  upper: number;
  count: number;
  total: number;
}

/** Wilson score interval for a proportion (95 % by default). */
export function wilson(count: number, total: number, confidence = 0.95): Proportion {
  if (total === 0) return { value: NaN, lower: NaN, upper: NaN, count, total };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = count / total;
  const denom = 1 + (z * z) / total;
  const centre = (p + (z * z) / (2 * total)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))) / denom;
  return { value: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), count, total };
}

export interface MeanEstimate {
  mean: number;
  lower: number;
  upper: number;
  n: number;
}

/** Mean with a normal-approximation 95 % interval (NaN when empty). */
export function meanCi(values: readonly number[], confidence = 0.95): MeanEstimate {
  const n = values.length;
  if (n === 0) return { mean: NaN, lower: NaN, upper: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lower: NaN, upper: NaN, n };
  const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(variance / n);
  return { mean, lower: mean - half, upper: mean + half, n };
}
