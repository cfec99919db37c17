import type { GateCheck, PreCheckResult } from './gate.ts';

/** How a run ended. `noop`: nothing to do (the target already runs the image). */
export type RolloutResult = 'promoted' | 'rolled-back' | 'aborted' | 'failed' | 'noop';

/**
 * `advanced-inconclusive`: the step reached step-timeout undecided and advanced because the user set
 * `on-inconclusive: advance` — it did not pass on evidence (StepRecord.advanced says what it could not see).
 */
export type StepVerdict = 'pending' | 'running' | 'pass' | 'fail' | 'inconclusive' | 'advanced-inconclusive' | 'skipped';

export interface StepRecord {
  index: number;
  weight: number;
  verdict: StepVerdict;
  startedAt?: number;
  endedAt?: number;
  /** Number of gate checks run in this step. */
  checks: number;
  /** The last check of each gate in this step, by gate name. */
  gates: Record<string, GateCheck>;
  /**
   * Verdict advanced-inconclusive: `headline` is the line the result repeats ("step 4 (50%) advanced
   * without the power to see +50% (on-inconclusive: advance)"), `message` the step-timeout's full text.
   */
  advanced?: { headline: string; message: string };
}

/** The steps that advanced at step-timeout undecided (on-inconclusive: advance), in order. */
export function advancedSteps(report: Readonly<{ steps: readonly StepRecord[] }>): (StepRecord & { advanced: NonNullable<StepRecord['advanced']> })[] {
  return report.steps.filter((s): s is StepRecord & { advanced: NonNullable<StepRecord['advanced']> } => s.advanced !== undefined);
}

/** One point of a gated metric over the rollout, for charts. */
export interface MetricPoint {
  at: number;
  weight: number;
  metric: string;
  canary?: number;
  stable?: number;
}

/**
 * Everything the sinks (job summary, PR comment, Slack, commit status, JSON file) render. Built by
 * the rollout as it goes; every sink receives the whole report at every event, so a sink that
 * missed an event still shows the truth.
 */
export interface RolloutReport {
  runId: string;
  /** Link to the workflow run, when known. */
  runUrl?: string;
  mode: 'rollout' | 'promote' | 'abort' | 'status' | 'check';
  target: { namespace: string; deployment: string; canary: string; container?: string };
  images: { stable?: string; canary?: string };
  router: string;
  routerNotes: string[];
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  /** The state machine's phase (rollout/machine.ts), or starting / noop. */
  phase: string;
  /** Current canary weight, percent. */
  weight: number;
  result?: RolloutResult;
  /** Machine-readable failure reason (FailureReason) when rolled back / failed. */
  reason?: string;
  /** Human-readable explanation of the result. */
  message?: string;
  steps: StepRecord[];
  metricHistory: MetricPoint[];
  precheck?: PreCheckResult;
}

export type RolloutEvent =
  | { type: 'started' }
  | { type: 'precheck'; result: PreCheckResult }
  | { type: 'step'; stepIndex: number; weight: number }
  | { type: 'gate'; stepIndex: number; weight: number; gate: string; check: GateCheck }
  | { type: 'promoting' }
  | { type: 'rolling-back'; reason: string; message: string }
  | { type: 'finished'; result: RolloutResult };

/** A place reports go. A sink that fails must not change the rollout's outcome (the reporter catches). */
export interface ReportSink {
  readonly name: string;
  publish(report: Readonly<RolloutReport>, event: RolloutEvent): Promise<void>;
}

/** Logging seam: entry points pass @actions/core's functions, tests pass collectors. */
export interface Logger {
  info(msg: string): void;
  warning(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
