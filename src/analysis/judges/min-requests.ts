import type { Judge, JudgeResult, MetricObservation, VersionSample } from '../types.ts';

/**
 * A sample that also knows how many requests its window saw (the built-in queries fill it).
 * `requests` in VersionSample is cumulative; this is the count inside the metric's window.
 */
export interface WindowedSample extends VersionSample {
  windowRequests?: number;
}

function windowRequests(sample: VersionSample | undefined): number | undefined {
  const w = (sample as WindowedSample | undefined)?.windowRequests;
  return w === undefined || Number.isNaN(w) ? undefined : w;
}

/**
 * Below `minRequests` in the window a metric says nothing: the verdict is inconclusive, never pass
 * and never fail (a 1-of-3 error ratio is noise). `versions` says whose traffic must reach the
 * minimum: only the canary for a threshold, both for a comparison.
 */
export function withMinRequests(judge: Judge, minRequests: number, versions: 'canary' | 'both'): Judge {
  return (history: readonly MetricObservation[]): JudgeResult => {
    const last = history.at(-1);
    const checks: Array<[string, VersionSample | undefined]> = [['canary', last?.canary]];
    if (versions === 'both') checks.push(['stable', last?.stable]);
    for (const [who, sample] of checks) {
      const n = windowRequests(sample);
      if (n === undefined || n < minRequests) {
        const inner = judge(history);
        return {
          ...inner,
          verdict: 'inconclusive',
          explanation: `${who} saw ${n === undefined ? 'no' : Math.round(n)} requests in the window, fewer than min-requests ${minRequests}`,
          details: { ...inner.details, [`${who}Requests`]: n === undefined ? 0 : Math.round(n), minRequests },
        };
      }
    }
    const inner = judge(history);
    const details: Record<string, number | string> = { ...inner.details };
    for (const [who, sample] of checks) details[`${who}Requests`] = Math.round(windowRequests(sample) ?? 0);
    return { ...inner, details };
  };
}
