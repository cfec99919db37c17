import type { Judge } from '../types.ts';
import { createSequentialJudge } from '../sequential/index.ts';
import { DEFAULT_DECISION_RULE } from '../decision-rule.ts';
import { createThresholdJudge } from './threshold.ts';
import { createRelativeJudge } from './relative.ts';
import { withMinRequests } from './min-requests.ts';

export { createThresholdJudge } from './threshold.ts';
export { createRelativeJudge } from './relative.ts';
export { withMinRequests } from './min-requests.ts';

/** What a judge is built from: the metric's config after defaults, in plain names. */
export interface JudgeSpec {
  judge: 'threshold' | 'relative' | 'sequential';
  unit?: string;
  min?: number;
  max?: number;
  direction?: 'lower-is-better' | 'higher-is-better';
  maxIncrease?: number;
  maxIncreaseAbs?: number;
  minRequests?: number;
  // sequential
  kind?: 'error-rate' | 'latency';
  alpha?: number;
  allowedIncrease?: number;
  /** Absolute floor as a rate (0.001 = 0.1 percentage points). */
  allowedIncreaseAbs?: number;
  beta?: number;
  quantile?: number;
  burnInMs?: number;
  robust?: boolean;
}

/** The one place a metric's judge is chosen. */
export function createJudge(spec: JudgeSpec): Judge {
  switch (spec.judge) {
    case 'sequential':
      // The sequential judge does its own min-requests (it sees the counts).
      // Unset fields take the default decision rule (src/analysis/decision-rule.ts).
      return createSequentialJudge({
        kind: spec.kind ?? 'error-rate',
        alpha: spec.alpha ?? DEFAULT_DECISION_RULE.alpha,
        allowedIncrease: spec.allowedIncrease ?? DEFAULT_DECISION_RULE.allowedIncrease,
        allowedIncreaseAbs: spec.allowedIncreaseAbs ?? DEFAULT_DECISION_RULE.allowedIncreaseAbs,
        beta: spec.beta ?? DEFAULT_DECISION_RULE.beta,
        minRequests: spec.minRequests ?? DEFAULT_DECISION_RULE.minRequests,
        intervalCap: DEFAULT_DECISION_RULE.intervalCap,
        quantile: spec.quantile,
        burnInMs: spec.burnInMs,
        robust: spec.robust,
      });
    case 'relative': {
      const judge = createRelativeJudge({
        direction: spec.direction ?? 'lower-is-better',
        maxIncrease: spec.maxIncrease,
        maxIncreaseAbs: spec.maxIncreaseAbs,
        unit: spec.unit,
      });
      return spec.minRequests ? withMinRequests(judge, spec.minRequests, 'both') : judge;
    }
    default: {
      const judge = createThresholdJudge({
        min: spec.min,
        max: spec.max,
        unit: spec.unit,
      });
      return spec.minRequests ? withMinRequests(judge, spec.minRequests, 'canary') : judge;
    }
  }
}
