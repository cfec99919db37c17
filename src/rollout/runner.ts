/**
 * The rollout orchestrator: performs the actions the state machine asks for, through the adapters
 * (Workloads, TrafficRouter, gates), records each transition on the stable Deployment before the
 * effect, and rolls back on every failure path: gate breach, error, overall timeout, cancel.
 */
import { CanaryGateError, errorMessage, errorReason, type FailureReason } from '../util/errors.ts';
import type { KubeApi } from '../kube/types.ts';
import { TRACK_LABEL, type TrafficRouter } from '../traffic/router.ts';
import { buildCanaryDeployment, canaryName, containerImage, pickContainer } from './canary-deployment.ts';
import type { GateCheck, PreCheck, StepGate } from './gate.ts';
import { LeaseLock } from './lease-lock.ts';
import {
  initialState,
  isTerminal,
  nextAction,
  transition,
  type Action,
  type MachineEvent,
  type RolloutState,
} from './machine.ts';
import { proportionalReplicas, rollbackSteps } from './plan.ts';
import { ReportBuilder, type Publish } from './report-builder.ts';
import type { Logger, RolloutReport, RolloutResult } from './report.ts';
import { Workloads } from './workloads.ts';

export interface RunSettings {
  mode: 'rollout' | 'promote' | 'abort' | 'status';
  runId: string;
  runUrl?: string;
  namespace: string;
  deployment: string;
  image?: string;
  container?: string;
  steps: number[];
  settleMs: number;
  intervalMs: number;
  stepTimeoutMs: number;
  readyTimeoutMs: number;
  timeoutMs: number;
  canaryReplicas: number | 'auto';
  rollback: 'immediate' | 'gradual';
  cleanup: 'scale-to-zero' | 'delete';
  leaseMs: number;
  /** How often readiness is polled. */
  pollMs: number;
  /** The router sends traffic to stable-only backends: stable pods must carry the track label. */
  stableTrackLabel: boolean;
  /**
   * mode abort on behalf of a run that was cancelled or killed (the post step): the result is a
   * rollback with reason `cancelled`, not a user's abort.
   */
  cleanupOfCancelledRun?: boolean;
}

export interface RunnerDeps {
  kube: KubeApi;
  router: TrafficRouter;
  gates: StepGate[];
  prechecks: PreCheck[];
  publish: Publish;
  log: Logger;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted on SIGINT/SIGTERM/cancel. */
  signal?: AbortSignal;
  /** Called after every saved transition (the entry point records progress for the post step). */
  onState?: (state: RolloutState) => void;
}

export interface RunOutcome {
  result: RolloutResult;
  weight: number;
  reason?: string;
  message: string;
  canary: string;
  report: RolloutReport;
}

/** The live run's request channel: mode promote/abort of another run writes `request`. */
const REQUEST_POLL_MS = 1_000;

export class RolloutRunner {
  private readonly deps: RunnerDeps;
  private readonly s: RunSettings;
  private readonly workloads: Workloads;
  private readonly canary: string;
  readonly builder: ReportBuilder;
  private state: RolloutState | undefined;

  constructor(deps: RunnerDeps, settings: RunSettings) {
    this.deps = deps;
    this.s = settings;
    this.workloads = new Workloads(deps.kube, settings.namespace);
    this.canary = canaryName(settings.deployment);
    this.builder = new ReportBuilder(
      {
        runId: settings.runId,
        runUrl: settings.runUrl,
        mode: settings.mode,
        target: { namespace: settings.namespace, deployment: settings.deployment, canary: this.canary, container: settings.container },
        images: { canary: settings.image },
        router: deps.router.name,
        steps: settings.steps,
      },
      deps.publish,
      deps.now,
    );
  }

  private outcome(result: RolloutResult, message: string, reason?: string): RunOutcome {
    return { result, weight: this.builder.report.weight, reason, message, canary: this.canary, report: this.builder.report };
  }

  private lock(): LeaseLock {
    return new LeaseLock({
      kube: this.deps.kube,
      namespace: this.s.namespace,
      deployment: this.s.deployment,
      holder: this.s.runId,
      durationMs: this.s.leaseMs,
      now: this.deps.now,
    });
  }

