import type { DetectionPower, Verdict } from '../analysis/types.ts';
import type { FailureReason } from '../util/errors.ts';

/** What a gate is told at every check of a step. */
export interface GateContext {
  stepIndex: number;
  /** Canary weight in percent during this step. */
  weight: number;
  /** When the step's analysis began (after the settle time), ms epoch. */
  stepStartedAt: number;
  now: number;
  signal?: AbortSignal;
}

/** One metric's line in a gate check, as the reports show it. */
export interface MetricReport {
  name: string;
  /** The rendered query (or queries, joined by newlines). */
  query?: string;
  canaryValue?: number;
  stableValue?: number;
  /** Unit of canaryValue/stableValue ("%", "ms"); absent when the values have none. */
  unit?: string;
  threshold?: string;
  verdict: Verdict;
  explanation: string;
  details?: Record<string, number | string>;
  /** Sequential judges: the minimum detectable increase the step's data allowed (issue 13). */
  power?: DetectionPower;
}

export interface GateCheck {
  /**
   * pass: this gate is satisfied for the step; fail: roll back; continue: check again after the
   * interval; inconclusive: no usable data yet (treated as continue until the step's maximum
   * duration, and never as pass).
   */
  verdict: Verdict;
  summary: string;
  metrics: MetricReport[];
  /**
   * Why a failing check failed, when it is not the canary's metrics alone: `metrics-unavailable` (a
   * provider stayed down), `gate-inconclusive` (no usable data within the limit), or the workload's
   * own failure from the readiness gate (`canary-crashloop`, `canary-image-pull`, `not-found`, ...),
   * which outranks the metrics (step-verdict.ts). Default gate-failed.
   */
  reason?: FailureReason;
}

/** What a gate is told once, when a rollout begins (after the pre-checks, before the canary exists). */
export interface RolloutContext {
  /** The canary weights of the rollout's steps, in order. */
  steps: readonly number[];
  /** ms epoch. */
  startedAt: number;
  /** The time between a step's checks (analysis-interval): the runner always sets it. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * A per-step analysis gate (metric gates, sequential judges, readiness). The engine calls
 * beginRollout once per rollout, beginStep once at the start of each step's analysis and check()
 * every interval until all gates pass, one fails, or the step's maximum duration runs out
 * (step-verdict.ts decides which). State kept across steps (evidence per rollout) starts in
 * beginRollout; state per step in beginStep.
 * A check that throws a CanaryGateError (the cluster's API, a cancel) ends the step with that
 * error's reason; any other throw counts as this gate failing.
 */
export interface StepGate {
  readonly name: string;
  beginRollout?(ctx: RolloutContext): void | Promise<void>;
  beginStep?(ctx: GateContext): void | Promise<void>;
  check(ctx: GateContext): Promise<GateCheck>;
  /** Releases connections (TLS agents); called once when the run ends. */
  close?(): Promise<void>;
}

/** A gate that runs once before the canary gets any traffic (schema / config compatibility). */
export interface PreCheck {
  readonly name: string;
  run(signal?: AbortSignal): Promise<PreCheckResult>;
}

export interface PreCheckResult {
  verdict: 'pass' | 'warn' | 'block';
  summary: string;
  /** Markdown for the PR comment and job summary. */
  markdown: string;
  /** Machine-readable findings (JSON-serialisable). */
  findings: unknown[];
  /** The rollout's reason when this blocks it (default schema-blocked). */
  reason?: FailureReason;
}
