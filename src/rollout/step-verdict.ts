/**
 * The verdict of one step, pure: the gates' latest checks and the time the step has run → pass (next
 * step), continue (check again after the interval) or breach (roll back, with the reason and the
 * message a person reads first). The runner acts on it; the metric gate picks its own reason with
 * the same rule (`commonFailureReason`).
 */
import { GATE_REASONS, type FailureReason } from '../util/errors.ts';
import type { GateCheck } from './gate.ts';
import type { StepVerdict } from './report.ts';

/** One gate's latest check in a step. */
export interface NamedCheck {
  gate: string;
  check: GateCheck;
}

/** What the runner does next with the step. (The step's row in the report is report.ts's StepVerdict.) */
export type StepDecision =
  | { kind: 'pass' }
  | { kind: 'continue' }
  /** `outcome` is what the step's report row shows. */
  | { kind: 'breach'; outcome: Extract<StepVerdict, 'fail' | 'inconclusive'>; reason: FailureReason; message: string };

export interface StepInput {
  stepIndex: number;
  weight: number;
  checks: readonly NamedCheck[];
  /** Time since the step's analysis began (after the settle time). */
  elapsedMs: number;
  stepTimeoutMs: number;
}

/**
 * The reason of a failure: gate-failed (the canary's fault) unless every failing part failed for
 * the same other reason (e.g. a provider that stayed down: metrics-unavailable).
 */
export function commonFailureReason(reasons: readonly (FailureReason | undefined)[]): FailureReason {
  const distinct = new Set(reasons.map((r) => r ?? 'gate-failed'));
  return distinct.size === 1 ? ([...distinct][0] ?? 'gate-failed') : 'gate-failed';
}

export function stepVerdict(input: StepInput): StepDecision {
  const { checks } = input;
  const failed = checks.filter(({ check }) => check.verdict === 'fail');
  if (failed.length > 0) {
    // A workload that failed (crash loop, image pull, gone) outranks the metrics it skews: any
    // reason that is not one of a gate verdict's is the workload's.
    const workload = failed.map(({ check }) => check.reason).find((r) => r !== undefined && !(GATE_REASONS as readonly FailureReason[]).includes(r));
    return {
      kind: 'breach',
      outcome: 'fail',
      reason: workload ?? commonFailureReason(failed.map(({ check }) => check.reason)),
      message: failed.map(({ gate, check }) => failureText(gate, check)).join('; '),
    };
  }
  if (checks.every(({ check }) => check.verdict === 'pass')) return { kind: 'pass' };
  if (input.elapsedMs < input.stepTimeoutMs) return { kind: 'continue' };
  const undecided = checks.filter(({ check }) => check.verdict !== 'pass');
  const inconclusive = undecided.some(({ check }) => check.verdict === 'inconclusive');
  return {
    kind: 'breach',
    outcome: inconclusive ? 'inconclusive' : 'fail',
    reason: inconclusive ? 'gate-inconclusive' : 'timeout',
    message:
      `step ${input.stepIndex + 1} (${input.weight}%) did not pass within ${Math.round(input.stepTimeoutMs / 1000)}s (step-timeout): ` +
      undecided.map(({ gate, check }) => `${gate}: ${check.verdict} — ${check.summary}`).join('; '),
  };
}

/**
 * The reason a person reads first: each failing metric with its judge's explanation (which already
 * holds the numbers, formatted once), else the gate's summary.
 */
export function failureText(gate: string, check: GateCheck): string {
  const metrics = check.metrics.filter((m) => m.verdict === 'fail');
  if (metrics.length === 0) return `${gate}: ${check.summary}`;
  // A judge may already start with the metric's name ("error-rate: canary errors …"): say it once.
  return metrics.map((m) => (m.explanation.startsWith(`${m.name}: `) ? m.explanation : `${m.name}: ${m.explanation}`)).join('; ');
}
