/**
 * mode promote / abort (and the post step): asks the live run, or does it itself when no run is
 * alive; what to do is planned from the state and the Lease at every poll (request-plan.ts). The
 * runner lends its drive loop for the case where this run finishes the rollout itself.
 */
import { CanaryGateError } from '../util/errors.ts';
import type { LeaseLock } from './lease-lock.ts';
import { applyRequest, type RolloutState } from './machine.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger, RolloutResult } from './report.ts';
import { REQUEST_POLL_MS, type RequestChannel } from './request-channel.ts';
import { planRequest } from './request-plan.ts';
import type { RunOutcome, RunSettings } from './run-settings.ts';
import type { Workloads } from './workloads.ts';

export interface RequestModeDeps {
  workloads: Workloads;
  lock: LeaseLock;
  requests: RequestChannel;
  builder: ReportBuilder;
  log: Logger;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  settings: Pick<RunSettings, 'namespace' | 'deployment' | 'runId' | 'timeoutMs' | 'cleanupOfCancelledRun'>;
  /** Records the state and drives the rollout to its end (the runner's drive loop), under the lock. */
  finish: (state: RolloutState) => Promise<RunOutcome>;
  outcome: (result: RolloutResult, message: string, reason?: string) => RunOutcome;
}

export async function runRequest(deps: RequestModeDeps, kind: 'promote' | 'abort'): Promise<RunOutcome> {
  const { log, lock, workloads, builder, settings: s } = deps;
  const target = `${s.namespace}/${s.deployment}`;
  const deadline = deps.now() + s.timeoutMs;
  let asked: string | undefined;
  let waitingFor: string | undefined;
  for (;;) {
    const recorded = await workloads.readState(s.deployment);
    const lease = await lock.read();
    const plan = planRequest({ kind, runId: s.runId, cleanupOfCancelledRun: !!s.cleanupOfCancelledRun, target, recorded, lease, asked });
    if (recorded) {
      builder.setSteps(recorded.steps);
      builder.report.images = { stable: recorded.stableImage, canary: recorded.canaryImage };
    }
    switch (plan.do) {
      case 'report':
        if (plan.releaseOwnLease) await lock.release();
        if (recorded && recorded.runId === (asked ?? s.runId)) builder.setPhase(recorded.phase, recorded.weight);
        log.info(plan.message);
        return deps.outcome(plan.result, plan.message, plan.reason);
      case 'release-lock':
        await lock.acquire();
        await lock.release();
        log.info(`Released the lock of run ${plan.holder}, which stopped before it recorded a rollout; nothing to ${kind}.`);
        return deps.outcome('noop', `no rollout in progress on ${target}; released the expired lock of run ${plan.holder}, which had changed nothing`);
      case 'finish':
        if (asked) await deps.requests.clear(); // the run asked is gone; its request is answered here
        await lock.acquire();
        try {
          const current = (await workloads.readState(s.deployment)) as RolloutState;
          const request = kind === 'abort' && s.cleanupOfCancelledRun ? 'cleanup-of-cancelled-run' : kind;
          return await deps.finish(applyRequest({ ...current, runId: s.runId }, request, s.runId, new Date(deps.now())));
        } finally {
          await lock.release();
        }
      case 'ask':
        if (asked !== plan.holder) {
          log.info(`Rollout ${recorded?.runId ?? plan.holder} is live (lease held by ${plan.holder}): asking it to ${kind}.`);
          await deps.requests.ask(kind);
          asked = plan.holder;
        }
        break;
      case 'wait-for-lock':
        if (waitingFor !== plan.holder) {
          log.info(`Run ${plan.holder} holds the lock of ${target} but has recorded no rollout (starting, or stopped right after locking): waiting until it records one or its lock expires (in ${Math.max(0, Math.ceil((plan.expiresAt - deps.now()) / 1000))}s).`);
          waitingFor = plan.holder;
        }
        break;
    }
    if (deps.now() > deadline) {
      throw new CanaryGateError('timeout', `The ${kind} of ${target} did not complete within ${Math.round(s.timeoutMs / 1000)}s: ${asked ? `run ${asked} did not act on the request` : `run ${waitingFor} kept its lock without recording a rollout`}.`);
    }
    await deps.sleep(REQUEST_POLL_MS, deps.signal);
  }
}
