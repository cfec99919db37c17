import type { HttpClient, HttpClientOptions, HttpResponse } from './http.ts';
import { createHttpClient, MetricsProviderError, retryAfterMs } from './http.ts';
import type { InstantQuery, MetricsProvider, QueryResult, SeriesValue } from './provider.ts';
import { learnScrapeInterval, type ScrapeIntervalAnswer } from './scrape-interval.ts';

export interface PrometheusProviderOptions extends Omit<HttpClientOptions, 'provider' | 'headers' | 'secrets'> {
  name?: string;
  address: string;
  headers?: Record<string, string>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/** Prometheus sample values are strings: "1.5", "NaN", "+Inf", "-Inf". */
export function parseSampleValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return Number.NaN;
  switch (v) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      const n = Number(v);
      return v.trim() === '' ? Number.NaN : n;
    }
  }
}

interface PromBody {
  status?: string;
  errorType?: string;
  error?: string;
  warnings?: string[];
  data?: { resultType?: string; result?: unknown };
}

export interface RangeSeries {
  labels: Record<string, string>;
  values: Array<[number, number]>;
}

/**
 * Prometheus HTTP API (/api/v1/query, /api/v1/query_range). HTTP 400/422 (bad query, execution
 * error) are not retried; 429/5xx and transport errors are, with backoff.
 */
export type PrometheusProvider = MetricsProvider & {
  readonly type: 'prometheus';
  queryRange(q: { query: string; start: number; end: number; stepMs: number; signal?: AbortSignal }): Promise<{ series: RangeSeries[]; warnings: string[] }>;
  /** The scrape interval of the jobs that export these metrics (docs/metrics.md, "Windows"). */
  scrapeInterval(metricNames: readonly string[], signal?: AbortSignal): Promise<ScrapeIntervalAnswer>;
};

export function createPrometheusProvider(opts: PrometheusProviderOptions): PrometheusProvider {
  const name = opts.name ?? 'prometheus';
  let base = opts.address.replace(/\/+$/, '');
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const secrets: string[] = [];
  let basic = opts.basicAuth;
  // user:password@ in the address becomes basic auth, so it is never printed with the URL.
  const url = new URL(base);
  if (url.username) {
    basic = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    base = url.toString().replace(/\/+$/, '');
  }
  if (opts.bearerToken) {
    headers.authorization = `Bearer ${opts.bearerToken}`;
    secrets.push(opts.bearerToken);
  } else if (basic) {
    const token = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    headers.authorization = `Basic ${token}`;
    secrets.push(token);
    if (basic.password) secrets.push(basic.password);
  }
  const http: HttpClient = createHttpClient({ ...opts, provider: name, headers, secrets });

  const check = (res: HttpResponse): MetricsProviderError | undefined => {
    const body = res.json as PromBody | undefined;
    if (res.status >= 200 && res.status < 300 && body?.status === 'success') return undefined;
    const detail = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : res.text.slice(0, 300);
    if (res.status >= 200 && res.status < 300) {
      return new MetricsProviderError(name, `query failed (${detail})`, { status: res.status, retryable: false });
    }
    const retryable = res.status === 429 || res.status >= 500;
    const hint =
      res.status === 400 || res.status === 422
        ? ' Fix the query (run it in the Prometheus UI to see the same error).'
        : res.status === 401 || res.status === 403
          ? ' Check the provider credentials.'
          : '';
    return new MetricsProviderError(name, `HTTP ${res.status} (${detail}).${hint}`, {
      status: res.status,
      retryable,
      retryAfterMs: retryAfterMs(res.headers),
    });
  };

  async function call(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<PromBody> {
    const res = await http.request({
      url: `${base}${path}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // The server gives up too (instead of computing an answer nobody waits for).
      body: new URLSearchParams({ ...params, timeout: `${Math.max(1, Math.floor(opts.timeoutMs / 1000))}s` }).toString(),
      check,
      signal,
    });
    const body = res.json as PromBody;
    for (const w of body.warnings ?? []) opts.log?.(`${name}: warning for query: ${w}`);
    return body;
  }

  async function get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const qs = new URLSearchParams(params).toString();
    const res = await http.request({ url: `${base}${path}${qs ? `?${qs}` : ''}`, method: 'GET', check, ...(signal ? { signal } : {}) });
    return (res.json as PromBody).data;
  }

  return {
    name,
    type: 'prometheus',
    scrapeInterval: (metricNames, signal) => learnScrapeInterval((path, params) => get(path, params, signal), metricNames),
    async query(q: InstantQuery): Promise<QueryResult> {
      const body = await call('/api/v1/query', { query: q.query, time: (q.at / 1000).toFixed(3) }, q.signal);
      const data = body.data ?? {};
      const series: SeriesValue[] = [];
      switch (data.resultType) {
        case 'vector':
          for (const s of (data.result as Array<{ metric?: Record<string, string>; value?: [number, string] }>) ?? []) {
            series.push({ labels: s.metric ?? {}, value: parseSampleValue(s.value?.[1]) });
          }
          break;
        case 'scalar': {
          const v = data.result as [number, string] | undefined;
          series.push({ labels: {}, value: parseSampleValue(v?.[1]) });
          break;
        }
        default:
          throw new MetricsProviderError(
            name,
            `query returned a ${data.resultType ?? 'missing'} result; expected an instant vector or scalar (use rate()/increase() over [{{interval}}] rather than a range selector)`,
            { retryable: false },
          );
      }
      return { series, warnings: body.warnings ?? [] };
    },
    async queryRange(q) {
      const body = await call(
        '/api/v1/query_range',
        {
          query: q.query,
          start: (q.start / 1000).toFixed(3),
          end: (q.end / 1000).toFixed(3),
          step: `${q.stepMs / 1000}s`,
        },
        q.signal,
      );
      if (body.data?.resultType !== 'matrix') {
        throw new MetricsProviderError(name, `query_range returned ${body.data?.resultType ?? 'nothing'}; expected a matrix`, {
          retryable: false,
        });
      }
      const result = (body.data.result as Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }>) ?? [];
      return {
        series: result.map((s) => ({
          labels: s.metric ?? {},
          values: (s.values ?? []).map(([t, v]) => [t * 1000, parseSampleValue(v)] as [number, number]),
        })),
        warnings: body.warnings ?? [],
      };
    },
    close: () => http.close(),
  };
}
