import type { HttpClientOptions, HttpResponse } from './http.ts';
import { createHttpClient, MetricsProviderError, retryAfterMs } from './http.ts';
import type { InstantQuery, MetricsProvider, QueryResult, SeriesValue } from './provider.ts';
import { sleep as defaultSleep } from '../util/retry.ts';

export interface DatadogProviderOptions extends Omit<HttpClientOptions, 'provider' | 'headers' | 'secrets'> {
  name?: string;
  /** datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com... */
  site?: string;
  /** Overrides the site's API URL. */
  address?: string;
  apiKey: string;
  applicationKey: string;
  api?: 'v1' | 'v2';
  headers?: Record<string, string>;
  now?: () => number;
}

export function datadogApiUrl(site: string): string {
  return `https://api.${site}`;
}

/** A point [ms, value|null] over buckets of `intervalMs`; the bucket starting at t covers [t, t+interval). */
export type Point = [number, number | null];

/**
 * Reduces a window's points to one value. The newest bucket is usually still filling (Datadog
 * returns it with partial counts; Flagger issue #1085 took it as the value and rolled back healthy
 * canaries), so only buckets that ended by `to` count.
 */
export function reducePoints(
  points: readonly Point[],
  intervalMs: number,
  to: number,
  aggregate: InstantQuery['pointAggregate'] = 'last',
): number {
  const complete = points
    .filter(([t, v]) => v !== null && Number.isFinite(v) && t + intervalMs <= to)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v as number);
  if (complete.length === 0) return Number.NaN;
  switch (aggregate) {
    case 'sum':
      return complete.reduce((a, b) => a + b, 0);
    case 'avg':
      return complete.reduce((a, b) => a + b, 0) / complete.length;
    case 'min':
      return Math.min(...complete);
    case 'max':
      return Math.max(...complete);
    default:
      return complete.at(-1)!;
  }
}

interface V1Body {
  status?: string;
  error?: string;
  errors?: string[];
  series?: Array<{ pointlist?: Point[]; interval?: number; scope?: string; tag_set?: string[]; expression?: string }>;
}

interface V2Body {
  errors?: string | string[];
  data?: {
    attributes?: {
      series?: Array<{ group_tags?: string[]; query_index?: number }>;
      times?: number[];
      values?: Array<Array<number | null>>;
    };
  };
}

/**
 * Datadog metrics: v1 GET /api/v1/query and v2 POST /api/v2/query/timeseries (formulas). Honours
 * X-RateLimit-Remaining/Reset: an exhausted budget or a 429 waits for the reset, it does not fail.
 */
