/** Assertions on the simulated cluster after a run: the rollout ended whole. */
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight, seedSampleApp } from '../../src/sim/seed.ts';
import { parseState, type RolloutState } from '../../src/rollout/machine.ts';

export interface ClusterFixture {
  sim: KubeSimulator;
  kubeconfig: string;
}

export async function startCluster(): Promise<ClusterFixture> {
  const sim = await startKubeSimulator({ readyDelayMs: 150 });
  return { sim, kubeconfig: sim.kubeconfig() };
}

/** A sample app behind Istio whose stable pods already carry the track label (no restart). */
export async function seedApp(sim: KubeSimulator, namespace: string, name = 'web', image = 'ghcr.io/acme/web:1.0'): Promise<void> {
  await seedSampleApp(sim, { namespace, name, image, replicas: 2, router: 'istio', labels: { 'canary-gate.io/track': 'stable' } });
}

export function stableImage(sim: KubeSimulator, namespace: string, name = 'web'): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, name) as { spec: { template: { spec: { containers: { image?: string }[] } } } } | undefined;
  return d?.spec.template.spec.containers[0]?.image;
}

export function recordedState(sim: KubeSimulator, namespace: string, name = 'web'): RolloutState | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, name);
  return parseState(d?.metadata.annotations?.['canary-gate.io/state']);
}

export function canaryReplicas(sim: KubeSimulator, namespace: string, name = 'web'): number {
  const d = sim.store.get('apps/v1', 'Deployment', namespace, `${name}-canary`) as { spec?: { replicas?: number } } | undefined;
  return d?.spec?.replicas ?? 0;
}

export function leaseHolder(sim: KubeSimulator, namespace: string, name = 'web'): string | undefined {
  const lease = sim.store.get('coordination.k8s.io/v1', 'Lease', namespace, `canary-gate-${name}`) as { spec?: { holderIdentity?: string } } | undefined;
  return lease?.spec?.holderIdentity;
}

/** The promise of Canary Gate: all traffic on one version, canary at zero, state terminal, lock free. */
export function expectWhole(sim: KubeSimulator, namespace: string, expected: { image: string; phase: string }, name = 'web'): void {
  expect(stableImage(sim, namespace, name)).toBe(expected.image);
  expect(currentCanaryWeight(sim, namespace, name)).toBe(0);
  expect(canaryReplicas(sim, namespace, name)).toBe(0);
  expect(recordedState(sim, namespace, name)?.phase).toBe(expected.phase);
  expect(leaseHolder(sim, namespace, name)).toBeUndefined();
}

export function writes(sim: KubeSimulator): string[] {
  return sim.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}