  async run(): Promise<RunOutcome> {
    try {
      switch (this.s.mode) {
        case 'status':
          return await this.status();
        case 'rollout':
          return await this.rollout();
        case 'promote':
        case 'abort':
          return await this.request(this.s.mode);
      }
    } finally {
      await Promise.allSettled(this.deps.gates.map((g) => g.close?.()));
    }
  }

  /** mode: status — reads, prints, writes nothing. */
  private async status(): Promise<RunOutcome> {
    const stable = await this.workloads.getStable(this.s.deployment);
    const state = await this.workloads.readState(this.s.deployment);
    const lease = await this.lock().read();
    const container = pickContainer(stable, this.s.container ?? state?.container);
    this.builder.report.images = { stable: container.image, canary: state?.canaryImage };
    if (!state) {
      this.deps.log.info(`No Canary Gate rollout recorded on ${this.s.namespace}/${this.s.deployment}; it runs ${container.image ?? '?'}.`);
      return this.outcome('noop', `no rollout recorded; ${this.s.deployment} runs ${container.image ?? '?'}`);
    }
    this.builder.setSteps(state.steps);
    this.builder.setPhase(state.phase, state.weight);
    const live = lease.kind === 'held' ? `held by ${lease.holder}` : lease.kind === 'expired' ? `expired (holder ${lease.holder} is gone)` : 'free';
    this.deps.log.info(
      `Rollout ${state.runId}: phase ${state.phase}, step ${state.stepIndex + 1}/${state.steps.length}, canary weight ${state.weight}%, ${state.stableImage} → ${state.canaryImage}; lease ${live}${state.reason ? `; reason: ${state.reason} — ${state.message ?? ''}` : ''}`,
    );
    return this.outcome(state.result ?? 'noop', `phase ${state.phase} at ${state.weight}%`, state.reason);
  }

  /** mode: rollout — the whole canary rollout under the lease. */
  private async rollout(): Promise<RunOutcome> {
    const { log } = this.deps;
    const image = this.s.image;
    if (!image) throw new CanaryGateError('invalid-input', "image: is required in mode rollout");
    const lock = this.lock();
    const stable = await this.workloads.getStable(this.s.deployment);
    const container = pickContainer(stable, this.s.container);
    this.builder.report.target.container = container.name;
    const before = await this.workloads.readState(this.s.deployment);
    if (container.image === image && (!before || isTerminal(before.phase))) {
      // A re-run after a completed rollout: nothing to do, and nothing written.
      this.builder.report.images = { stable: image, canary: image };
      log.info(`${this.s.namespace}/${this.s.deployment} already runs ${image}: nothing to roll out.`);
      this.builder.setPhase('noop', 100); // all traffic is already on the image
      return this.outcome('noop', `${this.s.deployment} already runs ${image}; nothing to do`);
    }
    const { previousHolder } = await lock.acquire();
    const leaseLost = new AbortController();
    lock.startRenewing((err) => leaseLost.abort(err));
    try {
      // A request left by an earlier promote/abort run is not meant for this rollout.
      if (await this.workloads.readRequest(this.s.deployment)) await this.workloads.writeRequest(this.s.deployment, null);
      const recorded = await this.workloads.readState(this.s.deployment);
      if (recorded && !isTerminal(recorded.phase) && recorded.runId !== this.s.runId) {
        log.warning(
          `Found an unfinished rollout ${recorded.runId} (${recorded.phase} at ${recorded.weight}%${previousHolder ? `, its lease expired` : ''}): rolling it back before starting.`,
        );
        await this.finishAbandoned(recorded);
      } else if (recorded && !isTerminal(recorded.phase) && recorded.runId === this.s.runId) {
        // A re-run of the same workflow attempt after a crash: undo, then start over cleanly.
        await this.finishAbandoned(recorded);
      }
      const current = await this.workloads.getStable(this.s.deployment);
      const currentImage = containerImage(current, container.name) ?? '';
      this.builder.report.images = { stable: currentImage, canary: image };
      if (currentImage === image) {
        log.info(`${this.s.namespace}/${this.s.deployment} already runs ${image}: nothing to roll out.`);
        await this.builder.finished('noop', `already running ${image}`);
        this.builder.setPhase('noop', 100); // all traffic is already on the image
        return this.outcome('noop', `${this.s.deployment} already runs ${image}; nothing to do`);
      }
      await this.builder.started();
      for (const check of this.deps.prechecks) {
        const result = await log.group(`Pre-check: ${check.name}`, () => check.run(this.deps.signal));
        await this.builder.precheck(result);
        log.info(`${check.name}: ${result.verdict} — ${result.summary}`);
        if (result.verdict === 'block') {
          const message = `${check.name} blocked the rollout before the canary got any traffic: ${result.summary}`;
          await this.builder.finished('aborted', message, 'schema-blocked');
          return this.outcome('aborted', message, 'schema-blocked');
        }
      }
      const startReplicas = current.spec.replicas ?? 1;
      this.state = initialState({
        runId: this.s.runId,
        steps: this.s.steps,
        container: container.name,
        stableImage: currentImage,
        canaryImage: image,
        stableReplicas: startReplicas,
        now: new Date(this.deps.now()),
      });
      await this.save();
      return await this.drive(leaseLost.signal);
    } finally {
      await lock.release();
    }
  }

