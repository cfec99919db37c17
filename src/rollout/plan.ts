/** The step planner: which canary weights a rollout walks through. Pure. */
const DEFAULT_STEPS = [1, 5, 20, 50, 100] as const;

export interface StepPlanInput {
  steps?: number[];
  stepWeight?: number;
  maxWeight: number;
}

/**
 * Strictly increasing integer weights in 1..maxWeight, ending at maxWeight. After the last step
 * passes the canary is promoted (the stable Deployment takes its pod template), whatever maxWeight is.
 */
export function planSteps(input: StepPlanInput): number[] {
  const max = input.maxWeight;
  let weights: number[];
  if (input.steps && input.steps.length > 0) {
    weights = input.steps.filter((w) => w <= max);
  } else if (input.stepWeight !== undefined) {
    weights = [];
    for (let w = input.stepWeight; w < max; w += input.stepWeight) weights.push(w);
  } else {
    weights = DEFAULT_STEPS.filter((w) => w < max);
  }
  if (weights[weights.length - 1] !== max && !(input.steps && input.steps.length > 0)) weights.push(max);
  return weights;
}

/** Weights of a gradual rollback: the steps below `from`, walked down, then 0. */
export function rollbackSteps(steps: readonly number[], from: number): number[] {
  return [...steps.filter((w) => w < from)].reverse().concat(0);
}

/**
 * Replica count for the canary at a weight, proportional to the stable's starting replicas
 * (at least one pod, so the canary can serve).
 */
export function proportionalReplicas(stableReplicas: number, weight: number): number {
  return Math.max(1, Math.ceil((stableReplicas * weight) / 100));
}
