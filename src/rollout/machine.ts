/**
 * The rollout state machine, pure: state + event → state, and state → the next action. The runner
 * performs actions (cluster effects) and feeds back events; every transition is recorded in the
 * state annotation before the effect, so a crash, a cancel or a re-run can finish or undo it.
 *
 *  deploying → shifting(i) → analysing(i) → … → promoting → promoted
 *       any non-terminal phase ── breach | error | timeout | cancel | abort ──→ rolling-back → rolled-back | aborted
 *       rolling-back ── rollback failed ──→ failed
 */
import { errorMessage, errorReason } from '../util/errors.ts';
import type { RolloutResult } from './report.ts';

export type Phase =
  | 'deploying'
  | 'shifting'
  | 'analysing'
  | 'promoting'
  | 'rolling-back'
  | 'promoted'
  | 'rolled-back'
  | 'aborted'
  | 'failed';

const TERMINAL_PHASES: readonly Phase[] = ['promoted', 'rolled-back', 'aborted', 'failed'];

export function isTerminal(phase: Phase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

/** What the state annotation `canary-gate.io/state` on the stable Deployment holds. */
export interface RolloutState {
  version: 1;
  runId: string;
  phase: Phase;
  /** Index into steps of the current (or last reached) step; -1 before the first shift. */
  stepIndex: number;
  /** Canary weight currently set on the router. */
  weight: number;
  steps: number[];
  container: string;
  stableImage: string;
  canaryImage: string;
  /** Stable replicas when the rollout began: never scaled below. */
  stableReplicas: number;
  startedAt: string;
  updatedAt: string;
  result?: RolloutResult;
  reason?: string;
  message?: string;
  /** Why the rollback started: set when entering rolling-back. */
  rollbackKind?: 'breach' | 'abort';
}

export type MachineEvent =
  | { type: 'canary-ready' }
  | { type: 'shifted'; weight: number }
  | { type: 'step-passed' }
  | { type: 'promote-requested' }
  | { type: 'promoted' }
  /** A gate failed, the canary crashed, an API call failed for good, a timeout or a signal. */
  | { type: 'breach'; reason: string; message: string }
  | { type: 'abort-requested'; message: string }
  | { type: 'rolled-back' }
  | { type: 'rollback-failed'; message: string };

export type Action =
  | { kind: 'deploy-canary' }
  | { kind: 'shift'; stepIndex: number; weight: number }
  | { kind: 'analyse'; stepIndex: number; weight: number }
  | { kind: 'promote' }
  | { kind: 'rollback'; reason: string; message: string }
  | { kind: 'finish'; result: RolloutResult };

export class TransitionError extends Error {
  constructor(phase: Phase, event: MachineEvent['type']) {
    super(`event ${event} is not valid in phase ${phase}`);
    this.name = 'TransitionError';
  }
}

export function initialState(init: {
  runId: string;
  steps: number[];
  container: string;
  stableImage: string;
  canaryImage: string;
  stableReplicas: number;
  now: Date;
}): RolloutState {
  const at = init.now.toISOString();
  return {
    version: 1,
    runId: init.runId,
    phase: 'deploying',
    stepIndex: -1,
    weight: 0,
    steps: [...init.steps],
    container: init.container,
    stableImage: init.stableImage,
    canaryImage: init.canaryImage,
    stableReplicas: init.stableReplicas,
    startedAt: at,
    updatedAt: at,
  };
}

export function transition(state: RolloutState, event: MachineEvent, now: Date): RolloutState {
  const at = now.toISOString();
  const next = (patch: Partial<RolloutState>): RolloutState => ({ ...state, ...patch, updatedAt: at });
  const invalid = (): never => {
    throw new TransitionError(state.phase, event.type);
  };
  if (isTerminal(state.phase)) invalid();

  switch (event.type) {
    case 'breach':
      if (state.phase === 'rolling-back') return next({ message: state.message ?? event.message });
      return next({ phase: 'rolling-back', reason: event.reason, message: event.message, rollbackKind: 'breach' });
    case 'abort-requested':
      if (state.phase === 'rolling-back') return state;
      return next({ phase: 'rolling-back', reason: 'aborted', message: event.message, rollbackKind: 'abort' });
    case 'canary-ready':
      if (state.phase !== 'deploying') invalid();
      return next({ phase: 'shifting', stepIndex: 0 });
    case 'shifted':
      if (state.phase !== 'shifting') invalid();
      return next({ phase: 'analysing', weight: event.weight });
    case 'step-passed':
      if (state.phase !== 'analysing') invalid();
      return state.stepIndex + 1 < state.steps.length
        ? next({ phase: 'shifting', stepIndex: state.stepIndex + 1 })
        : next({ phase: 'promoting' });
    case 'promote-requested':
      if (!['shifting', 'analysing', 'deploying'].includes(state.phase)) invalid();
      return next({ phase: 'promoting' });
    case 'promoted':
      if (state.phase !== 'promoting') invalid();
      return next({ phase: 'promoted', weight: 0, result: 'promoted', reason: undefined });
    case 'rolled-back':
      if (state.phase !== 'rolling-back') invalid();
      return state.rollbackKind === 'abort'
        ? next({ phase: 'aborted', weight: 0, result: 'aborted' })
        : next({ phase: 'rolled-back', weight: 0, result: 'rolled-back' });
    case 'rollback-failed':
      if (state.phase !== 'rolling-back') invalid();
      return next({ phase: 'failed', result: 'failed', message: `${state.message ?? ''} — rollback failed: ${event.message}`.trim() });
  }
}

/**
 * What another run can ask of a live rollout (mode promote / abort), or what the post step asks for
 * a run that was cancelled or killed.
 */
export type Request = 'promote' | 'abort' | 'cleanup-of-cancelled-run';

/** The event a request read from the request channel (the annotation another run wrote) becomes. */
export function requestEvent(request: 'promote' | 'abort', message: string): MachineEvent {
  return request === 'abort' ? { type: 'abort-requested', message } : { type: 'promote-requested' };
}

/**
 * A request carried out by the requesting run itself (no live run holds the lease): abort rolls
 * back as aborted, a cancelled run's cleanup rolls back as cancelled, promote promotes — unless a
 * promotion or rollback is already under way, which it then finishes.
 */
export function applyRequest(state: RolloutState, request: Request, runId: string, now: Date): RolloutState {
  switch (request) {
    case 'cleanup-of-cancelled-run':
      return transition(state, { type: 'breach', reason: 'cancelled', message: 'the run was cancelled or killed mid-rollout; rolled back by its post step' }, now);
    case 'abort':
      return transition(state, { type: 'abort-requested', message: `mode: abort (run ${runId})` }, now);
    case 'promote':
      return state.phase === 'rolling-back' || state.phase === 'promoting' ? state : transition(state, { type: 'promote-requested' }, now);
  }
}

/**
 * The breach a failed forward action becomes. The run's own limits come first, whatever the action
 * threw: the overall timeout, then a cancel, then a lost lease; else the error's own reason.
 */
export function breachEvent(
  err: unknown,
  stopped: { timedOut: boolean; cancelled: boolean; leaseLost: false | { reason: unknown } },
  timeoutMs: number,
): MachineEvent {
  if (stopped.timedOut) {
    return { type: 'breach', reason: 'timeout', message: `the rollout did not finish within the overall timeout of ${Math.round(timeoutMs / 1000)}s` };
  }
  if (stopped.cancelled) return { type: 'breach', reason: 'cancelled', message: 'the run was cancelled (signal received)' };
  if (stopped.leaseLost) return { type: 'breach', reason: 'locked', message: errorMessage(stopped.leaseLost.reason) };
  return { type: 'breach', reason: errorReason(err), message: errorMessage(err) };
}

/** The effect the runner performs next for a state. */
export function nextAction(state: RolloutState): Action {
  switch (state.phase) {
    case 'deploying':
      return { kind: 'deploy-canary' };
    case 'shifting': {
      const weight = state.steps[state.stepIndex];
      if (weight === undefined) return { kind: 'promote' };
      return { kind: 'shift', stepIndex: state.stepIndex, weight };
    }
    case 'analysing':
      return { kind: 'analyse', stepIndex: state.stepIndex, weight: state.weight };
    case 'promoting':
      return { kind: 'promote' };
    case 'rolling-back':
      return { kind: 'rollback', reason: state.reason ?? 'unknown', message: state.message ?? '' };
    case 'promoted':
    case 'rolled-back':
    case 'aborted':
    case 'failed':
      return { kind: 'finish', result: state.result ?? (state.phase as RolloutResult) };
  }
}

/** Parses the annotation; undefined for a missing or foreign/corrupt value (never throws). */
export function parseState(text: string | undefined): RolloutState | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RolloutState>;
    if (value.version !== 1 || typeof value.runId !== 'string' || typeof value.phase !== 'string') return undefined;
    if (!Array.isArray(value.steps)) return undefined;
    return value as RolloutState;
  } catch {
    return undefined;
  }
}

export function serializeState(state: RolloutState): string {
  return JSON.stringify(state);
}