  /** Rolls back a rollout another (dead) run left behind, using what its state recorded. */
  private async finishAbandoned(recorded: RolloutState): Promise<void> {
    this.state = transition(recorded, { type: 'breach', reason: 'abandoned', message: `run ${recorded.runId} stopped mid-rollout` }, new Date(this.deps.now()));
    this.state = { ...this.state, runId: this.s.runId };
    await this.save();
    await this.deps.log.group('Roll back the abandoned rollout', async () => {
      try {
        await this.performRollback(this.state as RolloutState);
        this.state = transition(this.state as RolloutState, { type: 'rolled-back' }, new Date(this.deps.now()));
      } catch (err) {
        this.state = transition(this.state as RolloutState, { type: 'rollback-failed', message: errorMessage(err) }, new Date(this.deps.now()));
        await this.save();
        throw new CanaryGateError('internal', `Could not roll back the abandoned rollout ${recorded.runId}: ${errorMessage(err)}`);
      }
      await this.save();
    });
  }

  /** mode: promote / abort — asks the live run, or does it itself when no run is alive. */
  private async request(kind: 'promote' | 'abort'): Promise<RunOutcome> {
    const { log } = this.deps;
    const recorded = await this.workloads.readState(this.s.deployment);
    if (!recorded || isTerminal(recorded.phase)) {
      const message = `No rollout in progress on ${this.s.namespace}/${this.s.deployment}${recorded ? ` (last: ${recorded.phase})` : ''}: nothing to ${kind}.`;
      log.info(message);
      return this.outcome(recorded?.result ?? 'noop', message, recorded?.reason);
    }
    this.builder.setSteps(recorded.steps);
    this.builder.report.images = { stable: recorded.stableImage, canary: recorded.canaryImage };
    const lock = this.lock();
    const lease = await lock.read();
    if (lease.kind === 'held' && lease.holder !== this.s.runId) {
      log.info(`Rollout ${recorded.runId} is live (lease held by ${lease.holder}): asking it to ${kind}.`);
      await this.workloads.writeRequest(this.s.deployment, kind);
      return this.awaitTerminal(kind);
    }
    await lock.acquire();
    try {
      const now = new Date(this.deps.now());
      this.state = { ...recorded, runId: this.s.runId };
      this.state =
        kind === 'abort' && this.s.cleanupOfCancelledRun
          ? transition(this.state, { type: 'breach', reason: 'cancelled', message: 'the run was cancelled or killed mid-rollout; rolled back by its post step' }, now)
          : kind === 'abort'
          ? transition(this.state, { type: 'abort-requested', message: `mode: abort (run ${this.s.runId})` }, now)
          : this.state.phase === 'rolling-back' || this.state.phase === 'promoting'
            ? this.state
            : transition(this.state, { type: 'promote-requested' }, now);
      await this.save();
      return await this.drive(new AbortController().signal);
    } finally {
      await lock.release();
    }
  }

