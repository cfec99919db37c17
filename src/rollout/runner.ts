/**
 * The rollout orchestrator: dispatches the mode (status.ts and request-mode.ts hold the read-only
 * and the promote/abort modes) and drives the state machine (machine.ts) to a terminal phase.
 * Each action is carried out by effects.ts (cluster) or step-analysis.ts (gates);
 * each transition is recorded on the stable Deployment before the next effect, and every failure
 * path — gate breach, error, overall timeout, cancel, lost lease — ends in a rollback.
 */
import { CanaryGateError, errorMessage, errorReason } from '../util/errors.ts';
import { canaryName, containerImage, pickContainer } from './canary-deployment.ts';
import { RolloutEffects } from './effects.ts';
import { LeaseLock } from './lease-lock.ts';
import { breachEvent, initialState, isTerminal, nextAction, transition, type Action, type MachineEvent, type RolloutState } from './machine.ts';
import { runPreflight } from './preflight.ts';
import { StateRecord } from './state-record.ts';
import { readStatus } from './status.ts';
import { rolloutVerifications, verifyBeforeFirstWrite } from './verify.ts';
import { TRACK_LABEL } from '../traffic/router.ts';
import { createReadinessGate } from './readiness-gate.ts';
import { ReportBuilder } from './report-builder.ts';
import type { StepGate } from './gate.ts';
import { advancedSteps, type RolloutResult } from './report.ts';
import { RequestChannel } from './request-channel.ts';
import { runRequest } from './request-mode.ts';
import type { RunnerDeps, RunOutcome, RunSettings } from './run-settings.ts';
import { analyseStep, beginRollout } from './step-analysis.ts';
import { Workloads } from './workloads.ts';

export type { RunnerDeps, RunOutcome, RunSettings } from './run-settings.ts';

export class RolloutRunner {
  private readonly deps: RunnerDeps;
  private readonly s: RunSettings;
  private readonly workloads: Workloads;
  private readonly effects: RolloutEffects;
  private readonly requests: RequestChannel;
  private readonly record: StateRecord;
  /** The built-in gate, checked first in every step. */
  private readonly readiness: StepGate;
  private readonly canary: string;
  readonly builder: ReportBuilder;

  constructor(deps: RunnerDeps, settings: RunSettings) {
    this.deps = deps;
    this.s = settings;
    this.workloads = new Workloads(deps.kube, settings.namespace);
    this.canary = canaryName(settings.deployment);
    this.builder = ReportBuilder.forRun(settings, this.canary, deps.router.name, deps.publish, deps.now);
    const { router, log, now, sleep } = deps;
    this.effects = new RolloutEffects({ workloads: this.workloads, router, log, now, sleep, report: this.builder }, settings, this.canary);
    this.requests = new RequestChannel(this.workloads, settings.deployment, { now, sleep, log });
    this.record = new StateRecord({ workloads: this.workloads, deployment: settings.deployment, builder: this.builder, log, onState: deps.onState });
    this.readiness = createReadinessGate(this.workloads, { canary: this.canary, stable: settings.deployment });
  }

  private outcome(result: RolloutResult, message: string, reason?: string): RunOutcome {
    return { result, weight: this.builder.report.weight, reason, message, canary: this.canary, report: this.builder.report };
  }

  private lock(): LeaseLock {
    const { namespace, deployment, runId: holder, leaseMs: durationMs } = this.s;
    return new LeaseLock({ kube: this.deps.kube, namespace, deployment, holder, durationMs, now: this.deps.now });
  }

  private date(): Date {
    return new Date(this.deps.now());
  }

  async run(): Promise<RunOutcome> {
    try {
      switch (this.s.mode) {
        case 'status': {
          const deps = { workloads: this.workloads, readLease: () => this.lock().read(), builder: this.builder, log: this.deps.log };
          const { result, message, reason } = await readStatus(deps, this.s);
          return this.outcome(result, message, reason);
        }
        case 'rollout':
          return await this.rollout();
        case 'promote':
        case 'abort': {
          const { log, now, sleep, signal } = this.deps;
          const finish = async (state: RolloutState) => this.drive(await this.record.save(state), new AbortController().signal);
          const { workloads, requests, builder } = this;
          const deps = { workloads, lock: this.lock(), requests, builder, log, now, sleep, signal, settings: this.s, finish, outcome: this.outcome.bind(this) };
          return await runRequest(deps, this.s.mode);
        }
      }
    } finally {
      await Promise.allSettled(this.deps.gates.map((g) => g.close?.()));
    }
  }

