import type { Judge, JudgeResult, MetricObservation } from '../types.ts';
import { formatNumber, formatValue } from '../../util/format.ts';
import { sampleValue } from './threshold.ts';

export interface RelativeOptions {
  /** 'lower-is-better' (latency, error rate) or 'higher-is-better' (success rate). */
  direction: 'lower-is-better' | 'higher-is-better';
  /** Allowed relative change, e.g. 0.2 for "canary <= stable x 1.2". */
  maxIncrease?: number;
  /** Allowed absolute change in the metric's unit, e.g. 0.5 for "error rate <= stable + 0.5 pp". */
  maxIncreaseAbs?: number;
  unit?: string;
}

/** The bound the canary is held to, given the stable value. */
export function relativeBound(stable: number, opts: RelativeOptions): number {
  const ratio = opts.maxIncrease ?? 0;
  const abs = opts.maxIncreaseAbs ?? 0;
  return opts.direction === 'lower-is-better'
    ? stable * (1 + ratio) + abs
    : stable * (1 - ratio) - abs;
}

function describeRelative(opts: RelativeOptions, stable?: number): string {
  const op = opts.direction === 'lower-is-better' ? '<=' : '>=';
  const sign = opts.direction === 'lower-is-better' ? '+' : '-';
  const u = opts.unit ?? '';
  const parts: string[] = [];
  if (opts.maxIncrease !== undefined || opts.maxIncreaseAbs === undefined) {
    const factor = opts.direction === 'lower-is-better' ? 1 + (opts.maxIncrease ?? 0) : 1 - (opts.maxIncrease ?? 0);
    parts.push(`${formatNumber(factor)} x stable`);
  } else {
    parts.push('stable');
  }
  if (opts.maxIncreaseAbs !== undefined) parts.push(`${sign} ${formatValue(opts.maxIncreaseAbs, u)}`);
  const bound = stable === undefined ? '' : ` (${formatValue(relativeBound(stable, opts), u)})`;
  return `${op} ${parts.join(' ')}${bound}`;
}

/**
 * Canary against the stable baseline over the same window. Both values must be present: without a
 * baseline there is nothing to compare, so the verdict is inconclusive, never pass.
 */
export function createRelativeJudge(opts: RelativeOptions): Judge {
  const u = opts.unit ?? '';
  return (history: readonly MetricObservation[]): JudgeResult => {
    const last = history.at(-1);
    const canary = sampleValue(last?.canary);
    const stable = sampleValue(last?.stable);
    const threshold = describeRelative(opts, stable !== undefined && Number.isFinite(stable) ? stable : undefined);
    const base = { canaryValue: canary, stableValue: stable, threshold };
    if (canary === undefined) {
      return { ...base, verdict: 'inconclusive', explanation: 'canary returned no data' };
    }
    if (stable === undefined || !Number.isFinite(stable)) {
      return {
        ...base,
        verdict: 'inconclusive',
        explanation: `stable baseline returned ${formatNumber(stable, 'no data')}; canary ${formatValue(canary, u)} cannot be compared`,
      };
    }
    const bound = relativeBound(stable, opts);
    const ok = opts.direction === 'lower-is-better' ? canary <= bound : canary >= bound;
    const cmp = `canary ${formatValue(canary, u)} vs stable ${formatValue(stable, u)}, bound ${formatValue(bound, u)}`;
    return ok
      ? { ...base, verdict: 'pass', explanation: `${cmp}: within` }
      : {
          ...base,
          verdict: 'fail',
          explanation: `${cmp}: canary is ${opts.direction === 'lower-is-better' ? 'above' : 'below'} the bound`,
        };
  };
}
