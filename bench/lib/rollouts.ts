/**
 * Whole rollouts with the default configuration: the step plan, settle time, analysis interval and
 * step timeout a runner gets when the config says nothing (parsed from the project's own config
 * schema and step planner), and the built-in metrics' default decision rule (the project's own
 * sequential judges, fed the way the metric gate feeds them: one history per step, earlier steps
 * passed along). The world is bench/lib/rollout-sim.ts.
 */
import { baseConfigSchema } from '../../src/config/schema.ts';
import { planSteps } from '../../src/rollout/plan.ts';
import { createSequentialJudge } from '../../src/analysis/sequential/index.ts';
import { DEFAULT_DECISION_RULE, exposureTargetScale, sequentialOptionsFor } from '../../src/analysis/decision-rule.ts';
import type { Judge, MetricObservation } from '../../src/analysis/types.ts';
import { mulberry32 } from '../../src/analysis/sequential/rng.ts';
import { RolloutWorld, STABLE_P99, slowShare, type World } from './rollout-sim.ts';

export interface RolloutConfig {
  steps: number[];
  settleMs: number;
  intervalMs: number;
  stepTimeoutMs: number;
  /** The rollout's overall limit (`timeout`): reaching it rolls back. */
  timeoutMs: number;
}

/** What a runner does with a config that sets nothing but the deployment and the image. */
export function defaultRolloutConfig(): RolloutConfig {
  const c = baseConfigSchema.parse({ deployment: 'web', image: 'ghcr.io/acme/web:2' });
  return {
    steps: planSteps({ maxWeight: c['max-weight'] }),
    settleMs: c['settle-time'],
    intervalMs: c['analysis-interval'],
    stepTimeoutMs: c['step-timeout'],
    timeoutMs: c.timeout,
  };
}

export interface StepRecord {
  weight: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  seconds: number;
  /** Minimum detectable increase (relative) per metric at the step's last check. */
  mdi: Record<string, number>;
  /** The increase each metric had to be able to detect to advance at that step. */
  target: Record<string, number>;
}

export interface RolloutOutcome {
  /** rollback-inconclusive: a step timed out undecided, or the rollout reached its overall timeout. */
  decision: 'promote' | 'rollback-fail' | 'rollback-inconclusive';
  seconds: number;
  /** Canary requests served until the decision. */
  canaryRequests: number;
  /** Bad requests beyond the stable's rates served by the canary (errors and slower than the stable's p99). */
  excessBad: number;
  steps: StepRecord[];
  failedMetric?: string;
}

const SCRAPE_MS = 30_000;

/** The default rule's judges for the built-in metrics (error rate and latency), one per metric. */
export function defaultJudges(options: { robust?: boolean } = {}): { name: string; judge: Judge }[] {
  const kinds = ['error-rate', 'latency'] as const;
  return kinds.map((kind) => ({
    name: kind,
    judge: createSequentialJudge({ ...sequentialOptionsFor(kind, kinds.length, DEFAULT_DECISION_RULE), ...(options.robust !== undefined ? { robust: options.robust } : {}) }),
  }));
}

/**
 * One rollout. `history`: the judges get the stable's scrapes from the hour before the rollout, as
 * the metric gate fetches them with a range query (default); false = as when that query fails.
 */
export function runRollout(world: World, seed: number, config: RolloutConfig, judges = defaultJudges(), options: { history?: boolean } = {}): RolloutOutcome {
  const sim = new RolloutWorld(mulberry32(seed), world, SCRAPE_MS / 1000);
  const stableHistory = options.history === false ? undefined : sim.history;
  const badPerCanaryRequest =
    world.baseRate * (world.errorRatio - 1) + (slowShare(world.p99Increase, STABLE_P99) - slowShare(0, STABLE_P99));
  let t = 0;
  let last: MetricObservation | undefined;
  const scrape = (weight: number): MetricObservation => {
    last = sim.scrape(weight);
    t += SCRAPE_MS;
    return last;
  };
  const earlier = new Map<string, MetricObservation[][]>(judges.map((j) => [j.name, []]));
  const steps: StepRecord[] = [];
  const finish = (decision: RolloutOutcome['decision'], failedMetric?: string): RolloutOutcome => ({
    decision,
    seconds: t / 1000,
    canaryRequests: sim.canaryServed,
    excessBad: sim.canaryServed * badPerCanaryRequest,
    steps,
    ...(failedMetric ? { failedMetric } : {}),
  });
  for (const weight of config.steps) {
    for (let s = 0; s < Math.round(config.settleMs / SCRAPE_MS); s++) scrape(weight);
    const stepStart = t;
    const history = new Map<string, MetricObservation[]>(judges.map((j) => [j.name, []]));
    const checksPerInterval = Math.max(1, Math.round(config.intervalMs / SCRAPE_MS));
    for (;;) {
      // An instant query returns the latest scrape.
      const obs = last ?? scrape(weight);
      const verdicts = judges.map(({ name, judge }) => {
        const h = history.get(name)!;
        if (h.at(-1) !== obs) h.push(obs);
        return {
          name,
          result: judge(h, { earlierSteps: earlier.get(name)!, targetScale: exposureTargetScale(weight, config.steps), ...(stableHistory ? { stableHistory } : {}) }),
        };
      });
      const mdi = Object.fromEntries(verdicts.map((v) => [v.name, v.result.power?.minDetectableIncrease ?? Infinity]));
      const target = Object.fromEntries(verdicts.map((v) => [v.name, v.result.power?.targetIncrease ?? Infinity]));
      const failed = verdicts.find((v) => v.result.verdict === 'fail');
      if (failed) {
        steps.push({ weight, verdict: 'fail', seconds: (t - stepStart) / 1000, mdi, target });
        return finish('rollback-fail', failed.name);
      }
      if (verdicts.every((v) => v.result.verdict === 'pass')) {
        steps.push({ weight, verdict: 'pass', seconds: (t - stepStart) / 1000, mdi, target });
        break;
      }
      if (t - stepStart >= config.stepTimeoutMs || t >= config.timeoutMs) {
        steps.push({ weight, verdict: 'inconclusive', seconds: (t - stepStart) / 1000, mdi, target });
        return finish('rollback-inconclusive');
      }
      for (let k = 0; k < checksPerInterval; k++) scrape(weight);
    }
    for (const j of judges) earlier.get(j.name)!.push(history.get(j.name)!);
  }
  return finish('promote');
}
