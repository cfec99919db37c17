/**
 * The whole-rollout grid of issue 13: healthy and regressed canaries, rolled out with the default
 * configuration over base error rates, traffic levels and error models, in a world with diurnal
 * load, counter resets, scrape gaps and a canary share that differs from the configured weight.
 */
import { deriveSeed } from '../../src/analysis/sequential/rng.ts';
import { DEFAULT_DECISION_RULE } from '../../src/analysis/decision-rule.ts';
import { optimalSampleSize } from './engines.ts';
import { PROMETHEUS_DEFAULT_BUCKETS, STABLE_P99, slowShare, type World } from './rollout-sim.ts';
import { defaultJudges, defaultRolloutConfig, runRollout, type RolloutConfig, type RolloutOutcome } from './rollouts.ts';
import { wilson, type Proportion } from './stats.ts';

export interface Cell {
  name: string;
  kind: 'healthy' | 'regression';
  /** For regressions: which target row it feeds ("1%→1.5%", ...). */
  regression?: string;
  world: World;
  noise: string;
  /**
   * Run without the stable's pre-rollout history (as when the gate's range query fails): the plain
   * evidence with the per-interval cap.
   */
  noHistory?: boolean;
}

const WORLD_EFFECTS = { diurnal: 0.5, resetProbability: 0.01, gapProbability: 0.03, shareFactor: [0.7, 1.3] as const };

export const NOISE: Record<string, Pick<World, 'icc' | 'incidentsPerHour'>> = {
  independent: { icc: 0, incidentsPerHour: 0 },
  'icc 0.01': { icc: 0.01, incidentsPerHour: 0 },
  'icc 0.1': { icc: 0.1, incidentsPerHour: 0 },
  incidents: { icc: 0, incidentsPerHour: 4 },
};

export const BASE_RATES = [0.0001, 0.001, 0.01, 0.05, 0.2];
export const TRAFFIC = [2, 20, 200, 2000];

const pctText = (r: number) => `${+(100 * r).toPrecision(2)}%`;

export function gridCells(quick: boolean): Cell[] {
  const cells: Cell[] = [];
  const noises = Object.keys(NOISE);
  for (const noise of noises) {
    for (const base of BASE_RATES) {
      for (const rps of TRAFFIC) {
        cells.push({
          name: `healthy ${pctText(base)} ${rps} rps ${noise}`,
          kind: 'healthy',
          noise,
          world: { baseRate: base, totalRps: rps, ...NOISE[noise]!, ...WORLD_EFFECTS, errorRatio: 1, p99Increase: 0 },
        });
      }
    }
  }
  const regressions: { label: string; base: number; ratio: number; p99: number }[] = [
    { label: '1%→1.5%', base: 0.01, ratio: 1.5, p99: 0 },
    { label: '1%→2%', base: 0.01, ratio: 2, p99: 0 },
    { label: '0.1%→0.3%', base: 0.001, ratio: 3, p99: 0 },
    { label: 'p99 +20%', base: 0.01, ratio: 1, p99: 0.2 },
  ];
  for (const noise of quick ? ['independent'] : ['independent', 'icc 0.01']) {
    for (const r of regressions) {
      for (const rps of TRAFFIC) {
        cells.push({
          name: `${r.label} ${rps} rps ${noise}`,
          kind: 'regression',
          regression: r.label,
          noise,
          world: { baseRate: r.base, totalRps: rps, ...NOISE[noise]!, ...WORLD_EFFECTS, errorRatio: r.ratio, p99Increase: r.p99 },
        });
      }
    }
  }
  // Without the stable's history (the gate's range query failed or found too little): what the
  // fallback costs where bursts matter.
  for (const noise of noises) {
    for (const base of [0.01, 0.05]) {
      for (const rps of [200, 2000]) {
        cells.push({
          name: `no history: healthy ${pctText(base)} ${rps} rps ${noise}`,
          kind: 'healthy',
          noise,
          noHistory: true,
          world: { baseRate: base, totalRps: rps, ...NOISE[noise]!, ...WORLD_EFFECTS, errorRatio: 1, p99Increase: 0 },
        });
      }
    }
  }
  return cells;
}

