/**
 * What a run is told: its settings (from the validated config), its adapters, and what it returns.
 */
import type { KubeApi } from '../kube/types.ts';
import type { TrafficRouter } from '../traffic/router.ts';
import type { PreCheck, StepGate } from './gate.ts';
import type { OnInconclusive } from './step-verdict.ts';
import type { RolloutState } from './machine.ts';
import type { Publish } from './report-builder.ts';
import type { Verification } from './verify.ts';
import type { Logger, RolloutReport, RolloutResult } from './report.ts';

export interface RunSettings {
  mode: 'rollout' | 'promote' | 'abort' | 'status';
  runId: string;
  runUrl?: string;
  namespace: string;
  deployment: string;
  image?: string;
  container?: string;
  steps: number[];
  settleMs: number;
  intervalMs: number;
  stepTimeoutMs: number;
  /** What a step undecided at stepTimeoutMs does (step-verdict.ts). */
  onInconclusive: OnInconclusive;
  readyTimeoutMs: number;
  timeoutMs: number;
  canaryReplicas: number | 'auto';
  rollback: 'immediate' | 'gradual';
  cleanup: 'scale-to-zero' | 'delete';
  leaseMs: number;
  /** How often readiness is polled. */
  pollMs: number;
  /** The router sends traffic to stable-only backends: stable pods must carry the track label. */
  stableTrackLabel: boolean;
  /**
   * mode abort on behalf of a run that was cancelled or killed (the post step): the result is a
   * rollback with reason `cancelled`, not a user's abort.
   */
  cleanupOfCancelledRun?: boolean;
}

export interface RunnerDeps {
  kube: KubeApi;
  router: TrafficRouter;
  gates: StepGate[];
  prechecks: PreCheck[];
  /** Read-only checks run before the first write of a rollout (verify.ts): permissions, report path. */
  verifications?: Verification[];
  publish: Publish;
  log: Logger;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted on SIGINT/SIGTERM/cancel. */
  signal?: AbortSignal;
  /** Called after every saved transition (the entry point records progress for the post step). */
  onState?: (state: RolloutState) => void;
}

export interface RunOutcome {
  result: RolloutResult;
  weight: number;
  reason?: string;
  message: string;
  canary: string;
  report: RolloutReport;
}