export function createDatadogProvider(opts: DatadogProviderOptions): MetricsProvider {
  const name = opts.name ?? 'datadog';
  const base = (opts.address ?? datadogApiUrl(opts.site ?? 'datadoghq.com')).replace(/\/+$/, '');
  const api = opts.api ?? 'v2';
  const now = opts.now ?? Date.now;
  const doSleep = opts.sleep ?? defaultSleep;
  const headers = {
    ...(opts.headers ?? {}),
    'DD-API-KEY': opts.apiKey,
    'DD-APPLICATION-KEY': opts.applicationKey,
  };
  const http = createHttpClient({
    ...opts,
    provider: name,
    headers,
    secrets: [opts.apiKey, opts.applicationKey],
    maxDelayMs: opts.maxDelayMs ?? 15_000,
  });
  // Per provider instance, never module state: when the last answer said the budget is spent.
  let blockedUntil = 0;

  const check = (res: HttpResponse): MetricsProviderError | undefined => {
    const remaining = res.headers.get('x-ratelimit-remaining');
    const reset = retryAfterMs(res.headers);
    if (remaining !== null && Number(remaining) <= 0 && reset !== undefined) blockedUntil = now() + reset;
    if (res.status >= 200 && res.status < 300) {
      const body = res.json as V1Body | undefined;
      if (body?.status === 'error' || (body && typeof (body as V2Body).errors === 'string')) {
        const detail = body.error ?? (body as V2Body).errors;
        return new MetricsProviderError(name, `query failed: ${String(detail)}`, { status: res.status, retryable: false });
      }
      return undefined;
    }
    const body = res.json as { errors?: string[] } | undefined;
    const detail = body?.errors?.join('; ') ?? res.text.slice(0, 300);
    if (res.status === 429) {
      return new MetricsProviderError(name, `rate limited (HTTP 429: ${detail}); waited for the reset but the budget stayed empty`, {
        status: 429,
        retryable: true,
        retryAfterMs: reset ?? 1000,
      });
    }
    const hint =
      res.status === 403 || res.status === 401
        ? ' Check the API key (DD-API-KEY) and application key (DD-APPLICATION-KEY), and that the site matches your account.'
        : res.status === 400
          ? ' Fix the query (try it in a Datadog notebook).'
          : '';
    return new MetricsProviderError(name, `HTTP ${res.status} (${detail}).${hint}`, {
      status: res.status,
      retryable: res.status >= 500 || res.status === 408,
    });
  };

  async function waitForBudget(signal?: AbortSignal): Promise<void> {
    const wait = blockedUntil - now();
    if (wait > 0) {
      opts.log?.(`${name}: rate-limit budget spent; waiting ${Math.ceil(wait)} ms for the reset`);
      await doSleep(wait, signal);
    }
  }

  async function queryV1(q: InstantQuery): Promise<QueryResult> {
    const from = Math.floor((q.at - q.windowMs) / 1000);
    const to = Math.floor(q.at / 1000);
    const url = `${base}/api/v1/query?${new URLSearchParams({ from: String(from), to: String(to), query: q.query })}`;
    const res = await http.request({ url, method: 'GET', check, signal: q.signal });
    const body = res.json as V1Body;
    const series: SeriesValue[] = (body.series ?? []).map((s) => ({
      labels: Object.fromEntries((s.tag_set ?? []).map((t) => splitTag(t))),
      value: reducePoints(s.pointlist ?? [], (s.interval ?? 60) * 1000, to * 1000, q.pointAggregate),
    }));
    return { series, warnings: [] };
  }

  async function queryV2(q: InstantQuery): Promise<QueryResult> {
    const queries = q.queries ?? { a: q.query };
    const formula = q.queries ? q.query : 'a';
    const from = q.at - q.windowMs;
    const to = q.at;
    const body = {
      data: {
        type: 'timeseries_request',
        attributes: {
          from,
          to,
          queries: Object.entries(queries).map(([qname, query]) => ({ data_source: 'metrics', name: qname, query })),
          formulas: [{ formula }],
        },
      },
    };
    const res = await http.request({
      url: `${base}/api/v2/query/timeseries`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      check,
      signal: q.signal,
    });
    const attrs = (res.json as V2Body).data?.attributes ?? {};
    const times = attrs.times ?? [];
    // The bucket width is the spacing of the times; with a single bucket it cannot be known, so it
    // is taken as the whole window (that bucket is then complete only if it started at `from`).
    const interval = times.length >= 2 ? times[1]! - times[0]! : to - (times[0] ?? from);
    const series: SeriesValue[] = (attrs.series ?? []).map((s, i) => ({
      labels: Object.fromEntries((s.group_tags ?? []).map((t) => splitTag(t))),
      value: reducePoints(
        times.map((t, j) => [t, attrs.values?.[i]?.[j] ?? null] as Point),
        interval,
        to,
        q.pointAggregate,
      ),
    }));
    return { series, warnings: [] };
  }

  return {
    name,
    type: 'datadog',
    async query(q) {
      await waitForBudget(q.signal);
      return api === 'v1' ? queryV1(q) : queryV2(q);
    },
    close: () => http.close(),
  };
}

function splitTag(tag: string): [string, string] {
  const i = tag.indexOf(':');
  return i < 0 ? [tag, ''] : [tag.slice(0, i), tag.slice(i + 1)];
}
