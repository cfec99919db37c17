/**
 * Checks that run once, before the Lease is taken (verify before the first write, verify.ts): the
 * pre-checks (schema compatibility, the metric preflight). A block ends the rollout as aborted with
 * nothing written to the cluster.
 */
import type { PreCheck } from './gate.ts';
import type { FailureReason } from '../util/errors.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger } from './report.ts';

export interface PreflightBlock {
  /** The pre-check's own reason (the metric preflight: metrics-unavailable), else schema-blocked. */
  reason: FailureReason;
  message: string;
}

/** Runs every pre-check in order; the first block stops them and is returned. */
export async function runPreflight(
  deps: { prechecks: readonly PreCheck[]; builder: ReportBuilder; log: Logger },
  signal: AbortSignal | undefined,
): Promise<PreflightBlock | undefined> {
  const { log, builder } = deps;
  for (const check of deps.prechecks) {
    const result = await log.group(`Pre-check: ${check.name}`, () => check.run(signal));
    await builder.precheck(result);
    log.info(`${check.name}: ${result.verdict} — ${result.summary}`);
    if (result.verdict === 'block') {
      return { reason: result.reason ?? 'schema-blocked', message: `${check.name} blocked the rollout before the canary got any traffic: ${result.summary}` };
    }
  }
  return undefined;
}