  private async awaitTerminal(kind: string): Promise<RunOutcome> {
    const deadline = this.deps.now() + this.s.timeoutMs;
    for (;;) {
      const state = await this.workloads.readState(this.s.deployment);
      if (state && isTerminal(state.phase)) {
        this.builder.setPhase(state.phase, state.weight);
        const message = `the live run finished the ${kind}: ${state.phase}${state.message ? ` — ${state.message}` : ''}`;
        return this.outcome(state.result ?? 'failed', message, state.reason);
      }
      if (this.deps.now() > deadline) {
        throw new CanaryGateError('timeout', `The live rollout did not act on the ${kind} request within ${Math.round(this.s.timeoutMs / 1000)}s.`);
      }
      await this.deps.sleep(REQUEST_POLL_MS, this.deps.signal);
    }
  }

  private async save(): Promise<void> {
    const state = this.state;
    if (!state) return;
    this.builder.setPhase(state.phase, state.weight);
    try {
      await this.workloads.saveState(this.s.deployment, state);
    } catch (err) {
      // Losing the record must not stop a rollback; forward progress without it is unsafe.
      if (state.phase !== 'rolling-back' && !isTerminal(state.phase)) throw err;
      this.deps.log.warning(`Could not record state ${state.phase}: ${errorMessage(err)}`);
    }
    this.deps.onState?.(state);
  }

  /** Runs the state machine to a terminal phase. Forward actions stop on cancel, timeout or a lost lease. */
  private async drive(leaseLost: AbortSignal): Promise<RunOutcome> {
    const timeout = AbortSignal.timeout(this.s.timeoutMs);
    const signals = [timeout, leaseLost, ...(this.deps.signal ? [this.deps.signal] : [])];
    const forward = AbortSignal.any(signals);
    for (;;) {
      const state = this.state as RolloutState;
      const action = nextAction(state);
      if (action.kind === 'finish') {
        const message = action.result === 'promoted' ? `${state.canaryImage} promoted: ${this.s.deployment} runs it at 100 %` : `${state.message ?? action.result}`;
        await this.builder.finished(action.result, message, action.result === 'promoted' ? undefined : state.reason);
        return this.outcome(action.result, message, action.result === 'promoted' ? undefined : state.reason);
      }
      let event: MachineEvent;
      try {
        if (action.kind !== 'rollback' && forward.aborted) throw forward.reason;
        event = await this.perform(action, forward);
      } catch (err) {
        event = action.kind === 'rollback' ? { type: 'rollback-failed', message: errorMessage(err) } : this.breachFor(err, { timeout, leaseLost });
        if (action.kind !== 'rollback') this.deps.log.error(`${action.kind} failed: ${event.type === 'breach' ? event.message : ''}`);
      }
      if (event.type === 'breach' || event.type === 'abort-requested') {
        const message = event.message;
        const reason = event.type === 'breach' ? event.reason : 'aborted';
        await this.builder.rollingBack(reason, message);
      }
      this.state = transition(state, event, new Date(this.deps.now()));
      try {
        await this.save();
      } catch (err) {
        // A forward step could not be recorded (API down past the retries): going on without the
        // record is unsafe, and stopping here would leave the canary with traffic — roll back.
        const message = `could not record the rollout state: ${errorMessage(err)}`;
        this.deps.log.error(`${message}; rolling back.`);
        await this.builder.rollingBack(errorReason(err), message);
        this.state = transition(this.state as RolloutState, { type: 'breach', reason: errorReason(err), message }, new Date(this.deps.now()));
        await this.save();
      }
    }
  }

  private breachFor(err: unknown, signals: { timeout: AbortSignal; leaseLost: AbortSignal }): MachineEvent {
    if (signals.timeout.aborted) {
      return { type: 'breach', reason: 'timeout', message: `the rollout did not finish within the overall timeout of ${Math.round(this.s.timeoutMs / 1000)}s` };
    }
    if (this.deps.signal?.aborted) return { type: 'breach', reason: 'cancelled', message: 'the run was cancelled (signal received)' };
    if (signals.leaseLost.aborted) return { type: 'breach', reason: 'locked', message: errorMessage(signals.leaseLost.reason) };
    return { type: 'breach', reason: errorReason(err), message: errorMessage(err) };
  }

