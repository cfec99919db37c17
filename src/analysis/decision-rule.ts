/**
 * The default decision rule: the one place that says how a built-in metric decides when its config
 * says nothing (issue 13). The metric config (src/metrics/config.ts) and the gate take their
 * defaults from here; the README and action.yml show this configuration; `npm run bench:decisions`
 * measures it over whole rollouts. See docs/sequential.md for the rule and its guarantees.
 */
import type { SequentialKind } from './sequential/intervals.ts';

export interface DecisionRule {
  judge: 'sequential';
  /**
   * False-rollback budget of the whole rollout (all sequential metrics together, all steps, all
   * looks): one evidence process per metric per rollout, split across metrics by Bonferroni.
   */
  alpha: number;
  /** Chance that a regression of the target size escapes a step (the step advances without catching it). */
  beta: number;
  /** Relative increase a step must be able to catch (0.5 = +50 % over the stable's rate). */
  allowedIncrease: number;
  /** Absolute floor as a rate (0.001 = 0.1 percentage points); the larger of the two applies. */
  allowedIncreaseAbs: number;
  /** Latency: the stable's tail whose histogram bucket defines a slow request. */
  quantile: number;
  /** Canary requests a step must have seen before it advances. */
  minRequests: number;
  /**
   * Cap on one interval's log-likelihood ratio in the rollback evidence (bursts: one incident or
   * flapping pod cannot roll back alone); Infinity = no cap.
   */
  intervalCap: number;
  /**
   * How far back the gate reads the stable's own counters before a rollout (range queries, one
   * sample per analysis interval): the sequential judges learn from them how bursty the stable's
   * events are (JudgeContext.stableHistory). A history that cannot be read is logged and skipped.
   */
  historyMs: number;
}

export const DEFAULT_DECISION_RULE: Readonly<DecisionRule> = Object.freeze({
  judge: 'sequential',
  alpha: 0.01,
  beta: 0.2,
  allowedIncrease: 0.5,
  allowedIncreaseAbs: 0.001,
  quantile: 0.99,
  minRequests: 100,
  intervalCap: 1,
  historyMs: 3_600_000,
});

/** The sequential judge's options for one metric under a rule, with the rollout's α split `metrics` ways. */
export function sequentialOptionsFor(kind: SequentialKind, metrics: number, rule: Readonly<DecisionRule> = DEFAULT_DECISION_RULE) {
  return {
    kind,
    alpha: rule.alpha / Math.max(1, metrics),
    beta: rule.beta,
    allowedIncrease: rule.allowedIncrease,
    allowedIncreaseAbs: rule.allowedIncreaseAbs,
    quantile: rule.quantile,
    minRequests: rule.minRequests,
    intervalCap: rule.intervalCap,
  };
}

/**
 * How much larger an increase a step at `weight` may leave undetected than the rollout's last
 * compared step (the largest weight below 100), so that every step risks about the same number of
 * excess bad requests: a regression of relative size d served at weight w for a step's duration
 * costs about w * d, so a step at w/W of the last compared step's traffic may advance once it could
 * catch W/w times the configured increase. The last compared step (and any step at or above it)
 * gets 1: promotion still needs the configured power against the configured increase, with the
 * whole rollout's evidence. Without this the 1 % first step of the default plan would have to prove
 * by itself what the 50 % step proves, which at a few requests per second it never can.
 */
export function exposureTargetScale(weight: number, steps: readonly number[]): number {
  const compared = steps.filter((w) => w > 0 && w < 100);
  if (compared.length === 0) return 1;
  const reference = Math.max(...compared);
  if (!(weight > 0) || weight >= reference) return 1;
  return reference / weight;
}
