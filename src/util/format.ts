/**
 * The one rule for numbers people read (judge explanations, logs, the message output, the PR
 * comment, the job summary, Slack, the commit status): significant digits by magnitude, so
 * 90.60402684563759 reads "90.6" and 0.0031234 reads "0.003123", never a float's full expansion.
 *
 * - |v| >= 1000: a whole number ("1235", "48210"); from 1e6 on, three significant digits in
 *   exponent form ("1.23e6") so long tails cannot hide the magnitude.
 * - 1e-4 <= |v| < 1000: four significant digits, trailing zeros dropped ("99.95", "97", "120.5",
 *   "0.9994", "0.003123"): enough to tell a success rate of 99.86 (or 0.9986) from a threshold of
 *   99.9; below 1e-4, three significant digits in exponent form ("1.23e-5").
 *
 * Units: "%" sticks to the number ("97%"), every other unit is separated by a space ("120 ms").
 * A fraction (0..1) is shown as a percent only through formatPercentOfFraction, so a reader never
 * has to guess which one a number is.
 */

/** A finite number by the rule above; `undefined`/NaN give `missing` ("–" by default); ±∞ give "∞"/"-∞". */
export function formatNumber(v: number | undefined, missing = '–'): string {
  if (v === undefined || typeof v !== 'number' || Number.isNaN(v)) return missing;
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6) return exponent(v, 3);
  if (abs >= 1000) return String(Math.round(v));
  if (abs >= 1e-4) return String(Number(v.toPrecision(4)));
  return exponent(v, 3);
}

function exponent(v: number, digits: number): string {
  // "1.23e+6" -> "1.23e6": the plus sign adds nothing.
  const [mantissa, exp] = v.toExponential(digits - 1).split('e');
  return `${String(Number(mantissa))}e${Number(exp)}`;
}

/** A value with its unit: "97%", "120 ms", "3" (no unit). Missing values give `missing` without a unit. */
export function formatValue(v: number | undefined, unit = '', missing = '–'): string {
  const n = formatNumber(v, missing);
  if (v === undefined || Number.isNaN(v) || unit === '') return n;
  return unit === '%' ? `${n}%` : `${n} ${unit}`;
}

/** A fraction (0.2) as the percent people read ("20%"); `missing` when it is not a number. */
export function formatPercentOfFraction(fraction: number | undefined, missing = '–'): string {
  if (fraction === undefined || Number.isNaN(fraction)) return missing;
  return formatValue(fraction * 100, '%', missing);
}

/** A duration as "45s", "3m 05s", "2h 10m"; negative or non-finite values give "–". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
