/**
 * Runs the real Prometheus binary for tests and the demo: 127.0.0.1 on a free port, a generated
 * config and TSDB in a temp dir, short scrape intervals. Install it with scripts/install-prometheus.sh.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartPrometheusOptions {
  /** host:port targets to scrape at /metrics. */
  scrapeTargets: string[];
  scrapeIntervalMs?: number;
  /** Use an existing TSDB directory (e.g. backfilled with promtool); not removed on stop. */
  dataDir?: string;
  binary?: string;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export class PrometheusNotInstalledError extends Error {
  constructor(binary: string) {
    super(
      `the Prometheus binary "${binary}" was not found on PATH. Run scripts/install-prometheus.sh ` +
        '(as root, or with sudo) to install Debian\'s prometheus package, then re-run the tests.',
    );
    this.name = 'PrometheusNotInstalledError';
  }
}

export function prometheusInstalled(binary = 'prometheus'): boolean {
  const r = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function prometheusConfig(targets: readonly string[], intervalMs: number): string {
  const d = duration(intervalMs);
  return [
    'global:',
    `  scrape_interval: ${d}`,
    `  evaluation_interval: ${d}`,
    `  scrape_timeout: ${duration(Math.min(intervalMs, 10_000))}`,
    'scrape_configs:',
    '  - job_name: canary-gate-sim',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = opts.binary ?? 'prometheus';
  if (!prometheusInstalled(binary)) throw new PrometheusNotInstalledError(binary);
  const dir = await mkdtemp(join(tmpdir(), 'canary-gate-prom-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(opts.scrapeTargets, opts.scrapeIntervalMs ?? 1000));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stderr: string[] = [];
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${opts.dataDir ?? join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr.push(d);
    if (stderr.length > 50) stderr.shift();
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, opts.stopTimeoutMs ?? 5000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with code ${child.exitCode} before it was ready: ${stderr.join('').slice(-1000)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`prometheus did not become ready at ${url}/-/ready within ${opts.readyTimeoutMs ?? 20_000} ms: ${stderr.join('').slice(-1000)}`);
}

/** One sample of an instant query's vector result. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Polls an instant query until `ready(result)` holds or `timeoutMs` passes; answers whether it held.
 * Prometheus applies its scrape config a few seconds after start and scrapes each target at its own
 * offset, so a rate() over a fresh target is empty at first.
 */
export async function waitForQuery(url: string, query: string, ready: (result: PromSample[]) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json()) as { data?: { result?: PromSample[] } };
      if (ready(body.data?.result ?? [])) return true;
    } catch {
      // Not answering yet, or a slow answer: try again until the deadline.
    }
    await sleep(250);
  }
  return false;
}
