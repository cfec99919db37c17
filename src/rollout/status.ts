/** mode status: reads the recorded rollout and its lease, prints one line, writes nothing. */
import type { LeaseStatus } from './lease-lock.ts';
import type { RolloutState } from './machine.ts';
import { pickContainer } from './canary-deployment.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger, RolloutResult } from './report.ts';
import type { Workloads } from './workloads.ts';

export interface StatusReading {
  result: RolloutResult;
  message: string;
  reason?: string;
}

export async function readStatus(
  deps: { workloads: Workloads; readLease: () => Promise<LeaseStatus>; builder: ReportBuilder; log: Logger },
  target: { namespace: string; deployment: string; container?: string },
): Promise<StatusReading> {
  const { workloads, builder, log } = deps;
  const stable = await workloads.getStable(target.deployment);
  const state = await workloads.readState(target.deployment);
  const lease = await deps.readLease();
  const container = pickContainer(stable, target.container ?? state?.container);
  builder.report.images = { stable: container.image, canary: state?.canaryImage };
  if (!state) {
    log.info(`No Canary Gate rollout recorded on ${target.namespace}/${target.deployment}; it runs ${container.image ?? '?'}.`);
    return { result: 'noop', message: `no rollout recorded; ${target.deployment} runs ${container.image ?? '?'}` };
  }
  builder.setSteps(state.steps);
  builder.setPhase(state.phase, state.weight);
  log.info(statusLine(state, lease));
  return { result: state.result ?? 'noop', message: `phase ${state.phase} at ${state.weight}%`, reason: state.reason };
}

function statusLine(state: RolloutState, lease: LeaseStatus): string {
  const live = lease.kind === 'held' ? `held by ${lease.holder}` : lease.kind === 'expired' ? `expired (holder ${lease.holder} is gone)` : 'free';
  const why = state.reason ? `; reason: ${state.reason} — ${state.message ?? ''}` : '';
  return `Rollout ${state.runId}: phase ${state.phase}, step ${state.stepIndex + 1}/${state.steps.length}, canary weight ${state.weight}%, ${state.stableImage} → ${state.canaryImage}; lease ${live}${why}`;
}
