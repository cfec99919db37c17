/**
 * Gates on by default: with a metrics provider and no `metrics:` list, the data plane's built-in
 * error-rate and latency gates run with the default decision rule, so the README's first example
 * (prometheus-url only) gates on metrics. The rule is src/analysis/decision-rule.ts's: these metrics
 * name only its judge and leave every parameter to it.
 */
import { DEFAULT_DECISION_RULE } from '../analysis/decision-rule.ts';
import type { MetricConfig, MetricsConfig } from './config.ts';
import { metricConfigSchema } from './config.ts';

/** The built-ins that run when no metrics are configured. */
export const DEFAULT_BUILTIN_GATES = [
  { name: 'error-rate', builtin: 'request-error-rate' },
  { name: 'latency-p99', builtin: 'request-latency-p99' },
] as const;

export interface EffectiveMetrics {
  config: MetricsConfig;
  /** What the gate runs, in words, for the log and the report. */
  note?: string;
  /** Set when the rollout is gated on readiness only (warning annotation, log and report). */
  readinessOnly?: string;
}

/**
 * The metrics a rollout gates on. `builtinsAvailable`: the data plane has built-in queries (see
 * data-plane.ts); when it has none, a provider without metrics gates on nothing, and says so.
 */
export function effectiveMetrics(cfg: MetricsConfig, builtinsAvailable: boolean, why?: string): EffectiveMetrics {
  const providers = Object.keys(cfg.providers);
  if (cfg.metrics.length > 0) return { config: cfg };
  if (providers.length === 0) {
    return {
      config: cfg,
      readinessOnly: 'no metrics provider is configured (prometheus-url input, providers: section or Datadog keys): the rollout is gated on pod readiness only',
    };
  }
  if (!builtinsAvailable) {
    return {
      config: cfg,
      readinessOnly: `no metrics: are configured and ${why ?? 'the data plane has no built-in queries'}: the rollout is gated on pod readiness only; add metrics: with query: (docs/metrics.md)`,
    };
  }
  if (providers.length > 1) {
    return {
      config: cfg,
      readinessOnly: `no metrics: are configured and providers: has ${providers.length} entries (${providers.join(', ')}): name the provider of each metric; the rollout is gated on pod readiness only`,
    };
  }
  const provider = cfg.providers[providers[0]!]!;
  if (provider.type !== 'prometheus') {
    return {
      config: cfg,
      readinessOnly: `no metrics: are configured and provider ${providers[0]} is ${provider.type}, whose built-ins need judge: threshold or relative (the default rule is sequential): the rollout is gated on pod readiness only; add metrics: with builtin: request-error-rate and a max: (docs/metrics.md)`,
    };
  }
  const metrics: MetricConfig[] = DEFAULT_BUILTIN_GATES.map((g) => metricConfigSchema.parse({ ...g, judge: DEFAULT_DECISION_RULE.judge }));
  return {
    config: { ...cfg, metrics },
    note:
      `no metrics: configured: running the built-in gates ${DEFAULT_BUILTIN_GATES.map((g) => g.builtin).join(' and ')} on provider ${providers[0]} ` +
      `with the default decision rule (${DEFAULT_DECISION_RULE.judge}, alpha ${DEFAULT_DECISION_RULE.alpha} per rollout; docs/sequential.md)`,
  };
}
