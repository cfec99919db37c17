/**
 * The stable's own history before a rollout: for each sequential metric, the stable's counter
 * queries (requests, errors, latency buckets) run as range queries over the decision rule's lookback
 * with one point per analysis interval, each timestamp reduced to a sample exactly as a check's
 * instant answers are (sample.ts). The sequential judges learn from it how bursty the stable's
 * events are (JudgeContext.stableHistory, docs/sequential.md). A history that cannot be had (no
 * range queries on the provider, an error, no data, too few intervals) is logged and the rollout
 * runs without it: it never refuses or fails a rollout.
 */
import type { StableSample } from '../analysis/types.ts';
import { DEFAULT_DECISION_RULE } from '../analysis/decision-rule.ts';
import { MIN_HISTORY_INTERVALS, versionIntervals } from '../analysis/sequential/index.ts';
import { promDuration } from '../util/duration.ts';
import { errorMessage } from '../util/errors.ts';
import type { MetricPlan, VersionQueries } from './plan.ts';
import type { PrometheusProvider } from './prometheus.ts';
import type { MetricsProvider, SeriesValue } from './provider.ts';
import { reduceVersion, type VersionAnswers } from './sample.ts';

/** The stable's samples before the rollout, oldest first (what JudgeContext.stableHistory takes). */
export type StableHistory = readonly StableSample[];

export interface StableHistoryOptions {
  /** The end of the lookback (the rollout's start), ms epoch. */
  end: number;
  /** One point per analysis interval: the judge's intervals are the time between checks. */
  intervalMs: number;
  /** Default: the decision rule's historyMs. */
  lookbackMs?: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

type CountQuery = 'requests' | 'errors' | 'buckets';
const COUNT_QUERIES: readonly CountQuery[] = ['requests', 'errors', 'buckets'];

/** A metric whose judge is sequential and whose stable has counters to learn its burstiness from. */
function wantsHistory(plan: MetricPlan): plan is MetricPlan & { stable: VersionQueries } {
  return plan.metric.judge === 'sequential' && plan.stable?.requests !== undefined;
}

function canQueryRange(p: MetricsProvider): p is PrometheusProvider {
  return typeof (p as Partial<PrometheusProvider>).queryRange === 'function';
}

/** The stable's history per metric name, for the metrics that want one and could get it. */
export async function fetchStableHistories(plans: readonly MetricPlan[], opts: StableHistoryOptions): Promise<Map<string, StableHistory>> {
  const out = new Map<string, StableHistory>();
  await Promise.all(
    plans.filter(wantsHistory).map(async (plan) => {
      const history = await stableHistory(plan, opts);
      if (history) out.set(plan.metric.name, history);
    }),
  );
  return out;
}

async function stableHistory(plan: MetricPlan & { stable: VersionQueries }, opts: StableHistoryOptions): Promise<StableHistory | undefined> {
  const lookbackMs = opts.lookbackMs ?? DEFAULT_DECISION_RULE.historyMs;
  const span = `the last ${promDuration(lookbackMs)}`;
  const who = `metric ${plan.metric.name}: stable history from ${plan.provider.name}`;
  const without = 'running without it (the judge learns the burstiness from the stable during the rollout)';
  if (!canQueryRange(plan.provider)) {
    opts.log(`${who}: not available for a ${plan.provider.type} provider (no range queries of cumulative counts); ${without}`);
    return undefined;
  }
  try {
    const samples = await rangeSamples(plan, plan.provider, { ...opts, lookbackMs });
    if (!samples.some((s) => s.stable?.requests !== undefined)) {
      opts.log(`${who}: no data for the stable's requests over ${span}; ${without}`);
      return undefined;
    }
    // Consecutive samples with request counts (a reset or a gap breaks the chain), as the judge counts them.
    const intervals = versionIntervals(samples.map((s) => s.stable), 'error-rate', undefined).length;
    if (intervals < MIN_HISTORY_INTERVALS) {
      opts.log(`${who}: only ${intervals} intervals over ${span} (needs ${MIN_HISTORY_INTERVALS} of ${promDuration(opts.intervalMs)}); ${without}`);
      return undefined;
    }
    opts.log(`${who}: ${intervals} intervals over ${span} (burstiness learned from it)`);
    return samples;
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    opts.log(`${who}: could not be read (${errorMessage(err)}); ${without}`);
    return undefined;
  }
}

/** The stable's samples at each evaluation time of the range queries, oldest first. */
async function rangeSamples(
  plan: MetricPlan & { stable: VersionQueries },
  provider: PrometheusProvider,
  opts: StableHistoryOptions & { lookbackMs: number },
): Promise<StableSample[]> {
  const q = plan.stable;
  const stepMs = Math.max(1_000, opts.intervalMs);
  const wanted = COUNT_QUERIES.filter((k) => q[k] !== undefined);
  // One after the other (requests first): a provider that fails is not asked again, and nothing
  // is left running when the rollout goes on without the history.
  const answers: Awaited<ReturnType<PrometheusProvider['queryRange']>>[] = [];
  for (const k of wanted) {
    answers.push(await provider.queryRange({ query: q[k]!, start: opts.end - opts.lookbackMs, end: opts.end, stepMs, ...(opts.signal ? { signal: opts.signal } : {}) }));
  }
  // Per query, the series' values at each timestamp: one instant answer per evaluation time.
  const byTime = answers.map((a) => {
    const at = new Map<number, SeriesValue[]>();
    for (const s of a.series) {
      for (const [t, value] of s.values) {
        const key = Math.round(t);
        at.set(key, [...(at.get(key) ?? []), { labels: s.labels, value }]);
      }
    }
    return at;
  });
  const times = [...new Set(byTime.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return times.map((at) => {
    const answer: VersionAnswers = {};
    wanted.forEach((k, i) => {
      answer[k] = { series: byTime[i]!.get(at) ?? [], warnings: [] };
    });
    return { at, stable: reduceVersion(plan, q, answer) };
  });
}
