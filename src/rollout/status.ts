/** What mode status prints about a recorded rollout, pure. */
import type { LeaseStatus } from './lease-lock.ts';
import type { RolloutState } from './machine.ts';

export function statusLine(state: RolloutState, lease: LeaseStatus): string {
  const live = lease.kind === 'held' ? `held by ${lease.holder}` : lease.kind === 'expired' ? `expired (holder ${lease.holder} is gone)` : 'free';
  const why = state.reason ? `; reason: ${state.reason} — ${state.message ?? ''}` : '';
  return `Rollout ${state.runId}: phase ${state.phase}, step ${state.stepIndex + 1}/${state.steps.length}, canary weight ${state.weight}%, ${state.stableImage} → ${state.canaryImage}; lease ${live}${why}`;
}
