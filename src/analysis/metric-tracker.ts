import type { GateReason } from '../util/errors.ts';
import type { JudgeResult, Verdict } from './types.ts';

/**
 * Per-metric limits within a step. Pure: the gate keeps one TrackerState per metric and resets it
 * at the start of every step.
 */
export interface TrackerLimits {
  /** Consecutive failing checks before the metric fails the step (>= 1). */
  failureLimit: number;
  /** Consecutive inconclusive checks before the metric fails the step; undefined = never (the step's max duration decides). */
  inconclusiveLimit?: number;
  /** Consecutive provider errors before the metric fails with metrics-unavailable (>= 1). */
  errorLimit: number;
}

export interface TrackerState {
  consecutiveFailures: number;
  consecutiveInconclusive: number;
  consecutiveErrors: number;
  checks: number;
}

export const initialTrackerState = (): TrackerState => ({
  consecutiveFailures: 0,
  consecutiveInconclusive: 0,
  consecutiveErrors: 0,
  checks: 0,
});

export interface TrackedVerdict {
  state: TrackerState;
  verdict: Verdict;
  explanation: string;
  /** Machine-readable cause when the limits turned the verdict into a fail. */
  reason?: GateReason;
}

/** One check whose judge ran: applies failure-limit and inconclusive-limit. */
export function trackJudgeResult(prev: TrackerState, result: JudgeResult, limits: TrackerLimits): TrackedVerdict {
  const checks = prev.checks + 1;
  switch (result.verdict) {
    case 'fail': {
      const n = prev.consecutiveFailures + 1;
      const state = { checks, consecutiveFailures: n, consecutiveInconclusive: 0, consecutiveErrors: 0 };
      if (n >= limits.failureLimit) {
        return {
          state,
          verdict: 'fail',
          reason: 'gate-failed',
          explanation: `${result.explanation} (failed ${n} consecutive check${n === 1 ? '' : 's'}, failure-limit ${limits.failureLimit})`,
        };
      }
      return {
        state,
        verdict: 'continue',
        explanation: `${result.explanation} (failure ${n} of ${limits.failureLimit} allowed consecutive; checking again)`,
      };
    }
    case 'inconclusive': {
      const n = prev.consecutiveInconclusive + 1;
      const state = { checks, consecutiveFailures: 0, consecutiveInconclusive: n, consecutiveErrors: 0 };
      if (limits.inconclusiveLimit !== undefined && n >= limits.inconclusiveLimit) {
        return {
          state,
          verdict: 'fail',
          reason: 'gate-inconclusive',
          explanation: `gate-inconclusive: ${result.explanation} (inconclusive ${n} consecutive checks, inconclusive-limit ${limits.inconclusiveLimit})`,
        };
      }
      return { state, verdict: 'inconclusive', explanation: result.explanation };
    }
    default:
      return {
        state: { checks, consecutiveFailures: 0, consecutiveInconclusive: 0, consecutiveErrors: 0 },
        verdict: result.verdict,
        explanation: result.explanation,
      };
  }
}

/** One check whose provider failed (after its own retries): inconclusive until error-limit, then fail. */
export function trackProviderError(prev: TrackerState, message: string, limits: TrackerLimits): TrackedVerdict {
  const n = prev.consecutiveErrors + 1;
  const state = {
    checks: prev.checks + 1,
    consecutiveFailures: prev.consecutiveFailures,
    consecutiveInconclusive: prev.consecutiveInconclusive,
    consecutiveErrors: n,
  };
  if (n >= limits.errorLimit) {
    return {
      state,
      verdict: 'fail',
      reason: 'metrics-unavailable',
      explanation: `metrics-unavailable: ${message} (${n} consecutive failed queries, error-limit ${limits.errorLimit})`,
    };
  }
  return {
    state,
    verdict: 'inconclusive',
    explanation: `metrics-unavailable: ${message} (query failure ${n} of ${limits.errorLimit} allowed consecutive)`,
  };
}

/** How a gate combines its metrics: any fail fails; all pass passes; else inconclusive before continue. */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'inconclusive';
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.every((v) => v === 'pass')) return 'pass';
  if (verdicts.includes('inconclusive')) return 'inconclusive';
  return 'continue';
}
