/**
 * The verdict of one step, pure: the gates' latest checks and the time the step has run → pass (next
 * step), continue (check again after the interval), breach (roll back, with the reason and the
 * message a person reads first) or advance-undecided (at step-timeout with `on-inconclusive:
 * advance`: next step, with a warning saying what the step could not see). The runner acts on it;
 * the metric gate picks its own reason with the same rule (`commonFailureReason`).
 */
import { formatPercentOfFraction } from '../util/format.ts';
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
  | { kind: 'breach'; outcome: Extract<StepVerdict, 'fail' | 'inconclusive'>; reason: FailureReason; message: string }
  /**
   * `on-inconclusive: advance` at step-timeout: the step ends without evidence either way and the
   * rollout goes on. `message` is the timeout's full text (what each metric could detect);
   * `headline` the short line the result repeats ("step 4 (50%) advanced without the power to see +50%").
   */
  | { kind: 'advance-undecided'; message: string; headline: string };

/** What an undecided step does at step-timeout (the `on-inconclusive` option). */
export const ON_INCONCLUSIVE = ['rollback', 'advance'] as const;
export type OnInconclusive = (typeof ON_INCONCLUSIVE)[number];

export interface StepInput {
  stepIndex: number;
  weight: number;
  checks: readonly NamedCheck[];
  /** Time since the step's analysis began (after the settle time). */
  elapsedMs: number;
  stepTimeoutMs: number;
  onInconclusive: OnInconclusive;
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
  const step = `step ${input.stepIndex + 1} (${input.weight}%)`;
  const message =
    `${step} did not pass within ${Math.round(input.stepTimeoutMs / 1000)}s (step-timeout): ` +
    undecided.map(({ gate, check }) => `${gate}: ${check.verdict} — ${check.summary}`).join('; ');
  // `advance` covers what metrics could not decide (too little data to see the configured
  // regression), never a gate undecided without metrics: a canary that is not ready at the limit
  // (the readiness gate) has nothing to do with power, and rolls back with reason timeout.
  if (input.onInconclusive === 'advance' && undecided.every(({ check }) => undecidedMetrics(check).length > 0)) {
    return { kind: 'advance-undecided', message: `${message}; advanced (on-inconclusive: advance)`, headline: `${step} ${unseen(undecided)} (on-inconclusive: advance)` };
  }
  return { kind: 'breach', outcome: inconclusive ? 'inconclusive' : 'fail', reason: inconclusive ? 'gate-inconclusive' : 'timeout', message };
}

function undecidedMetrics(check: GateCheck): GateCheck['metrics'] {
  return check.metrics.filter((m) => m.verdict === 'continue' || m.verdict === 'inconclusive');
}

/**
 * What an advanced step could not see: the configured increase of each undecided metric that
 * measures its power (sequential judges); other judges say no power at all.
 */
function unseen(undecided: readonly NamedCheck[]): string {
  const targets = [...new Set(undecided.flatMap(({ check }) => undecidedMetrics(check)).flatMap((m) => (m.power ? [`+${formatPercentOfFraction(m.power.targetIncrease)}`] : [])))];
  return targets.length > 0 ? `advanced without the power to see ${targets.join(' / ')}` : 'advanced undecided (its judges measure no power)';
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
