/**
 * Overhead benchmark (issue 8): what Canary Gate itself costs, measured against the Kubernetes
 * simulator on 127.0.0.1. Prints figures; asserts nothing.
 *
 *   npm run bench:overhead [-- --runs 7] [--json path]
 *
 * 1. Cold start: spawn of dist/main/index.js → its first Kubernetes API request (median of runs).
 * 2. Kubernetes API calls and bytes per weight step of a rollout (readiness gate only, from
 *    sim.requests), split into reads and writes.
 * 3. Rollback latency: the gate's breach verdict → the VirtualService at 0 % canary, with 50 ms of
 *    injected API latency (sim.setLatency(50)), and the writes it took.
 * 4. Bundle size: dist/main in total, the eagerly loaded index.js, and the lazily loaded chunks
 *    (PGlite WASM/data for the schema gate).
 * Targets: cold start ≤ 300 ms, rollback ≤ 1 s and ≤ 2 writes, bundle ≤ 5 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClientNodeKubeApi, loadKubeConfig } from '../src/kube/client.ts';
import type { GateCheck, StepGate } from '../src/rollout/gate.ts';
import type { Logger } from '../src/rollout/report.ts';
import { RolloutRunner, type RunSettings } from '../src/rollout/runner.ts';
import type { RolloutState } from '../src/rollout/machine.ts';
import { startKubeSimulator, type KubeSimulator } from '../src/sim/kube-server.ts';
import type { RequestRecord } from '../src/sim/kube-faults.ts';
import { currentCanaryWeight, seedSampleApp } from '../src/sim/seed.ts';
import { createRouter } from '../src/traffic/factory.ts';
import { sleep } from '../src/util/retry.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag('runs') ?? 7);

const quiet: Logger = { info: () => {}, warning: () => {}, error: () => {}, debug: () => {}, group: (_n, fn) => fn() };
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

async function seed(sim: KubeSimulator, namespace: string): Promise<void> {
  await seedSampleApp(sim, { namespace, name: 'web', image: 'ghcr.io/acme/web:1.0', replicas: 2, router: 'istio', labels: { 'canary-gate.io/track': 'stable' } });
}

/** 1. Spawn → first API request, for the bundled main step in mode status (reads only). */
async function coldStart(sim: KubeSimulator): Promise<{ runs: number[]; exit: number[] }> {
  await seed(sim, 'cold');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-bench-'));
  const runs: number[] = [];
  const exit: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(dir, `out-${i}`);
      writeFileSync(out, '');
      sim.clearRequests();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        GITHUB_OUTPUT: out,
        GITHUB_STATE: path.join(dir, `state-${i}`),
        RUNNER_TEMP: dir,
        GITHUB_WORKSPACE: dir,
        INPUT_KUBECONFIG: sim.kubeconfig(),
        INPUT_MODE: 'status',
        INPUT_NAMESPACE: 'cold',
        INPUT_DEPLOYMENT: 'web',
        INPUT_ROUTER: 'istio',
      };
      writeFileSync(env.GITHUB_STATE as string, '');
      const started = Date.now();
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'index.js')], { env, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const first = sim.requests[0];
      if (!first || code !== 0) throw new Error(`the bundled action made no API request or failed (exit ${code})`);
      runs.push(first.at - started);
      exit.push(Date.now() - started);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { runs, exit };
}

function runner(sim: KubeSimulator, namespace: string, gates: StepGate[], settings: Partial<RunSettings>, onState?: (s: RolloutState) => void): RolloutRunner {
  const kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }));
  const router = createRouter('istio', { kube, target: { namespace, stable: 'web', canary: 'web-canary' }, options: {}, log: () => {} });
  return new RolloutRunner(
    { kube, router, gates, prechecks: [], publish: async () => {}, log: quiet, now: Date.now, sleep, ...(onState ? { onState } : {}) },
    {
      mode: 'rollout',
      runId: `bench-${namespace}`,
      namespace,
      deployment: 'web',
      image: 'ghcr.io/acme/web:2.0',
      steps: [20, 40, 60, 80],
      settleMs: 0,
      intervalMs: 1_000,
      stepTimeoutMs: 30_000,
      onInconclusive: 'rollback',
      readyTimeoutMs: 30_000,
      timeoutMs: 120_000,
      canaryReplicas: 'auto',
      rollback: 'immediate',
      cleanup: 'scale-to-zero',
      leaseMs: 60_000,
      pollMs: 1_000,
      stableTrackLabel: true,
      ...settings,
    },
  );
}

