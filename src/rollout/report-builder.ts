/**
 * Keeps the RolloutReport up to date and hands it, with each event, to the reporter. Publishing
 * never throws into the rollout: reports are for people, the rollout's outcome does not depend on them.
 */
import type { GateCheck, PreCheckResult } from './gate.ts';
import type { RolloutEvent, RolloutReport, RolloutResult, StepRecord } from './report.ts';
import type { RunSettings } from './run-settings.ts';

export type Publish = (report: Readonly<RolloutReport>, event: RolloutEvent) => Promise<void>;

/** Keeps the chart data bounded whatever the rollout length. */
const MAX_METRIC_POINTS = 5_000;

export class ReportBuilder {
  readonly report: RolloutReport;
  private readonly publishFn: Publish;
  private readonly now: () => number;

  constructor(init: Omit<RolloutReport, 'startedAt' | 'updatedAt' | 'steps' | 'metricHistory' | 'weight' | 'phase' | 'routerNotes'> & { steps: number[] }, publish: Publish, now: () => number) {
    const at = now();
    const { steps, ...rest } = init;
    this.report = {
      ...rest,
      routerNotes: [],
      startedAt: at,
      updatedAt: at,
      phase: 'starting',
      weight: 0,
      steps: steps.map((weight, index): StepRecord => ({ index, weight, verdict: 'pending', checks: 0, gates: {} })),
      metricHistory: [],
    };
    this.publishFn = publish;
    this.now = now;
  }

  /** The report of a run, before anything happened. */
  static forRun(s: RunSettings, canary: string, router: string, publish: Publish, now: () => number): ReportBuilder {
    const target = { namespace: s.namespace, deployment: s.deployment, canary, container: s.container };
    return new ReportBuilder({ runId: s.runId, runUrl: s.runUrl, mode: s.mode, target, images: { canary: s.image }, router, steps: s.steps }, publish, now);
  }

  private async emit(event: RolloutEvent): Promise<void> {
    this.report.updatedAt = this.now();
    try {
      await this.publishFn(this.report, event);
    } catch {
      // The reporter already warns per sink; nothing may escape into the rollout.
    }
  }

  setPhase(phase: string, weight?: number): void {
    this.report.phase = phase;
    if (weight !== undefined) this.report.weight = weight;
  }

  /** The router's caveats, as of its last change (after prepare and each shift). */
  setRouterNotes(notes: string[]): void {
    this.report.routerNotes = notes;
  }

  setSteps(steps: readonly number[]): void {
    this.report.steps = steps.map((weight, index) => ({ index, weight, verdict: 'pending', checks: 0, gates: {} }));
  }

  started(): Promise<void> {
    return this.emit({ type: 'started' });
  }

  /** A pre-check's result; the report keeps them all, folded into one (`combinePrechecks`). */
  precheck(result: PreCheckResult): Promise<void> {
    this.report.precheck = this.report.precheck ? combinePrechecks(this.report.precheck, result) : result;
    return this.emit({ type: 'precheck', result });
  }

  stepStarted(stepIndex: number, weight: number): Promise<void> {
    const step = this.report.steps[stepIndex];
    if (step) {
      step.verdict = 'running';
      step.startedAt = this.now();
    }
    this.report.weight = weight;
    return this.emit({ type: 'step', stepIndex, weight });
  }

  gateChecked(stepIndex: number, weight: number, gate: string, check: GateCheck): Promise<void> {
    const step = this.report.steps[stepIndex];
    if (step) step.gates[gate] = check;
    const at = this.now();
    for (const m of check.metrics) {
      if (m.canaryValue === undefined && m.stableValue === undefined) continue;
      this.report.metricHistory.push({ at, weight, metric: m.name, canary: m.canaryValue, stable: m.stableValue });
    }
    if (this.report.metricHistory.length > MAX_METRIC_POINTS) {
      this.report.metricHistory.splice(0, this.report.metricHistory.length - MAX_METRIC_POINTS);
    }
    return this.emit({ type: 'gate', stepIndex, weight, gate, check });
  }

  /** One round of checks of every gate in a step (the report's "Checks" column). */
  checkRound(stepIndex: number): void {
    const step = this.report.steps[stepIndex];
    if (step) step.checks += 1;
  }

  stepEnded(stepIndex: number, verdict: StepRecord['verdict'], advanced?: StepRecord['advanced']): void {
    const step = this.report.steps[stepIndex];
    if (step) {
      step.verdict = verdict;
      step.endedAt = this.now();
      if (advanced) step.advanced = advanced;
    }
  }

  promoting(): Promise<void> {
    return this.emit({ type: 'promoting' });
  }

  rollingBack(reason: string, message: string): Promise<void> {
    this.report.reason = reason;
    this.report.message = message;
    for (const step of this.report.steps) if (step.verdict === 'running') step.verdict = 'fail';
    return this.emit({ type: 'rolling-back', reason, message });
  }

  finished(result: RolloutResult, message: string, reason?: string): Promise<void> {
    this.report.result = result;
    this.report.message = message;
    if (reason !== undefined) this.report.reason = reason;
    this.report.finishedAt = this.now();
    for (const step of this.report.steps) {
      if (step.verdict === 'pending') step.verdict = 'skipped';
      if (step.verdict === 'running') step.verdict = result === 'promoted' ? 'pass' : 'fail';
    }
    return this.emit({ type: 'finished', result });
  }
}

const PRECHECK_RANK = { pass: 0, warn: 1, block: 2 } as const;

/**
 * Two pre-checks' results (in the order they ran) as one: the worse verdict, both summaries, both
 * Markdown sections and all findings. The report used to keep only the last, so the metric
 * preflight replaced the schema check's findings in the PR comment and job summary.
 */
export function combinePrechecks(first: PreCheckResult, second: PreCheckResult): PreCheckResult {
  const worse = PRECHECK_RANK[second.verdict] > PRECHECK_RANK[first.verdict] ? second : first;
  const reason = worse.reason ?? second.reason ?? first.reason;
  return {
    verdict: worse.verdict,
    summary: `${first.summary}; ${second.summary}`,
    markdown: [first.markdown, second.markdown].filter((m) => m.trim() !== '').join('\n\n'),
    findings: [...first.findings, ...second.findings],
    ...(reason ? { reason } : {}),
  };
}
