/**
 * A local stand-in for the Datadog metrics API, fed by traffic generators. It follows the
 * documented shapes of v1 `GET /api/v1/query?from&to&query` (series[].pointlist [[ms, value]]) and
 * v2 `POST /api/v2/query/timeseries` (data.attributes.series/times/values, formulas), checks
 * DD-API-KEY / DD-APPLICATION-KEY (403 `{"errors":["Forbidden"]}`) and can answer 429 with
 * X-RateLimit-Limit/Period/Remaining/Reset.
 *
 * Query language (a small honest subset):
 *   <aggr>:<metric>{tag:value,...}[.as_count()|.as_rate()]  combined with + - * / ( ) and numbers
 *   aggr: sum avg min max (counts), p50 p75 p90 p95 p99 avg (duration)
 *   metrics: trace.http.request.hits, trace.http.request.errors (counts per bucket, or per second
 *            with .as_rate()), trace.http.request.duration (seconds) and the latency distribution
 *            trace.http.request (p50..p99, seconds), as APM's trace metrics are named
 *            (docs.datadoghq.com/tracing/metrics/metrics_namespace: trace.<SPAN_NAME>.<SUFFIX>)
 *   tags: kube_namespace, kube_deployment, and the unified service tags service (the app: the stable
 *         Deployment's name for both versions) and version (each version's image tag); `*` matches
 *         anything.
 * Buckets are aligned to the interval; the newest one is still filling, as on the real service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TrafficGenerator, TrafficSnapshot, VersionCounters } from './traffic.ts';
import { LATENCY_BOUNDS_MS } from './traffic.ts';

export interface DatadogStandInOptions {
  generators: TrafficGenerator[];
  apiKey: string;
  applicationKey: string;
  /** Bucket width; default: the window / 30 rounded up to whole seconds (at least 1 s). */
  bucketMs?: number;
  /** The `version` tag of each version (unified service tagging: the image tag); default 1.0 / 2.0. */
  versions?: { stable: string; canary: string };
  /** The `service` tag of a generator's app (default its stable Deployment's name). */
  serviceOf?: (g: TrafficGenerator) => string;
  now?: () => number;
}

export interface DatadogStandIn {
  url: string;
  /** The next `count` query calls answer 429, saying the budget resets in `resetSec` seconds. */
  rateLimitNext(count: number, resetSec: number): void;
  /** Every query call received (after auth), for tests. */
  readonly calls: ReadonlyArray<{ at: number; path: string; status: number }>;
  stop(): Promise<void>;
}

class QueryError extends Error {}

interface MetricAtom {
  aggr: string;
  metric: string;
  tags: Array<[string, string]>;
  asRate: boolean;
}

type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'metric'; atom: MetricAtom }
  | { kind: 'neg'; e: Expr }
  | { kind: 'bin'; op: string; l: Expr; r: Expr };

const ATOM = /^(sum|avg|min|max|p50|p75|p90|p95|p99):([A-Za-z0-9_.]+)\{([^}]*)\}(?:\s+by\s+\{[^}]*\})?((?:\.[a-z_]+\([^)]*\))*)/;

function parseQuery(src: string): Expr {
  let pos = 0;
  const ws = (): void => {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
  };
  const expr = (): Expr => {
    let l = term();
    for (ws(); src[pos] === '+' || src[pos] === '-'; ws()) {
      const op = src[pos++]!;
      l = { kind: 'bin', op, l, r: term() };
    }
    return l;
  };
  const term = (): Expr => {
    let l = factor();
    for (ws(); src[pos] === '*' || src[pos] === '/'; ws()) {
      const op = src[pos++]!;
      l = { kind: 'bin', op, l, r: factor() };
    }
    return l;
  };
  const factor = (): Expr => {
    ws();
    const rest = src.slice(pos);
    if (rest.startsWith('(')) {
      pos++;
      const e = expr();
      ws();
      if (src[pos] !== ')') throw new QueryError(`expected ) at position ${pos} in ${JSON.stringify(src)}`);
      pos++;
      return e;
    }
    if (rest.startsWith('-')) {
      pos++;
      return { kind: 'neg', e: factor() };
    }
    const atom = ATOM.exec(rest);
    if (atom) {
      pos += atom[0].length;
      const tags = atom[3]!
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => {
          const i = t.indexOf(':');
          return (i < 0 ? [t, '*'] : [t.slice(0, i), t.slice(i + 1)]) as [string, string];
        });
      const fns = atom[4] ?? '';
      for (const fn of fns.match(/\.[a-z_]+/g) ?? []) {
        if (fn !== '.as_count' && fn !== '.as_rate') throw new QueryError(`function ${fn}() is not supported by the stand-in`);
      }
      return { kind: 'metric', atom: { aggr: atom[1]!, metric: atom[2]!, tags, asRate: fns.includes('.as_rate(') } };
    }
    const num = /^\d+(\.\d+)?/.exec(rest);
    if (num) {
      pos += num[0].length;
      return { kind: 'num', value: Number(num[0]) };
    }
    const name = /^[a-z][a-z0-9_]*/.exec(rest);
    if (name && !rest.slice(name[0].length).trimStart().startsWith(':')) {
      pos += name[0].length;
      return { kind: 'name', name: name[0] };
    }
    throw new QueryError(`Error parsing query: unexpected ${JSON.stringify(rest.slice(0, 20))} at position ${pos}`);
  };
  const e = expr();
  ws();
  if (pos !== src.length) throw new QueryError(`Error parsing query: unexpected ${JSON.stringify(src.slice(pos, pos + 20))}`);
  return e;
}

