import type { LeaseStatus } from '../../src/rollout/lease-lock.ts';
import { initialState, transition, type RolloutState } from '../../src/rollout/machine.ts';
import { planRequest, type RequestSituation } from '../../src/rollout/request-plan.ts';

const at = new Date('2026-01-01T00:00:00Z');
const deploying = (runId: string): RolloutState =>
  initialState({ runId, steps: [50], container: 'web', stableImage: 'web:1', canaryImage: 'web:2', stableReplicas: 2, now: at });
const promoted = (runId: string): RolloutState => ({ ...deploying(runId), phase: 'promoted', result: 'promoted', weight: 100 });
const rolledBack = (runId: string): RolloutState => {
  const s = transition(transition(deploying(runId), { type: 'breach', reason: 'canary-crashloop', message: 'CrashLoopBackOff' }, at), { type: 'rolled-back' }, at);
  return s;
};
const free: LeaseStatus = { kind: 'free' };
const held = (holder: string): LeaseStatus => ({ kind: 'held', holder, expiresAt: 60_000 });
const expired = (holder: string): LeaseStatus => ({ kind: 'expired', holder, expiredAt: 0 });

const situation = (s: Partial<RequestSituation>): RequestSituation => ({
  kind: 'abort',
  runId: 'me',
  cleanupOfCancelledRun: false,
  target: 'demo/web',
  recorded: undefined,
  lease: free,
  ...s,
});

describe('the post step answers for its own run, never an earlier one', () => {
  test.each<[string, Partial<RequestSituation>, ReturnType<typeof planRequest>]>([
    [
      'killed between the Lease and the state (an earlier run promoted): noop/cancelled, its Lease freed',
      { recorded: promoted('earlier'), lease: held('me') },
      { do: 'report', result: 'noop', reason: 'cancelled', message: 'run me was stopped before it changed anything on demo/web (it had taken the lock, now released): nothing to roll back', releaseOwnLease: true },
    ],
    [
      'killed before the Lease (an earlier run rolled back a crash loop): noop/cancelled, not rolled-back (canary-crashloop)',
      { recorded: rolledBack('earlier'), lease: free },
      { do: 'report', result: 'noop', reason: 'cancelled', message: 'run me was stopped before it changed anything on demo/web: nothing to roll back', releaseOwnLease: true },
    ],
    ['killed mid-rollout: finish (roll back) its own rollout', { recorded: deploying('me'), lease: held('me') }, { do: 'finish' }],
    ['killed mid-rollout, its Lease already expired: finish', { recorded: deploying('me'), lease: expired('me') }, { do: 'finish' }],
    [
      'killed after its terminal state was written: its own result',
      { recorded: promoted('me'), lease: held('me') },
      { do: 'report', result: 'promoted', message: 'run me had finished: promoted', releaseOwnLease: true },
    ],
    [
      'killed after taking over, before touching the abandoned rollout: that rollout is left to the next run',
      { recorded: deploying('dead'), lease: held('me') },
      {
        do: 'report',
        result: 'noop',
        reason: 'cancelled',
        message: 'run me was stopped before it changed anything on demo/web (it had taken the lock, now released): nothing to roll back; the unfinished rollout of run dead is left to the next rollout or mode: abort',
        releaseOwnLease: true,
      },
    ],
  ])('%s', (_name, s, expected) => {
    expect(planRequest(situation({ ...s, cleanupOfCancelledRun: true }))).toEqual(expected);
  });
});

describe('mode abort and promote', () => {
  test.each<[string, Partial<RequestSituation>, ReturnType<typeof planRequest>]>([
    ['a live run with a rollout in progress is asked', { recorded: deploying('live'), lease: held('live') }, { do: 'ask', holder: 'live' }],
    ['an abandoned rollout (Lease expired) is finished here', { recorded: deploying('dead'), lease: expired('dead') }, { do: 'finish' }],
    ['an abandoned rollout without a Lease is finished here', { recorded: deploying('dead'), lease: free }, { do: 'finish' }],
    [
      'the asked run finished: its result is the answer',
      { recorded: rolledBack('live'), lease: free, asked: 'live' },
      { do: 'report', result: 'rolled-back', reason: 'canary-crashloop', message: 'the live run finished the abort: rolled-back — CrashLoopBackOff', releaseOwnLease: false },
    ],
    [
      'nothing in progress: noop, not the last run\'s result',
      { recorded: promoted('earlier'), lease: free },
      { do: 'report', result: 'noop', message: 'No rollout in progress on demo/web (the last rollout, run earlier, ended promoted): nothing to abort.', releaseOwnLease: false },
    ],
    [
      'a lock held by a run that recorded nothing (starting, or killed right after locking): wait',
      { recorded: promoted('earlier'), lease: held('dead') },
      { do: 'wait-for-lock', holder: 'dead', expiresAt: 60_000 },
    ],
    ['that lock expired: free it', { recorded: promoted('earlier'), lease: expired('dead') }, { do: 'release-lock', holder: 'dead' }],
    [
      'promote with nothing in progress and a stray lock: noop (nothing to promote)',
      { kind: 'promote', recorded: promoted('earlier'), lease: held('dead') },
      { do: 'report', result: 'noop', message: 'No rollout in progress on demo/web (the last rollout, run earlier, ended promoted): nothing to promote.', releaseOwnLease: false },
    ],
  ])('%s', (_name, s, expected) => {
    expect(planRequest(situation(s))).toEqual(expected);
  });
});
