/**
 * The rollout's effects on the cluster, one method per action of the state machine: deploy the
 * canary, shift traffic, promote, roll back. They act and wait; they decide nothing about the
 * rollout's course (machine.ts and step-verdict.ts do) and know routers only by their interface.
 */
import { CanaryGateError } from '../util/errors.ts';
import { TRACK_LABEL, type TrafficRouter } from '../traffic/router.ts';
import { buildCanaryDeployment, containerImage } from './canary-deployment.ts';
import type { RolloutState } from './machine.ts';
import { proportionalReplicas, rollbackSteps } from './plan.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger } from './report.ts';
import type { RunSettings } from './run-settings.ts';
import type { Workloads } from './workloads.ts';

export interface EffectsDeps {
  workloads: Workloads;
  router: TrafficRouter;
  log: Logger;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told the router's caveats after prepare and each shift, and the phase when traffic is back on stable. */
  report: Pick<ReportBuilder, 'setRouterNotes' | 'setPhase'>;
}

export class RolloutEffects {
  private readonly deps: EffectsDeps;
  private readonly s: RunSettings;
  private readonly canary: string;

  constructor(deps: EffectsDeps, settings: RunSettings, canary: string) {
    this.deps = deps;
    this.s = settings;
    this.canary = canary;
  }

  async deployCanary(state: RolloutState, signal: AbortSignal): Promise<void> {
    const { router, log, workloads } = this.deps;
    // Order matters (docs/routers.md): stable pods labelled, routing verified, stable-only backends
    // prepared at 100 % stable, and only then canary pods that the user's Service also selects.
    if (this.s.stableTrackLabel) await this.labelStablePods(signal);
    await router.verify();
    await router.prepare?.();
    this.deps.report.setRouterNotes(router.notes?.() ?? []);
    const stable = await workloads.getStable(this.s.deployment);
    const replicas = this.initialCanaryReplicas(state);
    const desired = buildCanaryDeployment(stable, { image: state.canaryImage, container: state.container, replicas, runId: this.s.runId });
    await workloads.upsert(desired);
    log.info(`Canary ${this.canary} deployed with ${state.canaryImage} (${replicas} replica(s)); waiting for it to be ready.`);
    await this.waitReady(this.canary, signal);
  }

  /**
   * Stable-only backends (Istio subsets, the `<service>-stable` Service) select
   * `canary-gate.io/track: stable`. Stable pods without it get it once, through their template: a
   * rolling restart with the same image, kept from then on (promotion keeps the template's labels).
   */
  private async labelStablePods(signal: AbortSignal): Promise<void> {
    const stable = await this.deps.workloads.getStable(this.s.deployment);
    if (stable.spec.template.metadata?.labels?.[TRACK_LABEL] === 'stable') return;
    this.deps.log.warning(
      `Labelling the stable pods of ${this.s.deployment} with ${TRACK_LABEL}=stable (one-time rolling restart, same image) so the ${this.deps.router.name} router can address them apart from the canary.`,
    );
    await this.deps.workloads.setTemplateLabel(this.s.deployment, TRACK_LABEL, 'stable');
    await this.waitReady(this.s.deployment, signal);
  }

  private initialCanaryReplicas(state: RolloutState): number {
    if (this.s.canaryReplicas !== 'auto') return this.s.canaryReplicas;
    // A router that scales the canary owns its replica count: it starts at 0 and setWeight scales it.
    if (this.deps.router.scalesCanary) return 0;
    return proportionalReplicas(state.stableReplicas, state.steps[0] ?? 1);
  }