  private async perform(action: Exclude<Action, { kind: 'finish' }>, signal: AbortSignal): Promise<MachineEvent> {
    const { log } = this.deps;
    switch (action.kind) {
      case 'deploy-canary':
        return log.group(`Deploy canary ${this.s.namespace}/${this.canary}`, () => this.deployCanary(signal));
      case 'shift':
        return log.group(`Step ${action.stepIndex + 1}/${this.s.steps.length}: shift ${action.weight}% to the canary`, () =>
          this.shift(action.stepIndex, action.weight, signal),
        );
      case 'analyse':
        return log.group(`Step ${action.stepIndex + 1}/${this.s.steps.length}: analyse at ${action.weight}%`, () =>
          this.analyse(action.stepIndex, action.weight, signal),
        );
      case 'promote':
        return log.group('Promote', () => this.promote(signal));
      case 'rollback':
        return log.group(`Roll back (${action.reason})`, async () => {
          log.error(`Rolling back: ${action.reason} — ${action.message}`);
          await this.performRollback(this.state as RolloutState);
          return { type: 'rolled-back' } as const;
        });
    }
  }

  private async deployCanary(signal: AbortSignal): Promise<MachineEvent> {
    const state = this.state as RolloutState;
    const { router, log } = this.deps;
    // Order matters (docs/routers.md): stable pods labelled, routing verified, stable-only backends
    // prepared at 100 % stable, and only then canary pods that the user's Service also selects.
    if (this.s.stableTrackLabel) await this.labelStablePods(signal);
    await router.verify();
    await router.prepare?.();
    this.builder.report.routerNotes = router.notes?.() ?? [];
    const stable = await this.workloads.getStable(this.s.deployment);
    const replicas = this.initialCanaryReplicas(state);
    const desired = buildCanaryDeployment(stable, { image: state.canaryImage, container: state.container, replicas, runId: this.s.runId });
    await this.workloads.upsert(desired);
    log.info(`Canary ${this.canary} deployed with ${state.canaryImage} (${replicas} replica(s)); waiting for it to be ready.`);
    await this.waitReady(this.canary, signal);
    return { type: 'canary-ready' };
  }

  /**
   * Stable-only backends (Istio subsets, the `<service>-stable` Service) select
   * `canary-gate.io/track: stable`. Stable pods without it get it once, through their template: a
   * rolling restart with the same image, kept from then on (promotion keeps the template's labels).
   */
  private async labelStablePods(signal: AbortSignal): Promise<void> {
    const stable = await this.workloads.getStable(this.s.deployment);
    if (stable.spec.template.metadata?.labels?.[TRACK_LABEL] === 'stable') return;
    this.deps.log.warning(
      `Labelling the stable pods of ${this.s.deployment} with ${TRACK_LABEL}=stable (one-time rolling restart, same image) so the ${this.deps.router.name} router can address them apart from the canary.`,
    );
    await this.workloads.setTemplateLabel(this.s.deployment, TRACK_LABEL, 'stable');
    await this.waitReady(this.s.deployment, signal);
  }

  private initialCanaryReplicas(state: RolloutState): number {
    if (this.s.canaryReplicas !== 'auto') return this.s.canaryReplicas;
    // The replicas router owns the canary's replica count: it starts at 0 and setWeight scales it.
    if (this.deps.router.name === 'replicas') return 0;
    return proportionalReplicas(state.stableReplicas, state.steps[0] ?? 1);
  }

  private async shift(stepIndex: number, weight: number, signal: AbortSignal): Promise<MachineEvent> {
    const state = this.state as RolloutState;
    const { router, log } = this.deps;
    if (this.s.canaryReplicas === 'auto' && router.name !== 'replicas') {
      const want = proportionalReplicas(state.stableReplicas, weight);
      const canary = await this.workloads.get(this.canary);
      if ((canary?.spec.replicas ?? 0) < want) {
        log.info(`Scaling the canary to ${want} replica(s) for ${weight}% of the traffic.`);
        await this.workloads.scale(this.canary, want);
        await this.waitReady(this.canary, signal);
      }
    }
    await router.setWeight(weight);
    if (router.name === 'replicas') await this.waitReady(this.canary, signal);
    const effective = await router.getWeight();
    this.builder.report.routerNotes = router.notes?.() ?? [];
    log.info(`Canary weight set to ${weight}% (router ${router.name} reports ${effective}%).`);
    await this.builder.stepStarted(stepIndex, weight);
    return { type: 'shifted', weight };
  }

