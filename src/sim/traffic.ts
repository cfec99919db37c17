/**
 * Traffic generator for the simulator: produces requests per second split by the current canary
 * weight, with per-version error rate and latency distribution changeable at run time, and serves
 * cumulative counters in Prometheus text format on 127.0.0.1 as each data plane exports them
 * (metric-families.ts, from the table in docs/metrics.md).
 *
 * Counts are drawn per tick from a seeded PRNG (Poisson / binomial / multinomial approximations)
 * instead of simulating each request, in real time: Prometheus scrapes real time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../util/random.ts';
import { renderDataPlaneMetrics, type EmittedDataPlane } from './metric-families.ts';

export interface VersionScenario {
  /** Fraction of requests that fail with 5xx, 0..1. */
  errorRate: number;
  /** Log-normal latency given by its median and 99th percentile. */
  latencyMs: { p50: number; p99: number };
}

export interface TrafficScenario {
  canary: VersionScenario;
  stable: VersionScenario;
}

export interface TrafficGeneratorOptions {
  /** Current canary weight in percent (read every tick). */
  weightSource: () => number | Promise<number>;
  namespace: string;
  stable: string;
  canary: string;
  /** Ingress name for the nginx family (default: the stable workload's name). */
  ingress?: string;
  /** Services each version's requests are sent to (default <stable>-stable / <stable>-canary, as the Service-backed routers name them). */
  stableService?: string;
  canaryService?: string;
  /** HTTPRoute name (Envoy Gateway's cluster stat name; default the stable workload's name). */
  httpRoute?: string;
  servicePort?: number;
  /** Pods per version (default stable 2, canary 1). */
  pods?: { stable: number; canary: number };
  /** The data planes whose metrics to serve (default all of them). */
  dataPlanes?: readonly EmittedDataPlane[];
  rps: number;
  scenario: TrafficScenario;
  tickMs?: number;
  seed?: number;
  /** How much per-tick history to keep for the Datadog stand-in (default 10 min). */
  historyMs?: number;
  now?: () => number;
}

/** Cumulative counts of one version since the generator started. */
export interface VersionCounters {
  requests: number;
  errors: number;
  /** Cumulative histogram counts for each of LATENCY_BOUNDS_MS, then +Inf. */
  buckets: number[];
  sumMs: number;
}

export interface TrafficSnapshot {
  at: number;
  canary: VersionCounters;
  stable: VersionCounters;
}

export interface TrafficGenerator {
  /** http://127.0.0.1:port/metrics */
  readonly url: string;
  /** host:port, as a Prometheus scrape target. */
  readonly target: string;
  setScenario(s: Partial<{ canary: Partial<VersionScenario>; stable: Partial<VersionScenario> }>): void;
  totals(): TrafficSnapshot;
  /** Snapshots after every tick, oldest first, within historyMs. */
  history(): readonly TrafficSnapshot[];
  readonly namespace: string;
  readonly stable: string;
  readonly canary: string;
  /** Runs one tick now (tests). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function poisson(lambda: number, rand: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= rand();
    } while (p > l);
    return k - 1;
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rand)));
}

export function binomial(n: number, p: number, rand: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 40) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rand() < p) k++;
    return k;
  }
  const mean = n * p;
  if (mean < 10) return Math.min(n, poisson(mean, rand));
  if (n * (1 - p) < 10) return n - Math.min(n, poisson(n * (1 - p), rand));
  const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(rand));
  return Math.min(n, Math.max(0, x));
}

// Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
function erf(x: number): number {
  const s = Math.sign(x);
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return s * y;
}

/** P(latency <= x) for a log-normal with the given median and p99. */
export function latencyCdf(x: number, l: VersionScenario['latencyMs']): number {
  if (x <= 0) return 0;
  const mu = Math.log(l.p50);
  const sigma = Math.max(1e-6, (Math.log(Math.max(l.p99, l.p50)) - mu) / 2.3263478740408408);
  return 0.5 * (1 + erf((Math.log(x) - mu) / (sigma * Math.SQRT2)));
}

function emptyCounters(): VersionCounters {
  return { requests: 0, errors: 0, buckets: new Array(LATENCY_BOUNDS_MS.length + 1).fill(0), sumMs: 0 };
}

function cloneCounters(c: VersionCounters): VersionCounters {
  return { requests: c.requests, errors: c.errors, buckets: [...c.buckets], sumMs: c.sumMs };
}

/** Adds n requests of a version to its counters, drawing errors and latencies. */
function addRequests(c: VersionCounters, n: number, s: VersionScenario, rand: () => number): void {
  if (n <= 0) return;
  c.requests += n;
  c.errors += binomial(n, s.errorRate, rand);
  // Multinomial over the buckets as a chain of conditional binomials.
  let remaining = n;
  let prevCdf = 0;
  let cumulative = 0;
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    const cdf = latencyCdf(LATENCY_BOUNDS_MS[i]!, s.latencyMs);
    const p = prevCdf >= 1 ? 0 : (cdf - prevCdf) / (1 - prevCdf);
    const k = binomial(remaining, Math.min(1, Math.max(0, p)), rand);
    remaining -= k;
    cumulative += k;
    c.buckets[i]! += cumulative;
    prevCdf = cdf;
  }
  c.buckets[LATENCY_BOUNDS_MS.length]! += n;
  const sigma = (Math.log(Math.max(s.latencyMs.p99, s.latencyMs.p50)) - Math.log(s.latencyMs.p50)) / 2.3263478740408408;
  c.sumMs += n * s.latencyMs.p50 * Math.exp((sigma * sigma) / 2);
}

