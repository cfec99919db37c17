/**
 * Shared by the hardening tests: runs a whole rollout in-process through runCanaryGate (the same
 * composition the action uses) against the Kubernetes simulator, and checks that the cluster ended
 * whole — traffic on one version, weights summing to 100, canary at zero, state terminal, lease free.
 */
import { runCanaryGate, type AppEnv } from '../../src/app.ts';
import { buildConfig } from '../../src/config/index.ts';
import { ClientNodeKubeApi, loadKubeConfig, type KubeClientOptions } from '../../src/kube/client.ts';
import { leaseStatus } from '../../src/rollout/lease-lock.ts';
import { parseState, type RolloutState } from '../../src/rollout/machine.ts';
import type { Logger } from '../../src/rollout/report.ts';
import type { RunOutcome } from '../../src/rollout/runner.ts';
import type { KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight, seedSampleApp } from '../../src/sim/seed.ts';

export const STABLE_IMAGE = 'ghcr.io/acme/web:1.0';
export const CANARY_IMAGE = 'ghcr.io/acme/web:2.0';

export type TestLog = Logger & { lines: string[] };

export function memoryLog(): TestLog {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(m),
    warning: (m) => void lines.push(`! ${m}`),
    error: (m) => void lines.push(`✗ ${m}`),
    debug: () => {},
    group: (n, fn) => (lines.push(`▸ ${n}`), fn()),
  };
}

/** A NotifyCore that records instead of printing (the summary sink is off in these runs). */
export function fakeCore(lines: string[] = []): AppEnv['core'] {
  return {
    setSecret: () => {},
    error: (m: string) => void lines.push(`annotation error: ${m}`),
    warning: (m: string) => void lines.push(`annotation warning: ${m}`),
    summary: undefined,
  } as unknown as AppEnv['core'];
}

export async function seedApp(sim: KubeSimulator, namespace: string): Promise<void> {
  await seedSampleApp(sim, { namespace, name: 'web', image: STABLE_IMAGE, replicas: 2, router: 'istio', labels: { 'canary-gate.io/track': 'stable' } });
}

/** Fast retries so a test of five failed attempts takes milliseconds, not seconds. */
export function kubeFor(sim: KubeSimulator, opts: Partial<KubeClientOptions> = {}): ClientNodeKubeApi {
  return new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }), { baseDelayMs: 20, maxDelayMs: 300, requestTimeoutMs: 2_000, ...opts });
}

export interface RunOptions {
  inputs?: Record<string, string>;
  fileText?: string;
  onState?: (s: RolloutState) => void;
  signal?: AbortSignal;
  kube?: Partial<KubeClientOptions>;
  /** Let runCanaryGate build the client from the kubeconfig (default timings, the run's signal). */
  realKube?: boolean;
  runId?: string;
  env?: Record<string, string>;
  cleanupOfCancelledRun?: boolean;
}

export interface RunResult {
  outcome?: RunOutcome;
  error?: unknown;
  log: TestLog;
}

export function inputsFor(namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    namespace,
    deployment: 'web',
    image: CANARY_IMAGE,
    router: 'istio',
    steps: '20,60',
    'settle-time': '0s',
    'analysis-interval': '100ms',
    'step-timeout': '5s',
    'ready-timeout': '15s',
    timeout: '60s',
    'lease-duration': '3s',
    ...extra,
  };
}

/** Runs one mode through runCanaryGate; never throws (the error is returned). */
export async function run(sim: KubeSimulator, namespace: string, opts: RunOptions = {}): Promise<RunResult> {
  const log = memoryLog();
  try {
    const config = buildConfig({
      inputs: inputsFor(namespace, opts.inputs),
      secrets: { kubeconfig: sim.kubeconfig() },
      ...(opts.fileText !== undefined ? { fileText: opts.fileText, fileName: '.github/canary.yml' } : {}),
    });
    config.notify = { ...config.notify, summary: false };
    const outcome = await runCanaryGate(config, { kubeconfig: sim.kubeconfig() }, {
      runId: opts.runId ?? `run-${namespace}`,
      log,
      core: fakeCore(log.lines),
      env: opts.env ?? {},
      ...(opts.realKube ? {} : { kube: kubeFor(sim, opts.kube) }),
      pollMs: 50,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onState ? { onState: opts.onState } : {}),
      ...(opts.cleanupOfCancelledRun ? { cleanupOfCancelledRun: true } : {}),
    });
    return { outcome, log };
  } catch (error) {
    return { error, log };
  }
}

interface Route {
  match?: unknown[];
  route?: { destination?: { subset?: string; host?: string }; weight?: number }[];
}

/** Every HTTP route of the VirtualService: weights present on a split must sum to 100. */
export function routeWeightSums(sim: KubeSimulator, namespace: string): number[] {
  const vs = sim.store.get('networking.istio.io/v1', 'VirtualService', namespace, 'web') as { spec?: { http?: Route[] } } | undefined;
  return (vs?.spec?.http ?? []).map((r) => {
    const dest = r.route ?? [];
    if (dest.length === 1 && dest[0]?.weight === undefined) return 100;
    return dest.reduce((s, d) => s + (d.weight ?? 0), 0);
  });
}

export function recordedState(sim: KubeSimulator, namespace: string): RolloutState | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web');
  return parseState(d?.metadata.annotations?.['canary-gate.io/state']);
}

export function stableImage(sim: KubeSimulator, namespace: string): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web') as { spec: { template: { spec: { containers: { image?: string }[] } } } } | undefined;
  return d?.spec.template.spec.containers[0]?.image;
}

export function canaryReplicas(sim: KubeSimulator, namespace: string): number | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web-canary') as { spec?: { replicas?: number } } | undefined;
  return d ? (d.spec?.replicas ?? 1) : undefined;
}

/**
 * The promise after any fault: weights sum to 100, traffic entirely on the expected version, canary
 * at 0 replicas (or gone), state terminal and matching, lease not held by anyone.
 * Returns a list of violations (empty when whole) so a failing test says all that is wrong at once.
 */
export function wholeViolations(sim: KubeSimulator, namespace: string, expected: { image: string; phase: string | undefined }): string[] {
  const problems: string[] = [];
  const sums = routeWeightSums(sim, namespace);
  if (sums.some((s) => s !== 100)) problems.push(`route weights sum to ${sums.join(', ')} (expected 100)`);
  const weight = currentCanaryWeight(sim, namespace, 'web');
  if (weight !== 0) problems.push(`canary still gets ${weight}% of the traffic`);
  const image = stableImage(sim, namespace);
  if (image !== expected.image) problems.push(`stable runs ${image}, expected ${expected.image}`);
  const replicas = canaryReplicas(sim, namespace);
  if (replicas !== undefined && replicas !== 0) problems.push(`canary has ${replicas} replica(s)`);
  const state = recordedState(sim, namespace);
  if (state?.phase !== expected.phase) problems.push(`state phase ${state?.phase}, expected ${expected.phase}`);
  if (state && state.weight !== 0 && state.phase !== 'promoted') problems.push(`state records weight ${state.weight}`);
  const lease = sim.store.get('coordination.k8s.io/v1', 'Lease', namespace, 'canary-gate-web');
  const status = leaseStatus(lease as Parameters<typeof leaseStatus>[0], Date.now());
  if (status.kind === 'held') problems.push(`lease still held by ${status.holder}`);
  return problems;
}
