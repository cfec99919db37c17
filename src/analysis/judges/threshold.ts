import { formatValue } from '../../util/format.ts';
import type { Judge, JudgeResult, MetricObservation, VersionSample } from '../types.ts';

/** Value of a sample when it has usable data; NaN / missing is "no data". ±Infinity is data. */
export function sampleValue(sample: VersionSample | undefined): number | undefined {
  const v = sample?.value;
  return v === undefined || Number.isNaN(v) ? undefined : v;
}


export interface ThresholdOptions {
  min?: number;
  max?: number;
  /** Unit appended to numbers in explanations (e.g. "%", "ms"). */
  unit?: string;
}

function describeThreshold(opts: ThresholdOptions): string {
  const u = opts.unit ?? '';
  const parts: string[] = [];
  if (opts.min !== undefined) parts.push(`>= ${formatValue(opts.min, u)}`);
  if (opts.max !== undefined) parts.push(`<= ${formatValue(opts.max, u)}`);
  return parts.join(' and ');
}

/**
 * Holds the canary's latest value to a fixed range. Only the latest observation matters: each
 * check's query already covers its own window.
 */
export function createThresholdJudge(opts: ThresholdOptions): Judge {
  if (opts.min === undefined && opts.max === undefined) {
    throw new Error('threshold judge needs min or max');
  }
  const threshold = describeThreshold(opts);
  const u = opts.unit ?? '';
  return (history: readonly MetricObservation[]): JudgeResult => {
    const last = history.at(-1);
    const canary = sampleValue(last?.canary);
    const stable = sampleValue(last?.stable);
    const base = { canaryValue: canary, stableValue: stable, threshold };
    if (canary === undefined) {
      return { ...base, verdict: 'inconclusive', explanation: `canary returned no data (threshold ${threshold})` };
    }
    if (opts.min !== undefined && !(canary >= opts.min)) {
      return {
        ...base,
        verdict: 'fail',
        explanation: `canary ${formatValue(canary, u)} is below the minimum ${formatValue(opts.min, u)}`,
      };
    }
    if (opts.max !== undefined && !(canary <= opts.max)) {
      return {
        ...base,
        verdict: 'fail',
        explanation: `canary ${formatValue(canary, u)} is above the maximum ${formatValue(opts.max, u)}`,
      };
    }
    return { ...base, verdict: 'pass', explanation: `canary ${formatValue(canary, u)} is within ${threshold}` };
  };
}