/** Counters of a version at time t: the last snapshot taken at or before t. */
function countersAt(history: readonly TrafficSnapshot[], role: 'canary' | 'stable', t: number): VersionCounters | undefined {
  let found: TrafficSnapshot | undefined;
  for (const s of history) {
    if (s.at <= t) found = s;
    else break;
  }
  return (found ?? history[0])?.[role];
}

function quantileMs(delta: number[], total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    const c = delta[i]!;
    if (c >= rank) {
      const b = LATENCY_BOUNDS_MS[i]!;
      return c === prevCount ? b : prevBound + ((b - prevBound) * (rank - prevCount)) / (c - prevCount);
    }
    prevBound = LATENCY_BOUNDS_MS[i]!;
    prevCount = c;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}

interface Bucket {
  start: number;
  end: number;
}

export async function startDatadogStandIn(opts: DatadogStandInOptions): Promise<DatadogStandIn> {
  const now = opts.now ?? Date.now;
  const calls: Array<{ at: number; path: string; status: number }> = [];
  let reject429 = 0;
  let resetSec = 1;
  const limit = 100;

  /** Value of one metric atom in one bucket; undefined when no version matches (no series). */
  function atomValue(a: MetricAtom, b: Bucket): number | null | undefined {
    const tag = (k: string): string | undefined => a.tags.find(([key]) => key === k)?.[1];
    const matches = (v: string | undefined, want: string): boolean => v === undefined || v === '*' || v === want;
    const values: Array<{ start: VersionCounters; end: VersionCounters }> = [];
    for (const g of opts.generators) {
      if (!matches(tag('kube_namespace'), g.namespace)) continue;
      for (const role of ['canary', 'stable'] as const) {
        const workload = role === 'canary' ? g.canary : g.stable;
        const version = (opts.versions ?? { stable: '1.0', canary: '2.0' })[role];
        if (!matches(tag('kube_deployment'), workload) || !matches(tag('service'), opts.serviceOf?.(g) ?? g.stable) || !matches(tag('version'), version)) continue;
        const h = g.history();
        const end = countersAt(h, role, Math.min(b.end, now()));
        const start = countersAt(h, role, b.start);
        if (!end || !start || end.requests === 0) continue;
        values.push({ start, end });
      }
    }
    for (const [k] of a.tags) {
      if (!['kube_namespace', 'kube_deployment', 'service', 'version', 'env'].includes(k)) return undefined;
    }
    if (values.length === 0) return undefined;
    const seconds = (b.end - b.start) / 1000;
    const hits = values.reduce((s, v) => s + v.end.requests - v.start.requests, 0);
    switch (a.metric) {
      case 'trace.http.request.hits':
      case 'trace.http.request.errors': {
        const n =
          a.metric === 'trace.http.request.hits' ? hits : values.reduce((s, v) => s + v.end.errors - v.start.errors, 0);
        return a.asRate ? n / seconds : n;
      }
      case 'trace.http.request':
      case 'trace.http.request.duration': {
        if (hits === 0) return null;
        if (a.aggr === 'avg') return values.reduce((s, v) => s + v.end.sumMs - v.start.sumMs, 0) / hits / 1000;
        const q = /^p(\d+)$/.exec(a.aggr);
        if (!q) throw new QueryError(`aggregator ${a.aggr} is not supported for trace.http.request.duration; use p50..p99 or avg`);
        const delta = LATENCY_BOUNDS_MS.map((_, i) => values.reduce((s, v) => s + v.end.buckets[i]! - v.start.buckets[i]!, 0));
        const ms = quantileMs(delta, hits, Number(q[1]) / 100);
        return ms === null ? null : ms / 1000;
      }
      default:
        return undefined;
    }
  }

  /** undefined: no series at all; null: series without a value in this bucket. */
  function evaluate(e: Expr, b: Bucket, env: Record<string, Expr>): number | null | undefined {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'name': {
        const sub = env[e.name];
        if (!sub) throw new QueryError(`formula refers to query "${e.name}", which is not among the queries`);
        return evaluate(sub, b, {});
      }
      case 'metric':
        return atomValue(e.atom, b);
      case 'neg': {
        const v = evaluate(e.e, b, env);
        return v === null || v === undefined ? v : -v;
      }
      case 'bin': {
        const l = evaluate(e.l, b, env);
        const r = evaluate(e.r, b, env);
        if (l === undefined || r === undefined) return undefined;
        if (l === null || r === null) return null;
        switch (e.op) {
          case '+':
            return l + r;
          case '-':
            return l - r;
          case '*':
            return l * r;
          default:
            return r === 0 ? null : l / r;
        }
      }
    }
  }

  function buckets(from: number, to: number, intervalMs?: number): { interval: number; list: Bucket[] } {
    const interval = intervalMs ?? opts.bucketMs ?? Math.max(1000, Math.ceil((to - from) / 30 / 1000) * 1000);
    const list: Bucket[] = [];
    for (let start = Math.floor(from / interval) * interval; start < to; start += interval) {
      list.push({ start, end: start + interval });
    }
    return { interval, list };
  }

  function series(expr: Expr, env: Record<string, Expr>, from: number, to: number, intervalMs?: number) {
    const { interval, list } = buckets(from, to, intervalMs);
    const values = list.map((b) => evaluate(expr, b, env));
    if (values.every((v) => v === undefined)) return undefined;
    return { interval, times: list.map((b) => b.start), values: values.map((v) => (v === undefined ? null : v)) };
  }

  function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...extra });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isV1 = req.method === 'GET' && url.pathname === '/api/v1/query';
    const isV2 = req.method === 'POST' && url.pathname === '/api/v2/query/timeseries';
    if (!isV1 && !isV2) return send(res, 404, { errors: ['Not found'] });
    if (req.headers['dd-api-key'] !== opts.apiKey || req.headers['dd-application-key'] !== opts.applicationKey) {
      return send(res, 403, { errors: ['Forbidden'] });
    }
    const record = (status: number): void => {
      calls.push({ at: now(), path: url.pathname, status });
    };
    if (reject429 > 0) {
      reject429--;
      record(429);
      return send(res, 429, { errors: ['Too many requests'] }, {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Period': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(resetSec),
      });
    }
    const rl = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': String(limit - 1), 'X-RateLimit-Reset': '60' };
    try {
      if (isV1) {
        const from = Number(url.searchParams.get('from')) * 1000;
        const to = Number(url.searchParams.get('to')) * 1000;
        const query = url.searchParams.get('query') ?? '';
        if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to || !query) {
          throw new QueryError('from, to (seconds, from < to) and query are required');
        }
        const s = series(parseQuery(query), {}, from, to);
        record(200);
        return send(res, 200, {
          status: 'ok',
          res_type: 'time_series',
          query,
          from_date: from,
          to_date: to,
          series: s
            ? [
                {
                  metric: query,
                  display_name: query,
                  expression: query,
                  scope: query.match(/\{([^}]*)\}/)?.[1] ?? '*',
                  tag_set: [],
                  interval: s.interval / 1000,
                  length: s.times.length,
                  start: s.times[0],
                  end: (s.times.at(-1) ?? from) + s.interval - 1,
                  pointlist: s.times.map((t, i) => [t, s.values[i]]),
                  aggr: query.split(':')[0],
                  unit: null,
                },
              ]
            : [],
        }, rl);
      }
      const body = JSON.parse(await readBody(req)) as {
        data?: { type?: string; attributes?: { from?: number; to?: number; interval?: number; queries?: Array<{ name?: string; query?: string; data_source?: string }>; formulas?: Array<{ formula?: string }> } };
      };
      const attrs = body.data?.attributes;
      if (body.data?.type !== 'timeseries_request' || !attrs || typeof attrs.from !== 'number' || typeof attrs.to !== 'number' || !attrs.queries?.length) {
        throw new QueryError('expected data.type "timeseries_request" with attributes.from, attributes.to (ms) and attributes.queries');
      }
      const env: Record<string, Expr> = {};
      for (const q of attrs.queries) {
        if (q.data_source !== 'metrics' || !q.name || !q.query) throw new QueryError('each query needs data_source "metrics", a name and a query');
        env[q.name] = parseQuery(q.query);
      }
      const formulas = attrs.formulas?.length ? attrs.formulas.map((f) => parseQuery(f.formula ?? '')) : attrs.queries.map((q) => ({ kind: 'name', name: q.name! }) as Expr);
      const out = formulas.map((f) => series(f, env, attrs.from!, attrs.to!, attrs.interval));
      const { list } = buckets(attrs.from, attrs.to, attrs.interval);
      const present = out.map((s, i) => ({ s, i })).filter((x) => x.s !== undefined);
      record(200);
      return send(res, 200, {
        data: {
          type: 'timeseries_response',
          id: '0',
          attributes: {
            series: present.map(({ i }) => ({ group_tags: [], query_index: i, unit: null })),
            times: list.map((b) => b.start),
            values: present.map(({ s }) => s!.values),
          },
        },
      }, rl);
    } catch (err) {
      if (err instanceof QueryError || err instanceof SyntaxError) {
        record(400);
        return send(res, 400, { errors: [err.message] });
      }
      throw err;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { errors: [String(err)] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    rateLimitNext(count, sec) {
      reject429 = count;
      resetSec = sec;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