  private async analyse(stepIndex: number, weight: number, signal: AbortSignal): Promise<MachineEvent> {
    const { log, gates, now } = this.deps;
    if (this.s.settleMs > 0) {
      log.info(`Settling for ${Math.round(this.s.settleMs / 1000)}s so the metrics reflect the new weight.`);
      const settled = await this.waitWatchingRequests(this.s.settleMs, signal);
      if (settled) return settled;
    }
    const stepStartedAt = now();
    const ctx = () => ({ stepIndex, weight, stepStartedAt, now: now(), signal });
    for (const gate of gates) await gate.beginStep?.(ctx());
    for (let check = 1; ; check++) {
      const results: [string, GateCheck][] = [['readiness', await this.readinessCheck()]];
      for (const gate of gates) {
        try {
          results.push([gate.name, await gate.check(ctx())]);
        } catch (err) {
          results.push([gate.name, { verdict: 'fail', summary: `gate error: ${errorMessage(err)}`, metrics: [] }]);
        }
      }
      this.builder.checkRound(stepIndex);
      for (const [name, result] of results) {
        await this.builder.gateChecked(stepIndex, weight, name, result);
        log.info(`check ${check} ${name}: ${result.verdict} — ${result.summary}`);
      }
      const failed = results.filter(([, r]) => r.verdict === 'fail');
      if (failed.length > 0) {
        this.builder.stepEnded(stepIndex, 'fail');
        const gateReasons = new Set(failed.map(([, r]) => r.reason ?? 'gate-failed'));
        const reason: FailureReason = failed.some(([name]) => name === 'readiness')
          ? (this.lastReadinessReason ?? 'not-ready')
          : gateReasons.size === 1
            ? ([...gateReasons][0] ?? 'gate-failed')
            : 'gate-failed';
        throw new CanaryGateError(reason, failed.map(([name, r]) => failureText(name, r)).join('; '));
      }
      if (results.every(([, r]) => r.verdict === 'pass')) {
        this.builder.stepEnded(stepIndex, 'pass');
        return { type: 'step-passed' };
      }
      if (now() - stepStartedAt >= this.s.stepTimeoutMs) {
        const undecided = results.filter(([, r]) => r.verdict !== 'pass');
        const inconclusive = undecided.some(([, r]) => r.verdict === 'inconclusive');
        this.builder.stepEnded(stepIndex, inconclusive ? 'inconclusive' : 'fail');
        throw new CanaryGateError(
          inconclusive ? 'gate-inconclusive' : 'timeout',
          `step ${stepIndex + 1} (${weight}%) did not pass within ${Math.round(this.s.stepTimeoutMs / 1000)}s (step-timeout): ${undecided.map(([name, r]) => `${name}: ${r.verdict} — ${r.summary}`).join('; ')}`,
        );
      }
      const requested = await this.waitWatchingRequests(this.s.intervalMs, signal);
      if (requested) return requested;
    }
  }

  private lastReadinessReason: FailureReason | undefined;

  /** The built-in gate: both versions ready, no crash loops. */
  private async readinessCheck(): Promise<GateCheck> {
    const [canary, stable] = await Promise.all([this.workloads.assess(this.canary), this.workloads.assess(this.s.deployment)]);
    const failed = [canary, stable].find((r) => r.state === 'failed');
    if (failed && failed.state === 'failed') {
      this.lastReadinessReason = failed.reason;
      return { verdict: 'fail', summary: failed.message, metrics: [] };
    }
    const verdict = canary.state === 'ready' && stable.state === 'ready' ? 'pass' : 'continue';
    return { verdict, summary: `canary ${canary.message}; stable ${stable.message}`, metrics: [] };
  }

