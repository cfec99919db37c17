/**
 * The built-in gate every step passes: both versions ready, no crash loops, no image pull errors.
 * A failure carries the workload's reason (canary-crashloop, canary-image-pull, not-found, ...),
 * which outranks any metric's verdict in the step verdict.
 */
import type { StepGate } from './gate.ts';
import type { Workloads } from './workloads.ts';

export function createReadinessGate(workloads: Workloads, names: { canary: string; stable: string }): StepGate {
  return {
    name: 'readiness',
    async check() {
      const [canary, stable] = await Promise.all([workloads.assess(names.canary), workloads.assess(names.stable)]);
      const failed = [canary, stable].find((r) => r.state === 'failed');
      if (failed && failed.state === 'failed') return { verdict: 'fail', summary: failed.message, metrics: [], reason: failed.reason };
      const verdict = canary.state === 'ready' && stable.state === 'ready' ? 'pass' : 'continue';
      return { verdict, summary: `canary ${canary.message}; stable ${stable.message}`, metrics: [] };
    },
  };
}