export async function startTrafficGenerator(opts: TrafficGeneratorOptions): Promise<TrafficGenerator> {
  const now = opts.now ?? Date.now;
  const rng = mulberry32(opts.seed ?? 1);
  const rand = (): number => rng.next();
  const tickMs = opts.tickMs ?? 100;
  const historyMs = opts.historyMs ?? 600_000;
  const shape = {
    namespace: opts.namespace,
    stable: opts.stable,
    canary: opts.canary,
    stableService: opts.stableService ?? `${opts.stable}-stable`,
    canaryService: opts.canaryService ?? `${opts.stable}-canary`,
    ingress: opts.ingress ?? opts.stable,
    httpRoute: opts.httpRoute ?? opts.stable,
    servicePort: opts.servicePort ?? 80,
    ...(opts.pods ? { pods: opts.pods } : {}),
    ...(opts.dataPlanes ? { dataPlanes: opts.dataPlanes } : {}),
  };
  const scenario: TrafficScenario = {
    canary: { ...opts.scenario.canary, latencyMs: { ...opts.scenario.canary.latencyMs } },
    stable: { ...opts.scenario.stable, latencyMs: { ...opts.scenario.stable.latencyMs } },
  };
  const counters = { canary: emptyCounters(), stable: emptyCounters() };
  const snapshots: TrafficSnapshot[] = [];
  let last = now();
  let ticking: Promise<void> | undefined;
  let stopped = false;

  const snapshot = (): TrafficSnapshot => ({ at: last, canary: cloneCounters(counters.canary), stable: cloneCounters(counters.stable) });
  snapshots.push(snapshot());

  async function runTick(): Promise<void> {
    let weight = Number(await opts.weightSource());
    if (!Number.isFinite(weight)) weight = 0;
    weight = Math.min(100, Math.max(0, weight));
    const t = now();
    const dt = Math.max(0, t - last);
    last = t;
    const total = poisson((opts.rps * dt) / 1000, rand);
    const toCanary = binomial(total, weight / 100, rand);
    addRequests(counters.canary, toCanary, scenario.canary, rand);
    addRequests(counters.stable, total - toCanary, scenario.stable, rand);
    snapshots.push(snapshot());
    while (snapshots.length > 2 && snapshots[0]!.at < t - historyMs) snapshots.shift();
  }

  const tick = (): Promise<void> => {
    // Ticks never overlap: a slow weight source delays the next one.
    ticking ??= runTick().finally(() => {
      ticking = undefined;
    });
    return ticking;
  };

  const timer = setInterval(() => {
    if (!stopped) tick().catch(() => undefined);
  }, tickMs);

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderDataPlaneMetrics(shape, snapshot()));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: the traffic generator serves GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/metrics`,
    target: `127.0.0.1:${port}`,
    namespace: opts.namespace,
    stable: opts.stable,
    canary: opts.canary,
    setScenario(s) {
      for (const role of ['canary', 'stable'] as const) {
        const patch = s[role];
        if (!patch) continue;
        scenario[role] = {
          errorRate: patch.errorRate ?? scenario[role].errorRate,
          latencyMs: { ...scenario[role].latencyMs, ...(patch.latencyMs ?? {}) },
        };
      }
    },
    totals: snapshot,
    history: () => snapshots,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking?.catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