export interface CellResult {
  cell: string;
  kind: Cell['kind'];
  noHistory: boolean;
  regression?: string;
  noise: string;
  baseRate: number;
  totalRps: number;
  runs: number;
  /** Canary requests per 30 s interval at the first step's weight (the eligibility rule of the targets). */
  canaryPerIntervalAtFirstStep: number;
  rollback: Proportion;
  rollbackInconclusive: Proportion;
  /**
   * Inconclusive rollbacks whose step could have advanced by its minimum detectable increase (it met
   * the step's target on every metric) but did not, e.g. for lack of checks: these are the rule's
   * fault. The other inconclusive rollbacks could not see the configured regression in the time.
   */
  inconclusiveDespitePower: Proportion;
  promoted: Proportion;
  medianMinutesToPromote: number;
  medianMinutesToRollback: number;
  /** Mean canary requests until a (fail) rollback, and N* of the SPRT at α/metrics, β. */
  canaryRequestsToDetect?: number;
  nStar?: number;
  /** Median over runs of the smallest minimum detectable increase reached in the first step. */
  firstStepMdi: number;
  meanExcessBad: number;
  failedBy: Record<string, number>;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The slow threshold the latency judge picks from Prometheus' default buckets for the stable's p99. */
function slowBound(): number {
  let best = PROMETHEUS_DEFAULT_BUCKETS[0]!;
  let bestDistance = Infinity;
  for (const b of PROMETHEUS_DEFAULT_BUCKETS) {
    const share = slowShare(0, b);
    if (share <= 0 || share > 0.5) continue;
    const d = Math.abs(Math.log(share / 0.01));
    if (d < bestDistance) [best, bestDistance] = [b, d];
  }
  return best;
}

function nStarFor(cell: Cell): number | undefined {
  const alphaPerMetric = DEFAULT_DECISION_RULE.alpha / 2;
  if (cell.kind !== 'regression') return undefined;
  if (cell.world.errorRatio > 1) return optimalSampleSize(cell.world.baseRate, cell.world.baseRate * cell.world.errorRatio, alphaPerMetric);
  const b = slowBound();
  return optimalSampleSize(slowShare(0, b), slowShare(cell.world.p99Increase, b), alphaPerMetric);
}

export function runCell(cell: Cell, runs: number, seed: number, cellIndex: number, config: RolloutConfig = defaultRolloutConfig()): CellResult {
  const outcomes: RolloutOutcome[] = [];
  for (let r = 0; r < runs; r++) outcomes.push(runRollout(cell.world, deriveSeed(seed, 0x7011, cellIndex, r), config, defaultJudges(), { history: !cell.noHistory }));
  const fails = outcomes.filter((o) => o.decision === 'rollback-fail');
  const inconclusive = outcomes.filter((o) => o.decision === 'rollback-inconclusive');
  const promoted = outcomes.filter((o) => o.decision === 'promote');
  const despitePower = inconclusive.filter((o) => {
    const last = o.steps.at(-1);
    return last !== undefined && Object.keys(last.mdi).every((m) => last.mdi[m]! <= last.target[m]!);
  });
  const nStar = nStarFor(cell);
  const failedBy: Record<string, number> = {};
  for (const o of fails) failedBy[o.failedMetric ?? '?'] = (failedBy[o.failedMetric ?? '?'] ?? 0) + 1;
  const mid = (cell.world.shareFactor[0] + cell.world.shareFactor[1]) / 2;
  return {
    cell: cell.name,
    kind: cell.kind,
    noHistory: cell.noHistory ?? false,
    ...(cell.regression ? { regression: cell.regression } : {}),
    noise: cell.noise,
    baseRate: cell.world.baseRate,
    totalRps: cell.world.totalRps,
    runs,
    canaryPerIntervalAtFirstStep: cell.world.totalRps * 30 * (config.steps[0]! / 100) * mid,
    rollback: wilson(fails.length, runs),
    rollbackInconclusive: wilson(inconclusive.length, runs),
    inconclusiveDespitePower: wilson(despitePower.length, runs),
    promoted: wilson(promoted.length, runs),
    medianMinutesToPromote: median(promoted.map((o) => o.seconds / 60)),
    medianMinutesToRollback: median(fails.map((o) => o.seconds / 60)),
    ...(nStar !== undefined && fails.length > 0 ? { canaryRequestsToDetect: fails.reduce((a, o) => a + o.canaryRequests, 0) / fails.length, nStar } : {}),
    ...(nStar !== undefined && fails.length === 0 ? { nStar } : {}),
    firstStepMdi: median(outcomes.map((o) => Math.max(...Object.values(o.steps[0]?.mdi ?? {}), 0))),
    meanExcessBad: outcomes.reduce((a, o) => a + o.excessBad, 0) / runs,
    failedBy,
  };
}

export const ELIGIBLE_CANARY_PER_INTERVAL = 20;

export interface GridTargets {
  falseRollbacksWithinAlpha: { met: boolean; worst: CellResult[] };
  /** The same, for the fallback without the stable's history (reported, not a target of the default). */
  falseRollbacksWithoutHistory: { met: boolean; worst: CellResult[] };
  healthyPromoted: { met: boolean; worst: CellResult[]; note: string };
  /** No healthy rollout timed out inconclusive while its step could already detect its target. */
  noTimeoutDespitePower: { met: boolean; worst: CellResult[] };
  regressionAtTargetPromotedWithinBeta: { met: boolean; worst: CellResult[] };
}

/**
 * Targets of the issue. "Met" uses the point estimate; the Wilson interval is printed. Promotion is
 * judged two ways: strictly, on the cells where the canary gets at least ~20 requests per interval
 * at the first step; and as the parenthesis puts it, no inconclusive timeout of a healthy
 * canary whose step could already detect its target (every other timeout is a step that could not
 * see the configured regression in its time, and says so).
 */
export function gridTargets(results: readonly CellResult[]): GridTargets {
  const alpha = DEFAULT_DECISION_RULE.alpha;
  const beta = DEFAULT_DECISION_RULE.beta;
  const rule = results.filter((r) => !r.noHistory);
  const eligible = rule.filter((r) => r.canaryPerIntervalAtFirstStep >= ELIGIBLE_CANARY_PER_INTERVAL);
  const healthy = rule.filter((r) => r.kind === 'healthy');
  const worst = (rs: CellResult[], by: (r: CellResult) => number, n = 5) => [...rs].sort((x, y) => by(y) - by(x)).slice(0, n);
  const healthyEligible = eligible.filter((r) => r.kind === 'healthy');
  const fallback = results.filter((r) => r.noHistory && r.kind === 'healthy');
  const atTarget = rule.filter((r) => r.regression === '1%→1.5%' && r.canaryPerIntervalAtFirstStep >= ELIGIBLE_CANARY_PER_INTERVAL);
  return {
    falseRollbacksWithinAlpha: { met: healthy.every((r) => r.rollback.value <= alpha), worst: worst(healthy, (r) => r.rollback.value) },
    falseRollbacksWithoutHistory: { met: fallback.every((r) => r.rollback.value <= alpha), worst: worst(fallback, (r) => r.rollback.value, 3) },
    healthyPromoted: {
      met: healthyEligible.every((r) => r.promoted.value >= 0.99),
      worst: worst(healthyEligible, (r) => -r.promoted.value),
      note: 'healthy cells with >= 20 canary requests per interval at the first step',
    },
    noTimeoutDespitePower: { met: healthy.every((r) => r.inconclusiveDespitePower.value === 0), worst: worst(healthy, (r) => r.inconclusiveDespitePower.value, 3) },
    regressionAtTargetPromotedWithinBeta: {
      met: atTarget.every((r) => r.promoted.value <= beta),
      worst: worst(atTarget, (r) => r.promoted.value, 3),
    },
  };
}

const p = (x: Proportion) => `${(100 * x.value).toFixed(1)}% [${(100 * x.lower).toFixed(1)}, ${(100 * x.upper).toFixed(1)}]`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

export function printGrid(results: readonly CellResult[], config: RolloutConfig): void {
  console.log(
    `\n== Whole rollouts, default configuration: steps ${config.steps.join(',')}; settle ${config.settleMs / 1000}s; checks every ${config.intervalMs / 1000}s; step-timeout ${config.stepTimeoutMs / 1000}s; timeout ${config.timeoutMs / 1000}s; ` +
      `rule: α ${DEFAULT_DECISION_RULE.alpha} per rollout (error rate + latency), β ${DEFAULT_DECISION_RULE.beta}, +${100 * DEFAULT_DECISION_RULE.allowedIncrease}% or +${100 * DEFAULT_DECISION_RULE.allowedIncreaseAbs} pp`,
  );
  console.log('   world: 30 s scrapes, diurnal load ±50%, a pod restart per version every ~50 min, 3% scrape gaps, real canary share 0.7–1.3 × weight, latency on Prometheus default buckets');
  console.log('   the judges get the stable\'s scrapes from the hour before the rollout (as the gate\'s range query); cells named "no history:" run without them');
  const header = ['cell', 'runs', 'canary/intvl@1st', 'rollback (fail) [95% CI]', 'inconcl./w power', 'promoted [95% CI]', 'med min promote', 'med min rollback', 'MDI 1st step', 'req to detect / N*'];
  const widths = [42, 5, 16, 24, 16, 24, 15, 16, 12, 20];
  console.log(header.map((h, i) => pad(h, widths[i]!)).join(' '));
  for (const r of results) {
    const cells = [
      r.cell,
      String(r.runs),
      f(r.canaryPerIntervalAtFirstStep, 1),
      p(r.rollback),
      `${(100 * r.rollbackInconclusive.value).toFixed(1)}% / ${(100 * r.inconclusiveDespitePower.value).toFixed(0)}%`,
      p(r.promoted),
      f(r.medianMinutesToPromote),
      f(r.medianMinutesToRollback),
      Number.isFinite(r.firstStepMdi) ? `+${(100 * r.firstStepMdi).toFixed(0)}%` : 'none',
      r.canaryRequestsToDetect !== undefined && r.nStar ? `${Math.round(r.canaryRequestsToDetect)} / ${Math.round(r.nStar)} = ${(r.canaryRequestsToDetect / r.nStar).toFixed(2)}` : '-',
    ];
    console.log(cells.map((c, i) => pad(c, widths[i]!)).join(' '));
  }
}

export function printGridTargets(t: GridTargets): void {
  const line = (r: CellResult, what: Proportion) => `    ${pad(r.cell, 42)} ${p(what)}`;
  const met = (b: boolean) => (b ? 'MET' : 'MISSED');
  console.log(`\n== Targets (whole rollouts; "met" on the point estimate, Wilson 95% intervals shown)`);
  console.log(`healthy rollouts falsely rolled back <= α (${100 * DEFAULT_DECISION_RULE.alpha}%) in every cell: ${met(t.falseRollbacksWithinAlpha.met)}; worst cells:`);
  for (const r of t.falseRollbacksWithinAlpha.worst) console.log(line(r, r.rollback));
  console.log(`  without the stable's history (the fallback when the gate's range query fails): ${met(t.falseRollbacksWithoutHistory.met)}; worst cells:`);
  for (const r of t.falseRollbacksWithoutHistory.worst) console.log(line(r, r.rollback));
  console.log(`healthy rollouts promoted >= 99% (${t.healthyPromoted.note}): ${met(t.healthyPromoted.met)}; worst cells:`);
  for (const r of t.healthyPromoted.worst)
    console.log(`${line(r, r.promoted)} (inconclusive ${p(r.rollbackInconclusive)}: the step could not see its target in time)`);
  console.log(`no inconclusive timeout of a healthy canary whose step could already detect its target: ${met(t.noTimeoutDespitePower.met)}; worst cells:`);
  for (const r of t.noTimeoutDespitePower.worst) console.log(line(r, r.inconclusiveDespitePower));
  console.log(`a regression at the target (1%→1.5%) promoted <= β (${100 * DEFAULT_DECISION_RULE.beta}%): ${met(t.regressionAtTargetPromotedWithinBeta.met)}; worst cells:`);
  for (const r of t.regressionAtTargetPromotedWithinBeta.worst) console.log(line(r, r.promoted));
}