interface Traffic {
  calls: number;
  reads: number;
  writes: number;
  bytesOut: number;
  bytesIn: number;
}
const traffic = (rs: RequestRecord[]): Traffic => ({
  calls: rs.length,
  reads: rs.filter((r) => r.method === 'GET').length,
  writes: rs.filter((r) => r.method !== 'GET').length,
  bytesOut: rs.reduce((s, r) => s + r.requestBytes, 0),
  bytesIn: rs.reduce((s, r) => s + r.responseBytes, 0),
});

/** 2. Requests per weight step: from one step's shift to the next (the gate passes on its 2nd check). */
async function perStep(sim: KubeSimulator): Promise<{ steps: Traffic[]; whole: Traffic; ms: number }> {
  await seed(sim, 'steps');
  sim.clearRequests();
  const boundaries: number[] = [];
  const gate: StepGate = {
    name: 'bench',
    beginStep: () => {},
    check: async (ctx) => ({ verdict: Date.now() - ctx.stepStartedAt >= 900 ? 'pass' : 'continue', summary: 'bench', metrics: [] }),
  };
  const started = Date.now();
  const out = await runner(sim, 'steps', [gate], {}, (s) => {
    if (s.phase === 'shifting' || s.phase === 'promoting') boundaries.push(sim.requests.length);
  }).run();
  if (out.result !== 'promoted') throw new Error(`bench rollout ended ${out.result}: ${out.message}`);
  const mine = sim.requests.filter((r) => r.path.includes('/namespaces/steps/'));
  const all = sim.requests;
  const steps: Traffic[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) steps.push(traffic(all.slice(boundaries[i], boundaries[i + 1]).filter((r) => mine.includes(r))));
  return { steps, whole: traffic(mine), ms: Date.now() - started };
}

/** 3. Breach verdict → VirtualService at 0 %, with 50 ms per API call. */
async function rollback(sim: KubeSimulator): Promise<{ ms: number[]; writes: number[] }> {
  const ms: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 5); i++) {
    const namespace = `rollback-${i}`;
    await seed(sim, namespace);
    sim.setLatency(0);
    let breachAt = 0;
    let requestsAtBreach = 0;
    let zeroAt = 0;
    let poll: NodeJS.Timeout | undefined;
    const gate: StepGate = {
      name: 'bench',
      check: async (ctx): Promise<GateCheck> => {
        if (ctx.weight < 40) return { verdict: 'pass', summary: 'ok', metrics: [] };
        sim.setLatency(50);
        breachAt = performance.now();
        requestsAtBreach = sim.requests.length;
        poll = setInterval(() => {
          if (!zeroAt && currentCanaryWeight(sim, namespace, 'web') === 0) zeroAt = performance.now();
        }, 1);
        return { verdict: 'fail', summary: 'breach', metrics: [] };
      },
    };
    const out = await runner(sim, namespace, [gate], {}).run();
    clearInterval(poll);
    sim.setLatency(0);
    if (out.result !== 'rolled-back' || !zeroAt) throw new Error(`bench rollback ended ${out.result}: ${out.message}`);
    ms.push(zeroAt - breachAt);
    // Writes from the breach until traffic was at 0: those that had arrived when the poll saw 0.
    const after = sim.requests.slice(requestsAtBreach).filter((r) => r.path.includes(`/namespaces/${namespace}/`));
    const firstVsWrite = after.findIndex((r) => r.method !== 'GET' && r.path.includes('virtualservices'));
    writes.push(after.slice(0, firstVsWrite + 1).filter((r) => r.method !== 'GET').length);
  }
  return { ms, writes };
}

