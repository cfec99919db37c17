/**
 * Realistic rollout reports (a promoted one and a rolled-back one) for the renderer tests, the sink
 * tests and scripts/render-samples.ts. Built from fixed numbers, no clock, no randomness.
 */
import type { GateCheck } from '../../src/rollout/gate.ts';
import type { MetricPoint, RolloutReport, StepRecord } from '../../src/rollout/report.ts';

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const MIN = 60_000;

const SUCCESS_QUERY =
  'sum(rate(istio_requests_total{destination_workload_namespace="shop",destination_workload="checkout-canary",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{destination_workload_namespace="shop",destination_workload="checkout-canary"}[1m]))';
const LATENCY_QUERY =
  'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{destination_workload_namespace="shop",destination_workload="checkout-canary"}[1m])) by (le))';

function gateCheck(successRate: [number, number], p99: [number, number], failLatency = false): GateCheck {
  return {
    verdict: failLatency ? 'fail' : 'pass',
    summary: failLatency ? 'latency p99 breached' : 'all metrics within bounds',
    metrics: [
      {
        name: 'request-success-rate',
        query: SUCCESS_QUERY,
        canaryValue: successRate[0],
        stableValue: successRate[1],
        threshold: '>= 0.99',
        verdict: 'pass',
        explanation: `success rate ${successRate[0]} >= 0.99`,
      },
      {
        name: 'latency-p99',
        query: LATENCY_QUERY,
        canaryValue: p99[0],
        stableValue: p99[1],
        threshold: '<= 1.2 x stable',
        verdict: failLatency ? 'fail' : 'pass',
        explanation: failLatency
          ? `p99 ${p99[0]} ms > 1.2 x stable (${p99[1]} ms) in 3 consecutive checks`
          : `p99 ${p99[0]} ms <= 1.2 x stable (${p99[1]} ms)`,
      },
    ],
  };
}

function history(steps: { weight: number; minutes: number; success: number; p99: number }[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  let t = T0 + MIN;
  for (const s of steps) {
    for (let i = 0; i < s.minutes; i++) {
      points.push({ at: t, weight: s.weight, metric: 'request-success-rate', canary: s.success - i * 0.0001, stable: 0.9991 });
      points.push({ at: t, weight: s.weight, metric: 'latency-p99', canary: s.p99 + i * 2, stable: 212 });
      t += MIN;
    }
  }
  return points;
}

function step(index: number, weight: number, startMin: number, endMin: number | undefined, verdict: StepRecord['verdict'], gates: StepRecord['gates'], checks: number): StepRecord {
  return {
    index,
    weight,
    verdict,
    startedAt: T0 + startMin * MIN,
    ...(endMin !== undefined ? { endedAt: T0 + endMin * MIN } : {}),
    checks,
    gates,
  };
}

const BASE = {
  runId: '11873340921',
  runUrl: 'https://github.com/acme/shop/actions/runs/11873340921',
  mode: 'rollout' as const,
  target: { namespace: 'shop', deployment: 'checkout', canary: 'checkout-canary', container: 'app' },
  images: { stable: 'ghcr.io/acme/checkout:1.41.2', canary: 'ghcr.io/acme/checkout:1.42.0' },
  router: 'istio',
  routerNotes: ['VirtualService shop/checkout, DestinationRule subsets stable/canary'],
  startedAt: T0,
};

export function promotedReport(): RolloutReport {
  return {
    ...BASE,
    updatedAt: T0 + 22 * MIN,
    finishedAt: T0 + 22 * MIN,
    phase: 'done',
    weight: 100,
    result: 'promoted',
    message: 'All 4 steps passed their gates; stable now runs ghcr.io/acme/checkout:1.42.0.',
    steps: [
      step(0, 5, 1, 6, 'pass', { metrics: gateCheck([0.9994, 0.9991], [208, 212]) }, 10),
      step(1, 20, 6, 11, 'pass', { metrics: gateCheck([0.9993, 0.9991], [215, 212]) }, 10),
      step(2, 50, 11, 16, 'pass', { metrics: gateCheck([0.9992, 0.9990], [219, 214]) }, 10),
      step(3, 100, 16, 21, 'pass', { metrics: gateCheck([0.9993, 0.9991], [214, 213]) }, 10),
    ],
    metricHistory: history([
      { weight: 5, minutes: 5, success: 0.9995, p99: 206 },
      { weight: 20, minutes: 5, success: 0.9994, p99: 210 },
      { weight: 50, minutes: 5, success: 0.9993, p99: 214 },
      { weight: 100, minutes: 5, success: 0.9994, p99: 209 },
    ]),
    precheck: {
      verdict: 'pass',
      summary: 'No schema changes between stable and canary migrations.',
      markdown: 'No changes in `db/migrations` between `v1.41.2` and `v1.42.0`.',
      findings: [],
    },
  };
}

export function rolledBackReport(): RolloutReport {
  return {
    ...BASE,
    images: { stable: 'ghcr.io/acme/checkout:1.41.2', canary: 'ghcr.io/acme/checkout:1.43.0-rc.1' },
    updatedAt: T0 + 14 * MIN,
    finishedAt: T0 + 14 * MIN,
    phase: 'rolled-back',
    weight: 0,
    result: 'rolled-back',
    reason: 'gate-failed',
    message: 'Gate "metrics" failed at step 2 (20 %): latency-p99 412 ms > 1.2 x stable (214 ms) in 3 consecutive checks.',
    steps: [
      step(0, 5, 1, 6, 'pass', { metrics: gateCheck([0.9993, 0.9991], [231, 212]) }, 10),
      step(1, 20, 6, 13, 'fail', { metrics: gateCheck([0.9989, 0.9991], [412, 214], true) }, 14),
      step(2, 50, 13, undefined, 'skipped', {}, 0),
      step(3, 100, 13, undefined, 'skipped', {}, 0),
    ],
    metricHistory: history([
      { weight: 5, minutes: 5, success: 0.9993, p99: 228 },
      { weight: 20, minutes: 7, success: 0.999, p99: 380 },
    ]),
    precheck: {
      verdict: 'warn',
      summary: '1 warning: a column gains NOT NULL with a default.',
      markdown: [
        '| Rule | Severity | Finding | Instead |',
        '|---|---|---|---|',
        '| SG012 | warning | `orders.currency` becomes NOT NULL DEFAULT \'EUR\' | Backfill first, then add the constraint as NOT VALID and validate it |',
      ].join('\n'),
      findings: [{ rule: 'SG012', severity: 'warning', table: 'orders', column: 'currency' }],
    },
  };
}

/** A rollout in progress (step 2 running), for the sinks' intermediate events. */
export function runningReport(): RolloutReport {
  const r = promotedReport();
  return {
    ...r,
    finishedAt: undefined,
    result: undefined,
    message: undefined,
    phase: 'analysing',
    weight: 20,
    updatedAt: T0 + 8 * MIN,
    steps: [r.steps[0]!, { ...r.steps[1]!, verdict: 'running', endedAt: undefined }, { ...r.steps[2]!, verdict: 'pending', gates: {}, checks: 0, startedAt: undefined, endedAt: undefined }],
    metricHistory: r.metricHistory.slice(0, 14),
  };
}
