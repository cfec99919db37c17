import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrometheusProvider, parseSampleValue } from '../../src/metrics/prometheus.ts';
import { MetricsProviderError } from '../../src/metrics/http.ts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

/** A scripted Prometheus: each request gets the next handler (the last one repeats). */
async function fakePrometheus(handlers: Handler[], tls?: { key: string; cert: string }) {
  const seen: Seen[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { path: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handlers[Math.min(seen.length - 1, handlers.length - 1)]!(s, res);
    });
  };
  const server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const vector = (...values: Array<[Record<string, string>, string]>) =>
  json(200, { status: 'success', data: { resultType: 'vector', result: values.map(([metric, v]) => ({ metric, value: [1700000000, v] })) } });

const noSleep = async (): Promise<void> => {};
const q = { query: 'up', at: 1_700_000_000_000, windowMs: 60_000 };

describe('Prometheus provider', () => {
  let server: Awaited<ReturnType<typeof fakePrometheus>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('instant query: string samples, NaN/Inf, POSTed form with the time', async () => {
    server = await fakePrometheus([vector([{ a: '1' }, '0.25'], [{ a: '2' }, 'NaN'], [{ a: '3' }, '+Inf'], [{ a: '4' }, '-Inf'])]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 1 });
    const r = await p.query(q);
    expect(r.series.map((s) => s.value)).toEqual([0.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(server.seen[0]!.path).toBe('/api/v1/query');
    expect(new URLSearchParams(server.seen[0]!.body).get('time')).toBe('1700000000.000');
    expect(new URLSearchParams(server.seen[0]!.body).get('query')).toBe('up');
  });

  test('scalar results and empty vectors', async () => {
    server = await fakePrometheus([
      json(200, { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }),
      vector(),
    ]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 1 });
    expect((await p.query(q)).series).toEqual([{ labels: {}, value: 42 }]);
    expect((await p.query(q)).series).toEqual([]);
  });

  test('a range selector result is refused with advice', async () => {
    server = await fakePrometheus([json(200, { status: 'success', data: { resultType: 'matrix', result: [] } })]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 3, sleep: noSleep });
    await expect(p.query(q)).rejects.toThrow(/matrix result; expected an instant vector or scalar/);
    expect(server.seen).toHaveLength(1);
  });

  test('warnings are logged, the result kept', async () => {
    server = await fakePrometheus([
      json(200, { status: 'success', warnings: ['PromQL info: metric might not be a counter'], data: { resultType: 'vector', result: [] } }),
    ]);
    const lines: string[] = [];
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 1, log: (l) => lines.push(l) });
    expect((await p.query(q)).warnings).toHaveLength(1);
    expect(lines.join()).toMatch(/warning for query: PromQL info/);
  });

  test.each([
    [400, 'bad_data', 'parse error at char 5: unexpected "}"'],
    [422, 'execution', 'many-to-many matching not allowed'],
  ])('HTTP %i is not retried and names the error', async (status, errorType, error) => {
    server = await fakePrometheus([json(status, { status: 'error', errorType, error })]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 3, sleep: noSleep });
    const err = await p.query(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricsProviderError);
    expect((err as MetricsProviderError).reason).toBe('metrics-unavailable');
    expect((err as Error).message).toContain(`HTTP ${status} (${errorType}: ${error}). Fix the query`);
    expect(server.seen).toHaveLength(1);
  });

  test('status: error inside HTTP 200 is an error', async () => {
    server = await fakePrometheus([json(200, { status: 'error', errorType: 'internal', error: 'boom' })]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 1 });
    await expect(p.query(q)).rejects.toThrow(/query failed \(internal: boom\)/);
  });

  test('HTTP 503 is retried with backoff, then succeeds', async () => {
    server = await fakePrometheus([
      json(503, { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }),
      json(503, { status: 'error', errorType: 'timeout', error: 'query timed out' }),
      vector([{}, '7']),
    ]);
    const delays: number[] = [];
    const p = createPrometheusProvider({
      address: server.url,
      timeoutMs: 1000,
      attempts: 3,
      baseDelayMs: 100,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect((await p.query(q)).series[0]!.value).toBe(7);
    expect(delays).toHaveLength(2);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
  });

  test('a server that stays down: bounded attempts, then a clear error', async () => {
    server = await fakePrometheus([json(503, { status: 'error', errorType: 'unavailable', error: 'down' })]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 4, sleep: noSleep });
    await expect(p.query(q)).rejects.toThrow(/prometheus: HTTP 503 \(unavailable: down\)/);
    expect(server.seen).toHaveLength(4);
  });

  test('a hung server times out per attempt', async () => {
    server = await fakePrometheus([() => undefined]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 200, attempts: 2, sleep: noSleep });
    const t0 = Date.now();
    await expect(p.query(q)).rejects.toThrow(/no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(server.seen).toHaveLength(2);
  });

  test('bearer token and extra headers are sent; the token never appears in errors', async () => {
    const token = 's3cr3t-token-value';
    server = await fakePrometheus([
      (req, res) => json(401, { status: 'error', errorType: 'auth', error: `bad token ${req.headers.authorization}` })(req, res),
    ]);
    const p = createPrometheusProvider({
      address: server.url,
      timeoutMs: 1000,
      attempts: 1,
      bearerToken: token,
      headers: { 'X-Scope-OrgID': 'team-a' },
    });
    const err = (await p.query(q).catch((e: unknown) => e)) as Error;
    expect(server.seen[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.seen[0]!.headers['x-scope-orgid']).toBe('team-a');
    expect(err.message).toMatch(/HTTP 401.*Check the provider credentials/);
    expect(err.message).not.toContain(token);
    expect(err.message).toContain('***');
  });

  test('basic auth, also from user:password@ in the address (which is then not printed)', async () => {
    server = await fakePrometheus([vector([{}, '1'])]);
    const withCreds = server.url.replace('http://', 'http://alice:pa55word@');
    const p = createPrometheusProvider({ address: withCreds, timeoutMs: 1000, attempts: 1 });
    await p.query(q);
    expect(server.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa55word').toString('base64')}`);
  });

  test('query_range returns matrices with ms timestamps', async () => {
    server = await fakePrometheus([
      json(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [[1700000000, '1'], [1700000010, 'NaN']] }] } }),
    ]);
    const p = createPrometheusProvider({ address: server.url, timeoutMs: 1000, attempts: 1 });
    const r = await p.queryRange({ query: 'up', start: 1_700_000_000_000, end: 1_700_000_010_000, stepMs: 10_000 });
    expect(r.series[0]!.values).toEqual([[1_700_000_000_000, 1], [1_700_000_010_000, Number.NaN]]);
    expect(server.seen[0]!.path).toBe('/api/v1/query_range');
    expect(new URLSearchParams(server.seen[0]!.body).get('step')).toBe('10s');
  });

  test('parseSampleValue', () => {
    expect(parseSampleValue('1e3')).toBe(1000);
    expect(parseSampleValue('')).toBeNaN();
    expect(parseSampleValue(undefined)).toBeNaN();
  });

  describe('TLS', () => {
    let dir: string;
    let key: string;
    let cert: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'canary-gate-tls-'));
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      ], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('verification is on by default, a custom CA or skip-verify gets through', async () => {
      server = await fakePrometheus([vector([{}, '1'])], { key, cert });
      const base = { address: server.url, timeoutMs: 2000, attempts: 1 };
      const strict = createPrometheusProvider(base);
      await expect(strict.query(q)).rejects.toThrow(/cannot reach https:\/\/127\.0\.0\.1:\d+: fetch failed: .*(self.signed|certificate)/i);
      const withCa = createPrometheusProvider({ ...base, tls: { caFile: join(dir, 'cert.pem') } });
      expect((await withCa.query(q)).series[0]!.value).toBe(1);
      const skip = createPrometheusProvider({ ...base, tls: { insecureSkipVerify: true } });
      expect((await skip.query(q)).series[0]!.value).toBe(1);
      await Promise.all([strict.close(), withCa.close(), skip.close()]);
    });
  });
});