  /** Nothing to roll out: the Deployment already runs the image (all traffic is on it). */
  private alreadyRunning(image: string): RunOutcome {
    this.deps.log.info(`${this.s.namespace}/${this.s.deployment} already runs ${image}: nothing to roll out.`);
    this.builder.setPhase('noop', 100);
    return this.outcome('noop', `${this.s.deployment} already runs ${image}; nothing to do`);
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
      return this.alreadyRunning(image);
    }
    // Everything that can be checked is checked before the first write (the Lease).
    const stableLabelPending = this.s.stableTrackLabel && stable.spec.template.metadata?.labels?.[TRACK_LABEL] !== 'stable';
    const checks = rolloutVerifications({ ...this.deps, stableLabelPending });
    await verifyBeforeFirstWrite(checks, log, this.deps.signal);
    await this.builder.started();
    const blocked = await runPreflight({ prechecks: this.deps.prechecks, builder: this.builder, log }, this.deps.signal);
    if (blocked) {
      await this.builder.finished('aborted', blocked.message, blocked.reason);
      return this.outcome('aborted', blocked.message, blocked.reason);
    }
    await beginRollout(this.deps.gates, { steps: this.s.steps, startedAt: this.deps.now(), intervalMs: this.s.intervalMs, signal: this.deps.signal });
    const { previousHolder } = await lock.acquire().catch(async (err: unknown) => {
      await this.builder.finished('failed', errorMessage(err), errorReason(err));
      throw err;
    });
    const leaseLost = new AbortController();
    lock.startRenewing((err) => leaseLost.abort(err));
    try {
      await this.requests.clear();
      const recorded = await this.workloads.readState(this.s.deployment);
      if (recorded && !isTerminal(recorded.phase)) {
        // Another (dead) run's rollout, or this attempt's own before a crash: undo, then start cleanly.
        if (recorded.runId !== this.s.runId) {
          log.warning(
            `Found an unfinished rollout ${recorded.runId} (${recorded.phase} at ${recorded.weight}%${previousHolder ? `, its lease expired` : ''}): rolling it back before starting.`,
          );
        }
        await this.finishAbandoned(recorded);
      }
      const current = await this.workloads.getStable(this.s.deployment);
      const currentImage = containerImage(current, container.name) ?? '';
      this.builder.report.images = { stable: currentImage, canary: image };
      if (currentImage === image) {
        await this.builder.finished('noop', `already running ${image}`);
        return this.alreadyRunning(image);
      }
      const state = initialState({
        runId: this.s.runId,
        steps: this.s.steps,
        container: container.name,
        stableImage: currentImage,
        canaryImage: image,
        stableReplicas: current.spec.replicas ?? 1,
        now: this.date(),
      });
      return await this.drive(await this.record.save(state), leaseLost.signal);
    } finally {
      await lock.release();
    }
  }

  /** Rolls back a rollout another (dead) run left behind, using what its state recorded. */
  private async finishAbandoned(recorded: RolloutState): Promise<void> {
    const breach = { type: 'breach', reason: 'abandoned', message: `run ${recorded.runId} stopped mid-rollout` } as const;
    const state = await this.record.save({ ...transition(recorded, breach, this.date()), runId: this.s.runId });
    await this.deps.log.group('Roll back the abandoned rollout', async () => {
      try {
        await this.effects.rollback(state);
      } catch (err) {
        await this.record.save(transition(state, { type: 'rollback-failed', message: errorMessage(err) }, this.date()));
        throw new CanaryGateError('internal', `Could not roll back the abandoned rollout ${recorded.runId}: ${errorMessage(err)}`);
      }
      await this.record.save(transition(state, { type: 'rolled-back' }, this.date()));
    });
  }

  /** Runs the state machine to a terminal phase. Forward actions stop on cancel, timeout or a lost lease. */
  private async drive(initial: RolloutState, leaseLost: AbortSignal): Promise<RunOutcome> {
    const timeout = AbortSignal.timeout(this.s.timeoutMs);
    const forward = AbortSignal.any([timeout, leaseLost, ...(this.deps.signal ? [this.deps.signal] : [])]);
    for (let state = initial; ; ) {
      const action = nextAction(state);
      if (action.kind === 'finish') {
        const promoted = action.result === 'promoted';
        // A promotion through steps that advanced undecided (on-inconclusive: advance) says so first.
        const advanced = advancedSteps(this.builder.report).map((s) => s.advanced.headline);
        const message = promoted ? [`${state.canaryImage} promoted: ${this.s.deployment} runs it at 100 %`, ...advanced].join('; ') : `${state.message ?? action.result}`;
        await this.builder.finished(action.result, message, promoted ? undefined : state.reason);
        return this.outcome(action.result, message, promoted ? undefined : state.reason);
      }
      let event: MachineEvent;
      try {
        if (action.kind !== 'rollback' && forward.aborted) throw forward.reason;
        event = await this.perform(state, action, forward);
      } catch (err) {
        event = action.kind === 'rollback' ? { type: 'rollback-failed', message: errorMessage(err) } : breachEvent(err, { timedOut: timeout.aborted, cancelled: !!this.deps.signal?.aborted, leaseLost: leaseLost.aborted && { reason: leaseLost.reason } }, this.s.timeoutMs);
        // The reason itself is said once, as the job's failure (one annotation), not at every layer.
        if (action.kind !== 'rollback') this.deps.log.info(`${action.kind} failed${event.type === 'breach' ? ` (${event.reason})` : ''}; rolling back.`);
      }
      if (event.type === 'breach' || event.type === 'abort-requested') {
        await this.builder.rollingBack(event.type === 'breach' ? event.reason : 'aborted', event.message);
      }
      state = transition(state, event, this.date());
      try {
        state = await this.record.save(state);
      } catch (err) {
        // A forward step could not be recorded (API down past the retries): going on without the
        // record is unsafe, and stopping here would leave the canary with traffic — roll back.
        const message = `could not record the rollout state: ${errorMessage(err)}`;
        this.deps.log.error(`${message}; rolling back.`);
        await this.builder.rollingBack(errorReason(err), message);
        state = await this.record.save(transition(state, { type: 'breach', reason: errorReason(err), message }, this.date()));
      }
    }
  }

  private async perform(state: RolloutState, action: Exclude<Action, { kind: 'finish' }>, signal: AbortSignal): Promise<MachineEvent> {
    const { log } = this.deps;
    const step = (i: number) => `Step ${i + 1}/${this.s.steps.length}`;
    switch (action.kind) {
      case 'deploy-canary':
        await log.group(`Deploy canary ${this.s.namespace}/${this.canary}`, () => this.effects.deployCanary(state, signal));
        return { type: 'canary-ready' };
      case 'shift':
        return log.group(`${step(action.stepIndex)}: shift ${action.weight}% to the canary`, async () => {
          await this.effects.shift(state, action.weight, signal);
          await this.builder.stepStarted(action.stepIndex, action.weight);
          return { type: 'shifted', weight: action.weight } as const;
        });
      case 'analyse': {
        const deps = { gates: [this.readiness, ...this.deps.gates], builder: this.builder, requests: this.requests, log, now: this.deps.now, settings: this.s };
        return log.group(`${step(action.stepIndex)}: analyse at ${action.weight}%`, () => analyseStep(deps, action.stepIndex, action.weight, signal));
      }
      case 'promote':
        return log.group('Promote', async () => {
          await this.builder.promoting();
          await this.effects.promote(state, signal);
          return { type: 'promoted' } as const;
        });
      case 'rollback':
        return log.group(`Roll back (${action.reason})`, async () => {
          log.info(`Rolling back: ${action.reason} — ${action.message}`);
          await this.effects.rollback(state);
          return { type: 'rolled-back' } as const;
        });
    }
  }
}
