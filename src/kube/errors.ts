import { CanaryGateError } from '../util/errors.ts';
import type { ObjectRef } from './types.ts';

/** A Kubernetes API call that failed: carries the HTTP status and the Status reason. */
export class KubeApiError extends CanaryGateError {
  readonly status: number;
  readonly k8sReason: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** A failure no retry can fix (TLS misconfiguration, nothing configured): fail at once. */
  readonly permanent: boolean;
  constructor(
    message: string,
    opts: { status: number; k8sReason?: string; retryAfterMs?: number; cause?: unknown; permanent?: boolean },
  ) {
    super(opts.status === 409 ? 'conflict' : opts.status === 404 ? 'not-found' : 'api-error', message, {
      cause: opts.cause,
    });
    this.name = 'KubeApiError';
    this.status = opts.status;
    this.k8sReason = opts.k8sReason;
    this.retryAfterMs = opts.retryAfterMs;
    this.permanent = opts.permanent ?? false;
  }
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${ref.apiVersion})`;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Whether a failed call may be retried, and after how long when the server said so. */
export function kubeRetryDecision(err: unknown): boolean | { afterMs: number } {
  if (err instanceof KubeApiError) {
    if (err.permanent) return false;
    if (!RETRYABLE_STATUS.has(err.status) && err.status !== 0) return false;
    return err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : true;
  }
  return false;
}
