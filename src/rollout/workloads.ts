/**
 * Cluster effects on Deployments, through the KubeApi adapter only. Each function does one thing
 * and names the object in its errors.
 */
import { isConflict } from '../kube/errors.ts';
import { assessDeployment, selectorText, type Readiness } from '../kube/readiness.ts';
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { TRACK_LABEL } from '../traffic/router.ts';
import { CanaryGateError } from '../util/errors.ts';
import { sleep } from '../util/retry.ts';
import { REQUEST_ANNOTATION, STATE_ANNOTATION, type DeploymentObject } from './canary-deployment.ts';
import { parseState, serializeState, type RolloutState } from './machine.ts';

function deploymentRef(namespace: string, name: string) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
}

export class Workloads {
  private readonly kube: KubeApi;
  private readonly namespace: string;
  constructor(kube: KubeApi, namespace: string) {
    this.kube = kube;
    this.namespace = namespace;
  }

  get(name: string): Promise<DeploymentObject | undefined> {
    return this.kube.get<DeploymentObject>(deploymentRef(this.namespace, name));
  }

  async getStable(name: string): Promise<DeploymentObject> {
    const d = await this.get(name);
    if (!d) {
      throw new CanaryGateError(
        'not-found',
        `Deployment ${this.namespace}/${name} was not found. Check the 'deployment' and 'namespace' inputs (and that the kubeconfig points at the right cluster).`,
      );
    }
    return d;
  }

  async readState(name: string): Promise<RolloutState | undefined> {
    const d = await this.get(name);
    return parseState(d?.metadata.annotations?.[STATE_ANNOTATION]);
  }

  /** Records the state on the stable Deployment (merge patch of one annotation: no conflict with other writers). */
  async saveState(name: string, state: RolloutState): Promise<void> {
    await this.kube.patch(deploymentRef(this.namespace, name), { metadata: { annotations: { [STATE_ANNOTATION]: serializeState(state) } } }, 'merge');
  }

  async readRequest(name: string): Promise<'promote' | 'abort' | undefined> {
    const value = (await this.get(name))?.metadata.annotations?.[REQUEST_ANNOTATION];
    return value === 'promote' || value === 'abort' ? value : undefined;
  }

  /** null removes the request (merge patch semantics). */
  async writeRequest(name: string, request: 'promote' | 'abort' | null): Promise<void> {
    await this.kube.patch(deploymentRef(this.namespace, name), { metadata: { annotations: { [REQUEST_ANNOTATION]: request } } }, 'merge');
  }

  async scale(name: string, replicas: number): Promise<void> {
    await this.kube.patch(deploymentRef(this.namespace, name), { spec: { replicas } }, 'merge');
  }

  /** Strategic merge on the containers list, keyed by name: only this container's image changes. */
  async setImage(name: string, container: string, image: string): Promise<void> {
    await this.kube.patch(
      deploymentRef(this.namespace, name),
      { spec: { template: { spec: { containers: [{ name: container, image }] } } } },
      'strategic',
    );
  }

  async setTemplateLabel(name: string, key: string, value: string): Promise<void> {
    await this.kube.patch(deploymentRef(this.namespace, name), { spec: { template: { metadata: { labels: { [key]: value } } } } }, 'strategic');
  }

  /** Creates the canary or brings an existing one to the desired spec. */
  async upsert(desired: DeploymentObject): Promise<void> {
    const name = desired.metadata.name ?? '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.get(name);
      if (!existing) {
        try {
          await this.kube.create(desired);
          return;
        } catch (err) {
          if ((err as { status?: number }).status === 409) continue;
          throw err;
        }
      }
      if (JSON.stringify(existing.spec.selector) !== JSON.stringify(desired.spec.selector)) {
        // The selector is immutable: a canary left with another selector is replaced.
        await this.kube.delete(deploymentRef(this.namespace, name));
        continue;
      }
      try {
        await this.kube.replace({
          ...desired,
          metadata: { ...desired.metadata, resourceVersion: existing.metadata.resourceVersion },
        });
        return;
      } catch (err) {
        if (isConflict(err)) continue;
        throw err;
      }
    }
    throw new CanaryGateError('conflict', `Deployment ${this.namespace}/${name} kept changing while Canary Gate updated it; is another controller managing it?`);
  }

  async remove(name: string): Promise<boolean> {
    return this.kube.delete(deploymentRef(this.namespace, name));
  }

  async assess(name: string): Promise<Readiness> {
    const d = await this.get(name);
    if (!d) return { state: 'failed', reason: 'not-found', message: `Deployment ${this.namespace}/${name} no longer exists` };
    const pods = await this.kube.list<KubeObject>('v1', 'Pod', this.namespace, selectorText(d.spec.selector.matchLabels));
    // Only this Deployment's pods: the stable selector also matches canary pods (they carry the
    // stable labels plus the track label).
    const own = pods.filter((p) => ownedBy(p, d));
    return assessDeployment(d, own);
  }

  /** Waits until ready; fails fast on crash loops, image pull errors and a passed progress deadline. */
  async waitReady(
    name: string,
    opts: { timeoutMs: number; pollMs: number; signal?: AbortSignal; onProgress?: (message: string) => void; now?: () => number },
  ): Promise<void> {
    const now = opts.now ?? Date.now;
    const deadline = now() + opts.timeoutMs;
    let last = '';
    for (;;) {
      const readiness = await this.assess(name);
      if (readiness.state === 'ready') return;
      if (readiness.state === 'failed') throw new CanaryGateError(readiness.reason, readiness.message);
      if (readiness.message !== last) opts.onProgress?.(readiness.message);
      last = readiness.message;
      if (now() >= deadline) {
        throw new CanaryGateError('timeout', `${readiness.message} — not ready within ${Math.round(opts.timeoutMs / 1000)}s (ready-timeout)`);
      }
      await sleep(opts.pollMs, opts.signal);
    }
  }
}

/**
 * Pods belong to a Deployment through a ReplicaSet named `<deployment>-<hash>`; with only pods at
 * hand, the owner ReplicaSet's name prefix tells. A pod without owner refs is matched by labels.
 */
function ownedBy(pod: KubeObject, deployment: DeploymentObject): boolean {
  const ownTrack = deployment.spec.selector.matchLabels?.[TRACK_LABEL];
  if (ownTrack === undefined && pod.metadata.labels?.[TRACK_LABEL] === 'canary') return false;
  const owners = (pod.metadata.ownerReferences ?? []) as { kind?: string; name?: string }[];
  const rs = owners.find((o) => o.kind === 'ReplicaSet');
  const name = deployment.metadata.name ?? '';
  if (rs?.name) return rs.name.startsWith(`${name}-`) && !rs.name.slice(name.length + 1).includes('-');
  return true;
}