  /** Sets the canary's weight (scaling the canary first when it needs more pods); returns what the router reports. */
  async shift(state: RolloutState, weight: number, signal: AbortSignal): Promise<number> {
    const { router, log, workloads } = this.deps;
    if (this.s.canaryReplicas === 'auto' && !router.scalesCanary) {
      const want = proportionalReplicas(state.stableReplicas, weight);
      const canary = await workloads.get(this.canary);
      if ((canary?.spec.replicas ?? 0) < want) {
        log.info(`Scaling the canary to ${want} replica(s) for ${weight}% of the traffic.`);
        await workloads.scale(this.canary, want);
        await this.waitReady(this.canary, signal);
      }
    }
    await router.setWeight(weight);
    if (router.scalesCanary) await this.waitReady(this.canary, signal);
    const effective = await router.getWeight();
    this.deps.report.setRouterNotes(router.notes?.() ?? []);
    log.info(`Canary weight set to ${weight}% (router ${router.name} reports ${effective}%).`);
    return effective;
  }

  async promote(state: RolloutState, signal: AbortSignal): Promise<void> {
    const { router, log, workloads } = this.deps;
    log.info(`Promoting: ${this.s.deployment} takes ${state.canaryImage}.`);
    await workloads.setImage(this.s.deployment, state.container, state.canaryImage);
    await this.waitReady(this.s.deployment, signal);
    // Another writer (a GitOps controller re-applying the manifest) may have put its image back.
    const live = containerImage(await workloads.getStable(this.s.deployment), state.container);
    if (live !== state.canaryImage) {
      throw new CanaryGateError(
        'conflict',
        `${this.s.deployment} runs ${live ?? 'no image'} instead of ${state.canaryImage} after the promotion: another writer (a GitOps controller?) changed it; update the image at its source, then run again`,
      );
    }
    log.info('Stable is ready with the new image; moving all traffic back to it.');
    await router.reset();
    await this.retireCanary();
    await router.cleanup?.();
  }

  /**
   * Undo: stable gets its original image back if a promotion had begun, traffic returns to stable
   * (at once, or step by step for `rollback: gradual`), the canary goes to zero, stable is verified.
   * Not cancellable by the run's signal: a rollback must finish.
   */
  async rollback(state: RolloutState): Promise<void> {
    const { router, log, workloads } = this.deps;
    const stable = await workloads.get(this.s.deployment);
    if (stable && containerImage(stable, state.container) !== state.stableImage && state.stableImage !== '') {
      log.info(`Restoring ${this.s.deployment} to ${state.stableImage}.`);
      await workloads.setImage(this.s.deployment, state.container, state.stableImage);
    }
    if (this.s.rollback === 'gradual' && state.weight > 0) {
      for (const w of rollbackSteps(state.steps, state.weight)) {
        if (w === 0) break;
        log.info(`Gradual rollback: canary weight ${w}%.`);
        await router.setWeight(w);
        await this.deps.sleep(Math.min(this.s.settleMs, 10_000));
      }
    }
    await router.reset();
    this.deps.report.setPhase('rolling-back', 0);
    log.info('All traffic is on stable.');
    await this.retireCanary();
    await router.cleanup?.();
    if (stable) {
      await this.waitReady(this.s.deployment, AbortSignal.timeout(this.s.readyTimeoutMs + 5_000));
      log.info(`${this.s.deployment} verified ready.`);
    }
  }

  private async retireCanary(): Promise<void> {
    const { workloads, log } = this.deps;
    if (this.s.cleanup === 'delete') {
      await workloads.remove(this.canary);
      log.info(`Canary ${this.canary} deleted.`);
    } else if (await workloads.get(this.canary)) {
      await workloads.scale(this.canary, 0);
      // Routers' cleanup() points routes back at the user's Service, which selects canary pods too:
      // wait until they are gone.
      await workloads.waitReady(this.canary, { timeoutMs: this.s.readyTimeoutMs, pollMs: this.s.pollMs, now: this.deps.now });
      log.info(`Canary ${this.canary} scaled to 0.`);
    }
  }

  private waitReady(name: string, signal: AbortSignal): Promise<void> {
    return this.deps.workloads.waitReady(name, {
      timeoutMs: this.s.readyTimeoutMs,
      pollMs: this.s.pollMs,
      signal,
      now: this.deps.now,
      onProgress: (m) => this.deps.log.info(m),
    });
  }
}
