/**
 * Sampling: runs a version's planned queries against its provider for one window and reduces the
 * answers to one sample (value, request and error counts, histogram buckets) for the judge. The
 * stable's history before a rollout (stable-history.ts) goes through the same reduction.
 */
import type { HistogramBucket } from '../analysis/types.ts';
import type { WindowedSample } from '../analysis/judges/min-requests.ts';
import { MetricsProviderError } from './http.ts';
import type { MetricPlan, VersionQueries } from './plan.ts';
import type { InstantQuery, QueryResult } from './provider.ts';

function seriesDescription(r: QueryResult): string {
  return r.series
    .slice(0, 3)
    .map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`)
    .join(', ');
}

/** One number from a query: no series is no data; several need an aggregate. */
function singleValue(r: QueryResult, plan: MetricPlan, query: string): number | undefined {
  const values = r.series.map((s) => s.value).filter((v) => !Number.isNaN(v));
  if (r.series.length === 0 || values.length === 0) return undefined;
  if (r.series.length === 1) return values[0];
  const agg = plan.metric.aggregate;
  if (!agg) {
    throw new MetricsProviderError(
      plan.provider.name,
      `query for metric "${plan.metric.name}" returned ${r.series.length} series (${seriesDescription(r)}...), expected one: ` +
        `aggregate it in the query (e.g. sum(...)) or set aggregate: sum|avg|min|max|last on the metric. Query: ${query}`,
      { retryable: false },
    );
  }
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    default:
      return values.at(-1);
  }
}

function toBuckets(r: QueryResult, toMs: number): HistogramBucket[] | undefined {
  const buckets = r.series
    .filter((s) => s.labels.le !== undefined && !Number.isNaN(s.value))
    .map((s) => {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le) * toMs;
      return { le, count: s.value };
    })
    .sort((a, b) => a.le - b.le);
  return buckets.length ? buckets : undefined;
}

/** A version's answers to its planned queries at one instant: an instant query's, or one timestamp of a range query's. */
export type VersionAnswers = { [K in keyof VersionQueries]?: QueryResult };

/**
 * The one reduction of a version's answers to a sample (instant checks and the stable's range
 * history alike): one value per query (several series need the metric's aggregate), histogram
 * buckets by `le`. A query without an answer leaves its field unset.
 */
export function reduceVersion(plan: MetricPlan, q: VersionQueries, a: VersionAnswers): WindowedSample {
  const sample: WindowedSample = {};
  if (a.value) {
    const v = singleValue(a.value, plan, q.value);
    if (v !== undefined) sample.value = v;
  }
  if (a.windowRequests) sample.windowRequests = singleValue(a.windowRequests, plan, q.windowRequests!) ?? 0;
  if (a.requests) {
    const n = singleValue(a.requests, plan, q.requests!);
    if (n !== undefined) sample.requests = n;
  }
  if (a.errors) sample.errors = singleValue(a.errors, plan, q.errors!) ?? 0;
  if (a.buckets) {
    const b = toBuckets(a.buckets, plan.histogramToMs);
    if (b) sample.buckets = b;
  }
  return sample;
}

export async function queryVersion(
  plan: MetricPlan,
  q: VersionQueries,
  sub: Record<string, string> | undefined,
  at: number,
  signal: AbortSignal | undefined,
): Promise<WindowedSample> {
  const base: Omit<InstantQuery, 'query'> = {
    at,
    windowMs: plan.windowMs,
    pointAggregate: plan.metric.aggregate,
    signal,
  };
  const run = (query: string, queries?: Record<string, string>): Promise<QueryResult> =>
    plan.provider.query({ ...base, query, queries });
  const [value, windowRequests, requests, errors, buckets] = await Promise.all([
    run(q.value, sub),
    q.windowRequests ? run(q.windowRequests) : undefined,
    q.requests ? run(q.requests) : undefined,
    q.errors ? run(q.errors) : undefined,
    q.buckets ? run(q.buckets) : undefined,
  ]);
  return reduceVersion(plan, q, { value, windowRequests, requests, errors, buckets });
}
