/**
 * Shared fixture of the metric-gated end-to-end rollouts: one simulated cluster, one traffic
 * generator per namespace whose canary share follows the VirtualService (or is pinned), one real
 * Prometheus scraping all of them, and a helper that runs a whole rollout from canary.yml text
 * through buildConfig → runCanaryGate in-process.
 */
import { buildConfig } from '../../src/config/index.ts';
import type { Secrets } from '../../src/config/load.ts';
import { runCanaryGate } from '../../src/app.ts';
import type { RolloutState } from '../../src/rollout/machine.ts';
import { parseState } from '../../src/rollout/machine.ts';
import type { Logger } from '../../src/rollout/report.ts';
import type { RunOutcome } from '../../src/rollout/runner.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { startPrometheus, waitForQuery, type RunningPrometheus } from '../../src/sim/prometheus.ts';
import { currentCanaryWeight, seedSampleApp } from '../../src/sim/seed.ts';
import { startTrafficGenerator, type TrafficGenerator, type TrafficScenario } from '../../src/sim/traffic.ts';

export const STABLE_IMAGE = 'ghcr.io/acme/web:1.0';
export const CANARY_IMAGE = 'ghcr.io/acme/web:2.0';

export const healthy = { errorRate: 0.01, latencyMs: { p50: 20, p99: 100 } };

export interface AppSpec {
  namespace: string;
  /** The Deployment's name (default web) and its stable image (default STABLE_IMAGE). */
  name?: string;
  image?: string;
  scenario: TrafficScenario;
  rps: number;
  /** Canary share override; by default the VirtualService's weight. */
  weight?: () => number;
  /** Scraped by the shared Prometheus (default true). */
  scrape?: boolean;
  /** The stable workload name the data plane reports (default web, the Deployment's name). */
  reportedWorkload?: string;
}

export interface World {
  sim: KubeSimulator;
  prom: RunningPrometheus;
  generators: Record<string, TrafficGenerator>;
  close(): Promise<void>;
}

/** Seeds every app, starts its generator, then Prometheus over the scraped ones. */
export async function startWorld(apps: AppSpec[], scrapeIntervalMs = 500): Promise<World> {
  const sim = await startKubeSimulator({ readyDelayMs: 100 });
  const generators: Record<string, TrafficGenerator> = {};
  let prom: RunningPrometheus | undefined;
  const close = async (): Promise<void> => {
    await prom?.stop();
    await Promise.all(Object.values(generators).map((g) => g.stop()));
    await sim.close();
  };
  try {
    let seed = 1;
    for (const app of apps) {
      const name = app.name ?? 'web';
      await seedSampleApp(sim, { namespace: app.namespace, name, image: app.image ?? STABLE_IMAGE, replicas: 2, router: 'istio', labels: { 'canary-gate.io/track': 'stable' } });
      generators[app.namespace] = await startTrafficGenerator({
        weightSource: app.weight ?? (() => currentCanaryWeight(sim, app.namespace, name)),
        namespace: app.namespace,
        stable: app.reportedWorkload ?? name,
        canary: `${name}-canary`,
        stableService: `${name}-stable`,
        canaryService: `${name}-canary`,
        ingress: name,
        rps: app.rps,
        scenario: app.scenario,
        seed: seed++,
      });
    }
    const scraped = apps.filter((a) => a.scrape !== false).map((a) => a.namespace);
    prom = await startPrometheus({ scrapeTargets: scraped.map((ns) => generators[ns]!.target), scrapeIntervalMs });
    await waitForStableRates(prom.url, scraped);
  } catch (err) {
    await close();
    throw err;
  }
  return { sim, prom, generators, close };
}

/**
 * Prometheus applies its scrape config a few seconds after start and scrapes each target at its own
 * offset: wait until rate() over the stable's requests has a value in every namespace.
 */
async function waitForStableRates(url: string, namespaces: string[], timeoutMs = 30_000): Promise<void> {
  const query = 'sum by (destination_workload_namespace) (rate(istio_requests_total{reporter="destination",destination_workload!~".+-canary"}[10s]))';
  let seen: string[] = [];
  const ready = await waitForQuery(url, query, (result) => {
    seen = result.map((r) => r.metric.destination_workload_namespace ?? '');
    return namespaces.every((ns) => seen.includes(ns));
  }, timeoutMs);
  if (!ready) throw new Error(`Prometheus at ${url} had no stable request rate for ${namespaces.filter((n) => !seen.includes(n)).join(', ')} within ${timeoutMs} ms`);
}

