/**
 * No mesh, no ingress controller: the user's Service selects stable and canary pods alike, so the
 * canary's share of requests is roughly its share of ready pods. The router picks replica counts whose
 * ratio is closest to the weight, never scales the stable below its starting count, and reports the
 * effective ratio (the weight is approximate: kube-proxy balances connections, not requests).
 */
import type { KubeApi } from '../kube/types.ts';
import { RouterError, checkWeight } from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import type { RouterTarget, TrafficRouter } from './router.ts';
import { type DeploymentObject, deploymentRef, readUserService } from './services.ts';

export interface ReplicaPlan {
  stable: number;
  canary: number;
  /** Canary share of pods in percent, rounded. */
  effective: number;
}

export interface ReplicaLimits {
  /** The stable's replica count when the rollout started: the floor. */
  stableStart: number;
  /** Most stable pods the router may run (>= stableStart; default stableStart: never scale it up). */
  maxStable: number;
  /** Most canary pods the router may run. */
  maxCanary: number;
}

/**
 * Replica counts approximating `canaryPercent`: 0 % → no canary; otherwise at least one canary pod
 * (a canary with no pods cannot be judged). Ties go to fewer pods in total.
 */
export function planReplicas(canaryPercent: number, limits: ReplicaLimits): ReplicaPlan {
  const { stableStart } = limits;
  if (canaryPercent === 0) return { stable: stableStart, canary: 0, effective: 0 };
  const maxStable = Math.max(stableStart, limits.maxStable);
  const maxCanary = Math.max(1, limits.maxCanary);
  let best: ReplicaPlan | undefined;
  let bestErr = Number.POSITIVE_INFINITY;
  for (let s = stableStart; s <= maxStable; s++) {
    for (let c = 1; c <= maxCanary; c++) {
      const share = (100 * c) / (s + c);
      const err = Math.abs(share - canaryPercent);
      if (err < bestErr - 1e-9 || (Math.abs(err - bestErr) <= 1e-9 && best && s + c < best.stable + best.canary)) {
        best = { stable: s, canary: c, effective: Math.round(share) };
        bestErr = err;
      }
    }
  }
  return best ?? { stable: stableStart, canary: 1, effective: Math.round(100 / (stableStart + 1)) };
}

function effectivePercent(stableReplicas: number, canaryReplicas: number): number {
  const total = stableReplicas + canaryReplicas;
  return total > 0 ? Math.round((100 * canaryReplicas) / total) : 0;
}

export interface ReplicasRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

export class ReplicasRouter implements TrafficRouter {
  readonly name = 'replicas';
  readonly scalesCanary = true;
  private readonly deps: ReplicasRouterDeps;
  private stableStart: number | undefined;
  private lastPlan: { requested: number; plan: ReplicaPlan } | undefined;

  constructor(deps: ReplicasRouterDeps) {
    this.deps = deps;
    this.stableStart = deps.options.stableReplicas;
  }

  private async readStable(): Promise<DeploymentObject> {
    const { kube, target } = this.deps;
    const dep = await kube.get<DeploymentObject>(deploymentRef(target.namespace, target.stable));
    if (!dep) throw new RouterError(this.name, `stable Deployment ${target.namespace}/${target.stable} not found; check the target name and namespace.`);
    return dep;
  }

  private async start(): Promise<number> {
    if (this.stableStart === undefined) {
      const dep = await this.readStable();
      this.stableStart = dep.spec?.replicas ?? 1;
      this.deps.log(`replicas: the stable runs ${this.stableStart} pod(s) at the start; it never runs fewer during the rollout`);
    }
    return this.stableStart;
  }

  private limits(stableStart: number): ReplicaLimits {
    const o = this.deps.options;
    return {
      stableStart,
      maxStable: o.maxStableReplicas ?? stableStart,
      maxCanary: o.maxCanaryReplicas ?? Math.max(1, stableStart),
    };
  }

