/**
 * Sampling: runs a version's planned queries against its provider for one window and reduces the
 * answers to one sample (value, request and error counts, histogram buckets) for the judge.
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
  const sample: WindowedSample = {};
  const v = singleValue(value, plan, q.value);
  if (v !== undefined) sample.value = v;
  if (windowRequests) sample.windowRequests = singleValue(windowRequests, plan, q.windowRequests!) ?? 0;
  if (requests) {
    const n = singleValue(requests, plan, q.requests!);
    if (n !== undefined) sample.requests = n;
  }
  if (errors) sample.errors = singleValue(errors, plan, q.errors!) ?? 0;
  if (buckets) {
    const b = toBuckets(buckets, plan.histogramToMs);
    if (b) sample.buckets = b;
  }
  return sample;
}
