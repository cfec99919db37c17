/**
 * Errors carry a machine-readable `reason` that the rollout reports and a message written for a
 * person: what was expected, what was found, what to do.
 */
export type FailureReason =
  | 'invalid-input'
  | 'locked'
  | 'not-found'
  | 'conflict'
  | 'api-error'
  | 'timeout'
  | 'cancelled'
  | 'canary-crashloop'
  | 'canary-image-pull'
  | 'progress-deadline'
  | 'not-ready'
  | 'gate-failed'
  | 'gate-inconclusive'
  | 'schema-blocked'
  | 'metrics-unavailable'
  | 'router-error'
  /** The Kubernetes credentials lack a permission the rollout needs (checked before the first write). */
  | 'forbidden'
  | 'internal';

/** The reasons a gate's verdict gives: about the canary's metrics, not its workload. */
export const GATE_REASONS = ['gate-failed', 'gate-inconclusive', 'metrics-unavailable'] as const satisfies readonly FailureReason[];
export type GateReason = (typeof GATE_REASONS)[number];

export class CanaryGateError extends Error {
  readonly reason: FailureReason;
  override readonly cause?: unknown;
  constructor(reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'CanaryGateError';
    this.reason = reason;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Input or config that failed validation: names the field and the expected form. */
export class InputError extends CanaryGateError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('invalid-input', `${field}: ${message}`);
    this.name = 'InputError';
    this.field = field;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorReason(err: unknown): FailureReason {
  return err instanceof CanaryGateError ? err.reason : 'internal';
}