  async verify(): Promise<void> {
    const { kube, target, names } = this.deps;
    const stable = await this.readStable();
    if (this.deps.options.stableReplicas !== undefined && !(Number.isInteger(this.deps.options.stableReplicas) && this.deps.options.stableReplicas >= 1)) {
      throw new RouterError(this.name, `the stable starting replica count must be an integer >= 1, got ${this.deps.options.stableReplicas}.`);
    }
    const svc = await readUserService(this.name, kube, target.namespace, names.service);
    const selector = svc.spec?.selector ?? {};
    const labels = stable.spec?.template?.metadata?.labels ?? {};
    const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
    if (missing.length > 0) {
      throw new RouterError(
        this.name,
        `Service ${target.namespace}/${names.service} selects ${missing.map(([k, v]) => `${k}=${v}`).join(',')} which the stable pods of ` +
          `Deployment ${target.stable} do not carry; set routing.service to the Service in front of the stable pods.`,
      );
    }
    const start = await this.start();
    if (start < 1) {
      throw new RouterError(this.name, `Deployment ${target.namespace}/${target.stable} has ${start} replicas; the replicas router needs at least 1 stable pod.`);
    }
  }

  private async scale(name: string, replicas: number): Promise<void> {
    const { kube, target } = this.deps;
    const ref = deploymentRef(target.namespace, name);
    const dep = await kube.get<DeploymentObject>(ref);
    if (!dep) {
      if (replicas === 0) return;
      throw new RouterError(this.name, `Deployment ${target.namespace}/${name} not found; deploy the canary before shifting traffic.`);
    }
    if (dep.spec?.replicas === replicas) return;
    // A merge patch of one scalar is safe under concurrency: no read-modify-write needed.
    await kube.patch(ref, { spec: { replicas } }, 'merge');
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    const start = await this.start();
    const plan = planReplicas(canaryPercent, this.limits(start));
    // Scale-ups before scale-downs, so serving capacity never dips during the change.
    const { kube, target } = this.deps;
    const current = await kube.get<DeploymentObject>(deploymentRef(target.namespace, target.stable));
    const stableTarget = Math.max(plan.stable, start);
    const ops: [string, number][] = [
      [target.stable, stableTarget],
      [target.canary, plan.canary],
    ];
    if ((current?.spec?.replicas ?? 0) > stableTarget) ops.reverse();
    for (const [name, replicas] of ops) await this.scale(name, replicas);
    this.lastPlan = { requested: canaryPercent, plan };
    this.deps.log(
      `replicas: weight ${canaryPercent} → stable ${plan.stable} pods, canary ${plan.canary} pods (effective ${plan.effective} %)`,
    );
  }

  /** The effective canary share of pods (desired replica counts). */
  async getWeight(): Promise<number> {
    const { kube, target } = this.deps;
    const stable = await kube.get<DeploymentObject>(deploymentRef(target.namespace, target.stable));
    const canary = await kube.get<DeploymentObject>(deploymentRef(target.namespace, target.canary));
    return effectivePercent(stable?.spec?.replicas ?? 0, canary?.spec?.replicas ?? 0);
  }

  /**
   * The canary (canary-gate's own Deployment) to 0. The stable is left as it is: the router never
   * scales it below its starting count, so a lower count is someone else's (an HPA, a person).
   */
  async reset(): Promise<void> {
    const { target, log } = this.deps;
    await this.scale(target.canary, 0);
    log(`replicas: canary ${target.canary} scaled to 0`);
  }

  notes(): string[] {
    const notes = [
      'Weights are approximated by pod counts behind one Service (kube-proxy balances connections, not requests); the stable is never scaled below its starting replica count.',
    ];
    if (this.lastPlan) {
      const { requested, plan } = this.lastPlan;
      notes.push(`Last step: weight ${requested} % ran as ${plan.canary} canary / ${plan.stable} stable pods = ${plan.effective} % effective.`);
    }
    return notes;
  }
}
