/**
 * One step's analysis: settle, then check every gate each interval until the step verdict
 * (step-verdict.ts) says pass or breach, or another run asks to promote or abort. The gates'
 * lifecycle (beginRollout, beginStep, check) lives here and nowhere else.
 */
import { CanaryGateError, errorMessage } from '../util/errors.ts';
import type { GateCheck, GateContext, RolloutContext, StepGate } from './gate.ts';
import type { MachineEvent } from './machine.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger } from './report.ts';
import type { RequestChannel } from './request-channel.ts';
import type { RunSettings } from './run-settings.ts';
import { stepVerdict, type NamedCheck } from './step-verdict.ts';

export interface StepAnalysisDeps {
  /** Checked in this order each round; the readiness gate first. */
  gates: readonly StepGate[];
  builder: ReportBuilder;
  requests: RequestChannel;
  log: Logger;
  now: () => number;
  settings: Pick<RunSettings, 'settleMs' | 'intervalMs' | 'stepTimeoutMs' | 'onInconclusive'>;
}

/** Once per rollout, before the canary exists: gates that keep evidence across steps start it here. */
export async function beginRollout(gates: readonly StepGate[], ctx: RolloutContext): Promise<void> {
  for (const gate of gates) await gate.beginRollout?.(ctx);
}

/** Resolves with step-passed or a request's event; throws a CanaryGateError on a breach. */
export async function analyseStep(deps: StepAnalysisDeps, stepIndex: number, weight: number, signal: AbortSignal): Promise<MachineEvent> {
  const { log, gates, now, builder, settings } = deps;
  if (settings.settleMs > 0) {
    log.info(`Settling for ${Math.round(settings.settleMs / 1000)}s so the metrics reflect the new weight.`);
    const settled = await deps.requests.waitWatching(settings.settleMs, signal);
    if (settled) return settled;
  }
  const stepStartedAt = now();
  const ctx = () => ({ stepIndex, weight, stepStartedAt, now: now(), signal });
  for (const gate of gates) await gate.beginStep?.(ctx());
  for (let round = 1; ; round++) {
    const checks: NamedCheck[] = [];
    for (const gate of gates) checks.push({ gate: gate.name, check: await checkGate(gate, ctx()) });
    builder.checkRound(stepIndex);
    for (const { gate, check } of checks) {
      await builder.gateChecked(stepIndex, weight, gate, check);
      log.info(`check ${round} ${gate}: ${check.verdict} — ${check.summary}`);
    }
    const verdict = stepVerdict({ stepIndex, weight, checks, elapsedMs: now() - stepStartedAt, stepTimeoutMs: settings.stepTimeoutMs, onInconclusive: settings.onInconclusive });
    if (verdict.kind === 'breach') {
      builder.stepEnded(stepIndex, verdict.outcome);
      throw new CanaryGateError(verdict.reason, verdict.message);
    }
    if (verdict.kind === 'advance-undecided') {
      // The user chose to go on without the power to see the configured regression: said as a
      // warning now, and kept in the step's row so the result says it too.
      log.warning(verdict.message);
      builder.stepEnded(stepIndex, 'advanced-inconclusive', { headline: verdict.headline, message: verdict.message });
      return { type: 'step-passed' };
    }
    if (verdict.kind === 'pass') {
      builder.stepEnded(stepIndex, 'pass');
      return { type: 'step-passed' };
    }
    const requested = await deps.requests.waitWatching(settings.intervalMs, signal);
    if (requested) return requested;
  }
}

/** A gate that throws fails its check, unless the error carries a reason (the cluster's API, a cancel). */
async function checkGate(gate: StepGate, ctx: GateContext): Promise<GateCheck> {
  try {
    return await gate.check(ctx);
  } catch (err) {
    if (err instanceof CanaryGateError) throw err;
    return { verdict: 'fail', summary: `gate error: ${errorMessage(err)}`, metrics: [] };
  }
}