  /** Sleeps up to `ms`, returning early with an event when another run asked to promote or abort. */
  private async waitWatchingRequests(ms: number, signal: AbortSignal): Promise<MachineEvent | undefined> {
    const end = this.deps.now() + ms;
    for (;;) {
      const request = await this.workloads.readRequest(this.s.deployment);
      if (request) {
        await this.workloads.writeRequest(this.s.deployment, null);
        this.deps.log.info(`Another run asked to ${request} (mode: ${request}).`);
        return request === 'abort' ? { type: 'abort-requested', message: 'abort requested by another run (mode: abort)' } : { type: 'promote-requested' };
      }
      const left = end - this.deps.now();
      if (left <= 0) return undefined;
      await this.deps.sleep(Math.min(left, REQUEST_POLL_MS * 5), signal);
    }
  }

  private async promote(signal: AbortSignal): Promise<MachineEvent> {
    const state = this.state as RolloutState;
    const { router, log } = this.deps;
    await this.builder.promoting();
    log.info(`Promoting: ${this.s.deployment} takes ${state.canaryImage}.`);
    await this.workloads.setImage(this.s.deployment, state.container, state.canaryImage);
    await this.waitReady(this.s.deployment, signal);
    // Another writer (a GitOps controller re-applying the manifest) may have put its image back.
    const live = containerImage(await this.workloads.getStable(this.s.deployment), state.container);
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
    return { type: 'promoted' };
  }

  /**
   * Undo: stable gets its original image back if a promotion had begun, traffic returns to stable
   * (at once, or step by step for `rollback: gradual`), the canary goes to zero, stable is verified.
   * Not cancellable by the run's signal: a rollback must finish.
   */
  private async performRollback(state: RolloutState): Promise<void> {
    const { router, log } = this.deps;
    const stable = await this.workloads.get(this.s.deployment);
    if (stable && containerImage(stable, state.container) !== state.stableImage && state.stableImage !== '') {
      log.info(`Restoring ${this.s.deployment} to ${state.stableImage}.`);
      await this.workloads.setImage(this.s.deployment, state.container, state.stableImage);
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
    this.builder.setPhase('rolling-back', 0);
    log.info('All traffic is on stable.');
    await this.retireCanary();
    await router.cleanup?.();
    if (stable) {
      await this.waitReady(this.s.deployment, AbortSignal.timeout(this.s.readyTimeoutMs + 5_000));
      log.info(`${this.s.deployment} verified ready.`);
    }
  }

  private async retireCanary(): Promise<void> {
    if (this.s.cleanup === 'delete') {
      await this.workloads.remove(this.canary);
      this.deps.log.info(`Canary ${this.canary} deleted.`);
    } else if (await this.workloads.get(this.canary)) {
      await this.workloads.scale(this.canary, 0);
      // Routers' cleanup() points routes back at the user's Service, which selects canary pods too:
      // wait until they are gone.
      await this.workloads.waitReady(this.canary, { timeoutMs: this.s.readyTimeoutMs, pollMs: this.s.pollMs, now: this.deps.now });
      this.deps.log.info(`Canary ${this.canary} scaled to 0.`);
    }
  }

  private waitReady(name: string, signal: AbortSignal): Promise<void> {
    return this.workloads.waitReady(name, {
      timeoutMs: this.s.readyTimeoutMs,
      pollMs: this.s.pollMs,
      signal,
      now: this.deps.now,
      onProgress: (m) => this.deps.log.info(m),
    });
  }
}

/** The reason a person reads first: each failing metric with its numbers, else the gate's summary. */
function failureText(gate: string, check: GateCheck): string {
  const metrics = check.metrics.filter((m) => m.verdict === 'fail');
  if (metrics.length === 0) return `${gate}: ${check.summary}`;
  return metrics
    .map((m) => {
      const values = [
        m.canaryValue !== undefined ? `canary ${m.canaryValue}` : undefined,
        m.stableValue !== undefined ? `stable ${m.stableValue}` : undefined,
        m.threshold ? `threshold ${m.threshold}` : undefined,
      ].filter(Boolean);
      return `${m.name}: ${m.explanation}${values.length ? ` (${values.join(', ')})` : ''}`;
    })
    .join('; ');
}