function bundle(): { total: number; eager: number; lazy: [string, number][]; post: number } {
  const dir = path.join(ROOT, 'dist', 'main');
  const files = readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).size] as [string, number]);
  const sum = (d: string) => readdirSync(d).reduce((s, f) => s + statSync(path.join(d, f)).size, 0);
  return {
    total: files.reduce((s, [, n]) => s + n, 0),
    eager: files.find(([f]) => f === 'index.js')?.[1] ?? 0,
    lazy: files.filter(([f]) => f !== 'index.js' && f !== 'package.json').sort((a, b) => b[1] - a[1]),
    post: sum(path.join(ROOT, 'dist', 'post')),
  };
}

const sim = await startKubeSimulator({ readyDelayMs: 100 });
try {
  console.log(`Canary Gate overhead benchmark — Node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]?.toFixed(2)}\n`);

  const cold = await coldStart(sim);
  const coldMs = median(cold.runs);
  console.log(`1. Cold start (dist/main/index.js spawn → first Kubernetes API request), ${RUNS} runs`);
  console.log(`   median ${coldMs.toFixed(0)} ms (min ${Math.min(...cold.runs)}, max ${Math.max(...cold.runs)}); whole status run to exit: median ${median(cold.exit).toFixed(0)} ms`);
  console.log(`   target ≤ 300 ms: ${coldMs <= 300 ? 'met' : 'NOT met'}\n`);

  const steps = await perStep(sim);
  console.log('2. Kubernetes API per weight step (readiness gate, 1 s analysis interval, gate passes after ~1 s)');
  for (const [i, s] of steps.steps.entries()) {
    console.log(`   step ${i + 1}: ${s.calls} calls (${s.reads} reads, ${s.writes} writes), ${kib(s.bytesOut)} sent, ${kib(s.bytesIn)} received`);
  }
  const avg = (k: keyof Traffic) => steps.steps.reduce((a, s) => a + s[k], 0) / Math.max(1, steps.steps.length);
  console.log(`   mean per step: ${avg('calls').toFixed(1)} calls (${avg('writes').toFixed(1)} writes), ${kib(avg('bytesOut') + avg('bytesIn'))}`);
  console.log(`   whole rollout (4 steps + deploy + promote): ${steps.whole.calls} calls (${steps.whole.writes} writes), ${kib(steps.whole.bytesOut)} sent, ${kib(steps.whole.bytesIn)} received, ${(steps.ms / 1000).toFixed(1)} s\n`);

  const rb = await rollback(sim);
  const rbMs = median(rb.ms);
  const rbWrites = Math.max(...rb.writes);
  console.log('3. Rollback: breach verdict → canary at 0 % (50 ms injected API latency)');
  console.log(`   median ${rbMs.toFixed(0)} ms (${rb.ms.map((m) => m.toFixed(0)).join(', ')} ms); writes until 0 %: ${rb.writes.join(', ')}`);
  console.log(`   target ≤ 1 s and ≤ 2 writes: ${rbMs <= 1_000 && rbWrites <= 2 ? 'met' : 'NOT met'}\n`);

  const b = bundle();
  console.log('4. Bundle (dist/main)');
  console.log(`   total ${mib(b.total)}; eagerly loaded index.js ${mib(b.eager)}; dist/post ${mib(b.post)}`);
  console.log(`   lazily loaded: ${b.lazy.map(([f, n]) => `${f} ${mib(n)}`).join(', ')}`);
  console.log(`   target ≤ 5 MB: eager index.js ${b.eager <= 5 * 1024 * 1024 ? 'met' : 'NOT met'}; whole dist/main ${b.total <= 5 * 1024 * 1024 ? 'met' : 'NOT met'}`);

  const json = flag('json');
  if (json) {
    writeFileSync(json, JSON.stringify({ coldStartMs: cold.runs, perStep: steps.steps, whole: steps.whole, rollbackMs: rb.ms, rollbackWrites: rb.writes, bundle: b }, null, 2));
  }
} finally {
  await sim.close();
}
