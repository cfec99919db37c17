/**
 * What mode promote / abort (and the post step, which is an abort on behalf of its own killed main
 * step) should do, decided from the recorded state and the Lease alone — pure, re-evaluated at
 * every poll until it says to act or to report.
 *
 * The result always describes the run being answered for: the post step reports what *its* main
 * step did (noop with reason cancelled when that run was stopped before it recorded a rollout,
 * never an earlier run's result), and a user's abort reports noop when nothing is in progress.
 * A Lease held by a run that recorded no rollout is either a run that is starting or one that died
 * between taking the Lease and writing its state: abort waits until that run records its rollout
 * (then asks it) or its Lease expires (then frees it) — so "run mode: abort" always works.
 */
import type { LeaseStatus } from './lease-lock.ts';
import { isTerminal, type RolloutState } from './machine.ts';
import type { RolloutResult } from './report.ts';

export type RequestPlan =
  /** Nothing (more) to do: report this. `releaseOwnLease`: a Lease this run id holds is freed. */
  | { do: 'report'; result: RolloutResult; reason?: string; message: string; releaseOwnLease: boolean }
  /** A live run holds the Lease and has a rollout in progress: ask it (once) and watch. */
  | { do: 'ask'; holder: string }
  /** No live run has the rollout in progress: take the Lease and finish it here. */
  | { do: 'finish' }
  /** A run holds the Lease without a recorded rollout (starting, or died just after locking): watch. */
  | { do: 'wait-for-lock'; holder: string; expiresAt: number }
  /** The Lease of a run that recorded no rollout has expired: free it. */
  | { do: 'release-lock'; holder: string };

export interface RequestSituation {
  kind: 'promote' | 'abort';
  /** This run's id (for the post step: the id of the main step it cleans up after). */
  runId: string;
  cleanupOfCancelledRun: boolean;
  target: string;
  recorded: RolloutState | undefined;
  lease: LeaseStatus;
  /** The run this one asked earlier (its state, once terminal, is the answer). */
  asked?: string;
}

export function planRequest(s: RequestSituation): RequestPlan {
  const { recorded, lease, runId, kind } = s;
  const inProgress = recorded !== undefined && !isTerminal(recorded.phase);
  const leaseHolder = lease.kind === 'free' ? undefined : lease.holder;

  if (s.cleanupOfCancelledRun) {
    if (inProgress && recorded.runId === runId) return { do: 'finish' };
    if (recorded && !inProgress && recorded.runId === runId) {
      // The main step reached its end but was stopped before it said so: its own result.
      return { do: 'report', result: recorded.result ?? 'failed', ...(recorded.reason ? { reason: recorded.reason } : {}), message: `run ${runId} had finished: ${recorded.phase}${recorded.message ? ` — ${recorded.message}` : ''}`, releaseOwnLease: true };
    }
    const other = inProgress ? `; the unfinished rollout of run ${recorded.runId} is left to the next rollout or mode: abort` : '';
    return {
      do: 'report',
      result: 'noop',
      reason: 'cancelled',
      message: `run ${runId} was stopped before it changed anything on ${s.target}${leaseHolder === runId ? ' (it had taken the lock, now released)' : ''}: nothing to roll back${other}`,
      releaseOwnLease: true,
    };
  }

  if (s.asked && recorded && !inProgress && recorded.runId === s.asked) {
    return { do: 'report', result: recorded.result ?? 'failed', ...(recorded.reason ? { reason: recorded.reason } : {}), message: `the live run finished the ${kind}: ${recorded.phase}${recorded.message ? ` — ${recorded.message}` : ''}`, releaseOwnLease: false };
  }
  if (inProgress) {
    if (lease.kind === 'held' && lease.holder !== runId) return { do: 'ask', holder: lease.holder };
    return { do: 'finish' };
  }
  const last = recorded ? ` (the last rollout, run ${recorded.runId}, ended ${recorded.phase})` : '';
  if (kind === 'abort' && lease.kind === 'held' && lease.holder !== runId) return { do: 'wait-for-lock', holder: lease.holder, expiresAt: lease.expiresAt };
  if (kind === 'abort' && lease.kind === 'expired') return { do: 'release-lock', holder: lease.holder };
  return { do: 'report', result: 'noop', message: `No rollout in progress on ${s.target}${last}: nothing to ${kind}.`, releaseOwnLease: false };
}
