/**
 * Verify before the first write: everything a rollout can check without changing anything is
 * checked before the Lease is taken — the caller's checks (permissions through
 * SelfSubjectAccessReview, a writable report path) and the routing objects here, then the
 * pre-checks (schema compatibility, the metric preflight) in preflight.ts. A run refused by any of
 * them wrote nothing.
 */
import { CanaryGateError, errorMessage, errorReason } from '../util/errors.ts';
import type { TrafficRouter } from '../traffic/router.ts';
import type { Logger } from './report.ts';

/** One named check that reads only and throws a CanaryGateError saying what to fix. */
export interface Verification {
  readonly name: string;
  run(signal?: AbortSignal): Promise<void>;
}

/** Raised when a verification fails: nothing was written to the cluster. */
class VerificationError extends CanaryGateError {
  constructor(check: string, cause: unknown) {
    const message = errorMessage(cause);
    const said = /nothing was changed/i.test(message);
    super(errorReason(cause), `${check}: ${message}${said ? '' : ' (verified before the first write: nothing was changed in the cluster)'}`, { cause });
    this.name = 'VerificationError';
  }
}

/** Runs the checks in order, one log line each; the first failure stops them. */
export async function verifyBeforeFirstWrite(checks: readonly Verification[], log: Logger, signal?: AbortSignal): Promise<void> {
  await log.group('Verify before the first write', async () => {
    for (const check of checks) {
      try {
        await check.run(signal);
      } catch (err) {
        throw new VerificationError(check.name, err);
      }
      log.info(`${check.name}: ok`);
    }
  });
}

/**
 * A rollout's read-only checks, in order: the caller's (permissions, report path), then the routing
 * objects (without the track label when the rollout is to add it). The pre-checks (schema, metric
 * preflight) follow, still before the Lease.
 */
export function rolloutVerifications(deps: { router: TrafficRouter; verifications?: readonly Verification[]; stableLabelPending: boolean }): Verification[] {
  const { router, stableLabelPending } = deps;
  return [...(deps.verifications ?? []), { name: `routing (${router.name})`, run: () => router.verify({ stableLabelPending }) }];
}