export interface RolloutRun {
  outcome: RunOutcome;
  lines: string[];
  /** The job summary markdown the run wrote. */
  summary: string;
  /** Every recorded state, in order. */
  states: RolloutState[];
  /** Values handed to core.setSecret. */
  masked: string[];
  ms: number;
}

const collectingLog = (lines: string[]): Logger => ({
  info: (m) => lines.push(m),
  warning: (m) => lines.push(`! ${m}`),
  error: (m) => lines.push(`✗ ${m}`),
  debug: () => undefined,
  group: (name, fn) => (lines.push(`▸ ${name}`), fn()),
});

/** Runs one whole rollout of CANARY_IMAGE in `namespace` from canary.yml text, in-process. */
export async function rollout(
  world: World,
  namespace: string,
  yaml: string | undefined,
  opts: { secrets?: Secrets; onState?: (s: RolloutState) => void; inputs?: Record<string, string>; prometheusUrl?: string } = {},
): Promise<RolloutRun> {
  const secrets: Secrets = { kubeconfig: world.sim.kubeconfig(), ...opts.secrets };
  const config = buildConfig({
    inputs: { namespace, deployment: 'web', image: CANARY_IMAGE, ...opts.inputs },
    secrets,
    ...(yaml !== undefined ? { fileText: yaml, fileName: '.github/canary.yml' } : {}),
    ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
  });
  const lines: string[] = [];
  const states: RolloutState[] = [];
  const masked: string[] = [];
  let summary = '';
  const log = collectingLog(lines);
  const t0 = Date.now();
  const outcome = await runCanaryGate(config, secrets, {
    runId: `e2e-metrics-${namespace}`,
    log,
    core: {
      setSecret: (s) => masked.push(s),
      error: (m) => lines.push(`::error::${m}`),
      warning: (m) => lines.push(`::warning::${m}`),
      summary: {
        emptyBuffer: () => (summary = ''),
        addRaw: (text: string) => (summary += text),
        write: async () => undefined,
      },
    },
    env: {},
    pollMs: 100,
    onState: (s) => {
      states.push(s);
      opts.onState?.(s);
    },
  });
  return { outcome, lines, summary, states, masked, ms: Date.now() - t0 };
}

export function stableImage(sim: KubeSimulator, namespace: string): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web') as { spec: { template: { spec: { containers: { image?: string }[] } } } } | undefined;
  return d?.spec.template.spec.containers[0]?.image;
}

export function canaryReplicas(sim: KubeSimulator, namespace: string): number {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web-canary') as { spec?: { replicas?: number } } | undefined;
  return d?.spec?.replicas ?? 0;
}

export function recordedPhase(sim: KubeSimulator, namespace: string): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, 'web');
  return parseState(d?.metadata.annotations?.['canary-gate.io/state'])?.phase;
}

/** The cluster after a finished run: one version serves everything, the canary is at zero. */
export function clusterState(sim: KubeSimulator, namespace: string): { image?: string; weight: number; canaryReplicas: number; phase?: string } {
  return {
    image: stableImage(sim, namespace),
    weight: currentCanaryWeight(sim, namespace, 'web'),
    canaryReplicas: canaryReplicas(sim, namespace),
    phase: recordedPhase(sim, namespace),
  };
}

/** canary.yml text: the common timing keys, then the given provider/metric YAML. */
export function canaryYaml(opts: { steps: number[]; stepTimeout: string; body: string; settle?: string }): string {
  return [
    `steps: [${opts.steps.join(', ')}]`,
    `settle-time: ${opts.settle ?? '2s'}`,
    'analysis-interval: 1s',
    `step-timeout: ${opts.stepTimeout}`,
    'ready-timeout: 20s',
    'timeout: 80s',
    'lease-duration: 15s',
    'routing:',
    '  router: istio',
    'notify:',
    '  pr-comment: false',
    '  commit-status: false',
    opts.body.trim(),
    '',
  ].join('\n');
}
