/**
 * Decision-quality benchmark, in two parts:
 *
 * 1. Whole rollouts with the default configuration (issue 13): the grid of base error rates,
 *    traffic levels and error models, in a world with diurnal load, counter resets, scrape gaps and a
 *    real canary share that differs from the weight; per cell false rollbacks, promotions and their
 *    time, detection and requests to detect / N*, with Wilson 95 % intervals, and the targets.
 * 2. One step against peers: how fast and how safely each engine (Flagger-, Kayenta-style, the
 *    SPRT oracle, ours) rolls back bad canaries and promotes good ones on the same streams.
 *
 *   node bench/decisions.ts [--quick | --full] [--part rollouts|peers|all] [--seed 1] [--runs N]
 *                           [--grid-runs N] [--steps 10,50,100] [--step-timeout seconds]
 *                           [--alpha 0.01] [--json [path]] [--only substring]
 *
 * --quick (the default) runs 12 rollouts per grid cell and 20 runs per peer scenario (without the
 * robust engine), a few minutes on a loaded machine; --full runs 400 of each. Baselines are reported at their defaults and
 * tuned to the same false-rollback budget (alpha) on healthy twins of each scenario.
 */
import { writeFileSync } from 'node:fs';
import { deriveSeed } from '../src/analysis/sequential/rng.ts';
import { klBernoulli } from '../src/analysis/special/special.ts';
import {
  flaggerEngine,
  kayentaEngine,
  minuteStats,
  oracleEngine,
  optimalSampleSize,
  oursEngine,
  type EngineSpec,
  type FlaggerSettings,
} from './lib/engines.ts';
import {
  BURN_IN_SECONDS,
  HORIZON_SECONDS,
  SCRAPE_SECONDS,
  canarySlowProbability,
  excessBadPerRequest,
  generateStream,
  scenarios,
  type Scenario,
  type Stream,
} from './lib/scenarios.ts';
import { meanCi, wilson, type MeanEstimate, type Proportion } from './lib/stats.ts';
import { DEFAULT_DECISION_RULE } from '../src/analysis/decision-rule.ts';
import { defaultRolloutConfig, type RolloutConfig } from './lib/rollouts.ts';
import { gridCells, gridTargets, printGrid, printGridTargets, runCell, type CellResult, type GridTargets } from './lib/rollout-grid.ts';

interface Args {
  seed: number;
  runs: number;
  gridRuns: number;
  alpha: number;
  part: 'rollouts' | 'peers' | 'all';
  full: boolean;
  /** Override the default step plan / step timeout (to measure an alternative plan). */
  steps?: number[];
  stepTimeoutMs?: number;
  json?: string;
  only?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seed: 1, runs: NaN, gridRuns: NaN, alpha: 0.01, part: 'all', full: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} expects a value, e.g. ${a} 10`);
      i++;
      return v;
    };
    if (a === '--seed') args.seed = Number(next());
    else if (a === '--runs') args.runs = Number(next());
    else if (a === '--grid-runs') args.gridRuns = Number(next());
    else if (a === '--quick') args.full = false;
    else if (a === '--steps') args.steps = next().split(',').map(Number);
    else if (a === '--step-timeout') args.stepTimeoutMs = Number(next()) * 1000;
    else if (a === '--full') args.full = true;
    else if (a === '--part') {
      const v = next();
      if (v !== 'rollouts' && v !== 'peers' && v !== 'all') throw new Error(`--part expects rollouts, peers or all, found ${v}`);
      args.part = v;
    }
    else if (a === '--alpha') args.alpha = Number(next());
    else if (a === '--only') args.only = next();
    else if (a === '--json') args.json = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'bench-decisions.json';
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/decisions.ts [--quick | --full] [--part rollouts|peers|all] [--seed N] [--runs N] [--grid-runs N] [--steps 10,50,100] [--step-timeout seconds] [--alpha A] [--json [path]] [--only substring]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}; try --help`);
  }
  if (Number.isNaN(args.runs)) args.runs = args.full ? 400 : 20;
  if (Number.isNaN(args.gridRuns)) args.gridRuns = args.full ? 400 : 12;
  if (!(args.gridRuns >= 5) || !Number.isInteger(args.gridRuns)) throw new Error(`--grid-runs expects an integer >= 5, found ${args.gridRuns}`);
  if (!(args.runs >= 10) || !Number.isInteger(args.runs)) throw new Error(`--runs expects an integer >= 10, found ${args.runs}`);
  if (!(args.alpha > 0 && args.alpha < 0.5)) throw new Error(`--alpha expects a number in (0, 0.5), found ${args.alpha}`);
  return args;
}

interface RunOutcome {
  decision: 'rollback' | 'promote' | 'none';
  seconds: number;
  canaryRequests: number;
  /** Canary requests after burn-in: the sample the tests actually used (compared with N*). */
  testedRequests: number;
  excessBad: number;
}

function runEngine(spec: EngineSpec, s: Scenario, stream: Stream): RunOutcome {
  const engine = spec.create(s);
  let excess = 0;
  for (let i = 1; i < stream.observations.length; i++) {
    const t = i * SCRAPE_SECONDS;
    excess += (stream.canaryRequests[i]! - stream.canaryRequests[i - 1]!) * excessBadPerRequest(s, t);
    const d = engine.observe(stream.observations[i]!, t);
    if (d) {
      if (d === 'promote') {
        // A promoted canary serves all traffic from then on: its excess counts to the horizon at full
        // traffic (canary requests / canary weight), which is the harm of promoting a regression.
        for (let j = i + 1; j < stream.observations.length; j++) {
          excess += ((stream.canaryRequests[j]! - stream.canaryRequests[j - 1]!) / s.canaryWeight) * excessBadPerRequest(s, j * SCRAPE_SECONDS);
        }
      }
      const tested = stream.canaryRequests[i]! - stream.canaryRequests[BURN_IN_SECONDS / SCRAPE_SECONDS]!;
      return { decision: d, seconds: t, canaryRequests: stream.canaryRequests[i]!, testedRequests: tested, excessBad: excess };
    }
  }
  const last = stream.canaryRequests[stream.canaryRequests.length - 1]!;
  return { decision: 'none', seconds: HORIZON_SECONDS, canaryRequests: last, testedRequests: last - stream.canaryRequests[BURN_IN_SECONDS / SCRAPE_SECONDS]!, excessBad: excess };
}

interface Summary {
  scenario: string;
  family: string;
  engine: string;
  runs: number;
  rollback: Proportion;
  promote: Proportion;
  secondsToRollback: MeanEstimate;
  canaryRequestsToRollback: MeanEstimate;
  testedRequestsToRollback: MeanEstimate;
  secondsToPromote: MeanEstimate;
  canaryRequestsToPromote: MeanEstimate;
  excessBadRequests: MeanEstimate;
  /** Mean canary requests after burn-in until rollback / N* (regressions only). */
  ratioToOptimum?: number;
  optimum?: number;
}

function summarise(s: Scenario, engine: string, outcomes: readonly RunOutcome[], optimum: number | undefined): Summary {
  const rb = outcomes.filter((o) => o.decision === 'rollback');
  const pr = outcomes.filter((o) => o.decision === 'promote');
  const reqRb = meanCi(rb.map((o) => o.canaryRequests));
  const testedRb = meanCi(rb.map((o) => o.testedRequests));
  return {
    scenario: s.name,
    family: s.family,
    engine,
    runs: outcomes.length,
    rollback: wilson(rb.length, outcomes.length),
    promote: wilson(pr.length, outcomes.length),
    secondsToRollback: meanCi(rb.map((o) => o.seconds)),
    canaryRequestsToRollback: reqRb,
    secondsToPromote: meanCi(pr.map((o) => o.seconds)),
    canaryRequestsToPromote: meanCi(pr.map((o) => o.canaryRequests)),
    excessBadRequests: meanCi(outcomes.map((o) => o.excessBad)),
    testedRequestsToRollback: testedRb,
    ...(optimum !== undefined ? { optimum, ratioToOptimum: testedRb.mean / optimum } : {}),
  };
}

/** N* for the scenario's main regression, at the per-metric level α/2 and β = 0.2. */
function scenarioOptimum(s: Scenario, alphaPerMetric: number): number | undefined {
  if (s.family !== 'regression') return undefined;
  let sum = 0;
  let n = 0;
  for (let t = SCRAPE_SECONDS; t <= HORIZON_SECONDS; t += SCRAPE_SECONDS, n++) sum += s.canaryErrorRate(t);
  const pc = sum / n;
  if (pc > s.stableErrorRate * 1.001) return optimalSampleSize(s.stableErrorRate, pc, alphaPerMetric);
  return optimalSampleSize(0.01, canarySlowProbability(s), alphaPerMetric);
}

// ---- Tuning the baselines to the same false-rollback budget --------------------------------------

const FLAGGER_ITERATIONS = 10;

interface Calibration {
  key: string;
  runs: number;
  flagger: Record<number, FlaggerSettings & { calibratedFalseRollback: number }>;
  kayentaConfidence: number;
  kayentaCalibratedFalseRollback: number;
}

const KAYENTA_DEFAULT = { confidence: 0.98, tolerance: 0.25, judgeEveryMinutes: 5, lifetimeMinutes: 25 };

function calibrate(key: string, twin: Scenario, runs: number, alpha: number, seed: number): Calibration {
  const streams = Array.from({ length: runs }, (_, r) => generateStream(twin, deriveSeed(seed, 0xca11b, r)));
  // Flagger: per run the first FLAGGER_ITERATIONS one-minute checks.
  const checks = streams.map((st) => {
    const out: { err: number; p99: number }[] = [];
    const startIndex = BURN_IN_SECONDS / SCRAPE_SECONDS;
    for (let k = 1; k <= FLAGGER_ITERATIONS; k++) {
      const a = st.observations[startIndex + (k - 1) * 4]!;
      const b = st.observations[startIndex + k * 4]!;
      const m = minuteStats(a, b);
      const noData = !(m.canaryRequests > 0);
      out.push({ err: noData ? Infinity : m.canaryErrorRate, p99: noData ? Infinity : m.canaryP99 });
    }
    return out;
  });
  const nthLargest = (values: number[], n: number) => [...values].sort((x, y) => y - x)[n - 1] ?? -Infinity;
  const thresholdFor = (perRun: number[], budget: number) => {
    const sorted = [...perRun].sort((x, y) => y - x);
    return sorted[Math.min(sorted.length - 1, Math.floor(budget * sorted.length))]!;
  };
  const flagger: Calibration['flagger'] = {};
  for (const n of [1, 3, 5]) {
    // Failures of both metrics add up towards N, so the per-metric tail budget shrinks until the
    // joint false-rollback rate on the calibration runs is within alpha.
    for (const budget of [alpha / 2, alpha / 3, alpha / 4, alpha / 6, alpha / 8, alpha / 12, alpha / 16, 0]) {
      const errThr = thresholdFor(checks.map((c) => nthLargest(c.map((x) => x.err), n)), budget);
      const latThr = thresholdFor(checks.map((c) => nthLargest(c.map((x) => x.p99), n)), budget);
      const settings: FlaggerSettings = {
        threshold: n,
        minSuccessRate: Number.isFinite(errThr) ? 1 - errThr : 0,
        maxP99: Number.isFinite(latThr) ? latThr : Infinity,
        iterations: FLAGGER_ITERATIONS,
      };
      const spec = flaggerEngine('cal', () => settings);
      const falseRb = streams.filter((st) => runEngine(spec, twin, st).decision === 'rollback').length / runs;
      flagger[n] = { ...settings, calibratedFalseRollback: falseRb };
      if (falseRb <= alpha) break;
    }
  }
  let kayentaConfidence = 0.99999;
  let kayentaFalse = NaN;
  for (const confidence of [0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 0.99999]) {
    const spec = kayentaEngine('cal', { ...KAYENTA_DEFAULT, confidence });
    const falseRb = streams.filter((st) => runEngine(spec, twin, st).decision === 'rollback').length / runs;
    kayentaConfidence = confidence;
    kayentaFalse = falseRb;
    if (falseRb <= alpha) break;
  }
  return { key, runs, flagger, kayentaConfidence, kayentaCalibratedFalseRollback: kayentaFalse };
}

// ---- Report ------------------------------------------------------------------------------------------

const pct = (p: Proportion) => `${(100 * p.value).toFixed(1)}% [${(100 * p.lower).toFixed(1)}, ${(100 * p.upper).toFixed(1)}]`;
const num = (m: MeanEstimate, scale = 1, digits = 1) =>
  Number.isNaN(m.mean) ? '-' : `${(m.mean / scale).toFixed(digits)}${Number.isNaN(m.lower) ? '' : ` ±${((m.upper - m.mean) / scale).toFixed(digits)}`}`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function printScenario(rows: readonly Summary[]): void {
  const header = ['engine', 'rollback % [95% CI]', 'min to rollback', 'canary req to rollback', 'req/N*', 'excess bad req', 'promote %', 'min to promote'];
  const widths = [26, 22, 16, 23, 7, 16, 10, 14];
  console.log(header.map((h, i) => pad(h, widths[i]!)).join(' '));
  for (const r of rows) {
    const cells = [
      r.engine,
      pct(r.rollback),
      num(r.secondsToRollback, 60),
      num(r.canaryRequestsToRollback, 1, 0),
      r.ratioToOptimum !== undefined && Number.isFinite(r.ratioToOptimum) ? r.ratioToOptimum.toFixed(2) : '-',
      num(r.excessBadRequests, 1, 1),
      `${(100 * r.promote.value).toFixed(1)}%`,
      num(r.secondsToPromote, 60),
    ];
    console.log(cells.map((c, i) => pad(c, widths[i]!)).join(' '));
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  let grid: { config: RolloutConfig; results: CellResult[]; targets: GridTargets } | undefined;
  if (args.part !== 'peers') {
    const config = { ...defaultRolloutConfig(), ...(args.steps ? { steps: args.steps } : {}), ...(args.stepTimeoutMs ? { stepTimeoutMs: args.stepTimeoutMs } : {}) };
    const cells = gridCells(!args.full).filter((c) => !args.only || c.name.includes(args.only));
    const results = cells.map((c, i) => runCell(c, args.gridRuns, args.seed, i, config));
    printGrid(results, config);
    const targets = gridTargets(results);
    printGridTargets(targets);
    console.log(`\n${cells.length} cells x ${args.gridRuns} rollouts, seed ${args.seed}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    grid = { config, results, targets };
  }
  let peers: Record<string, unknown> | undefined;
  if (args.part !== 'rollouts') peers = peerSection(args, Date.now());
  if (args.json) {
    const json = { config: args, rule: DEFAULT_DECISION_RULE, grid, peers };
    writeFileSync(args.json, JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
    console.log(`wrote ${args.json}`);
  }
}

function peerSection(args: Args, started: number): Record<string, unknown> {
  const all = scenarios().filter((s) => !args.only || s.name.includes(args.only));
  const alphaPerMetric = args.alpha / 2;

  const calibrations = new Map<string, Calibration>();
  for (const s of all) {
    if (calibrations.has(s.calibrationKey)) continue;
    const twin: Scenario = { ...s, name: `${s.calibrationKey} twin`, family: 'healthy', canaryErrorRate: () => s.stableErrorRate, canaryLatency: scenarios()[0]!.canaryLatency, warmUp: false, noisyBaseline: false, sharedIncident: false };
    calibrations.set(s.calibrationKey, calibrate(s.calibrationKey, twin, 3 * args.runs, args.alpha, args.seed));
  }

  const engines = (s: Scenario): EngineSpec[] => {
    const cal = calibrations.get(s.calibrationKey)!;
    const specs: EngineSpec[] = [];
    for (const n of [1, 3, 5]) specs.push(flaggerEngine(`flagger N=${n} default`, () => ({ threshold: n, minSuccessRate: 0.99, maxP99: 0.5, iterations: FLAGGER_ITERATIONS })));
    for (const n of [1, 3, 5]) specs.push(flaggerEngine(`flagger N=${n} tuned`, () => cal.flagger[n]!));
    specs.push(kayentaEngine('kayenta 98% default', KAYENTA_DEFAULT));
    specs.push(kayentaEngine(`kayenta ${+(cal.kayentaConfidence * 100).toPrecision(6)}% tuned`, { ...KAYENTA_DEFAULT, confidence: cal.kayentaConfidence }));
    const ours = { alpha: args.alpha, beta: DEFAULT_DECISION_RULE.beta, allowedIncrease: DEFAULT_DECISION_RULE.allowedIncrease, allowedIncreaseAbs: DEFAULT_DECISION_RULE.allowedIncreaseAbs, metrics: ['error-rate', 'latency'] as const, minRequests: 100 };
    specs.push(oursEngine('ours (sequential)', ours));
    if (args.full) specs.push(oursEngine('ours (robust)', { ...ours, robust: true }));
    specs.push(oracleEngine('SPRT oracle', args.alpha));
    return specs;
  };

  const results: Summary[] = [];
  for (const [si, s] of all.entries()) {
    const specs = engines(s);
    const outcomes = specs.map(() => [] as RunOutcome[]);
    for (let r = 0; r < args.runs; r++) {
      const stream = generateStream(s, deriveSeed(args.seed, si, r));
      specs.forEach((spec, e) => outcomes[e]!.push(runEngine(spec, s, stream)));
    }
    const optimum = scenarioOptimum(s, alphaPerMetric);
    const rows = specs.map((spec, e) => summarise(s, spec.name, outcomes[e]!, optimum));
    results.push(...rows);
    console.log(`\n== ${s.name} (${s.family}; ${s.totalRps} rps, canary ${s.canaryWeight * 100}%${optimum ? `; N* = ${Math.round(optimum)} canary requests at α/2 = ${alphaPerMetric}, β = 0.2` : ''})`);
    printScenario(rows);
  }

  // Detection efficiency against Wald's bound, as in the issue: 1 % → 1.5 %, α = 0.05, β = 0.2, error rate only.
  const effScenario = scenarios().find((s) => s.name === 'errors 1% -> 1.5%')!;
  const effAlpha = 0.05;
  const nStar = optimalSampleSize(0.01, 0.015, effAlpha);
  const powerOneBound = Math.log(1 / effAlpha) / klBernoulli(0.015, 0.01);
  const effEngines = [
    oursEngine('ours, error rate only', { alpha: effAlpha, beta: 0.2, allowedIncrease: 0.5, metrics: ['error-rate'], minRequests: 100 }),
    oracleEngine('SPRT oracle, error rate only', effAlpha, { metrics: ['error-rate'] }),
  ];
  const effOutcomes = effEngines.map(() => [] as RunOutcome[]);
  for (let r = 0; r < args.runs; r++) {
    const stream = generateStream(effScenario, deriveSeed(args.seed, 0xeff, r));
    effEngines.forEach((spec, e) => effOutcomes[e]!.push(runEngine(spec, effScenario, stream)));
  }
  const efficiency = effEngines.map((spec, e) => ({ ...summarise(effScenario, spec.name, effOutcomes[e]!, nStar) }));
  console.log(`\n== Efficiency: 1% -> 1.5%, α = ${effAlpha}, β = 0.2: N* = ${Math.round(nStar)}; bound for tests that never accept (log(1/α)/KL) = ${Math.round(powerOneBound)}`);
  printScenario(efficiency);

  // Targets.
  const oursRows = results.filter((r) => r.engine === 'ours (sequential)');
  const healthyOurs = oursRows.filter((r) => r.family === 'healthy');
  const falseOk = healthyOurs.every((r) => r.rollback.value <= args.alpha);
  const effRatio = efficiency[0]!.ratioToOptimum!;
  const excessRatios = oursRows
    .filter((r) => r.family === 'regression')
    .map((r) => {
      const flaggerTuned = results.filter((x) => x.scenario === r.scenario && /flagger N=\d tuned/.test(x.engine));
      const best = flaggerTuned.reduce((a, b) => (b.excessBadRequests.mean < a.excessBadRequests.mean ? b : a));
      return { scenario: r.scenario, ours: r.excessBadRequests.mean, flaggerTuned: best.excessBadRequests.mean, flaggerEngine: best.engine, ratio: best.excessBadRequests.mean / r.excessBadRequests.mean };
    });
  console.log('\n== Targets');
  for (const r of healthyOurs) console.log(`false rollbacks, ${pad(r.scenario, 28)} ${pct(r.rollback)} (target <= ${100 * args.alpha}%)`);
  console.log(`false rollbacks <= α in every healthy family: ${healthyOurs.length === 0 ? 'n/a (no healthy scenario selected)' : falseOk ? 'MET' : 'NOT MET'}`);
  console.log(`exposure to detect 1% -> 1.5% (α = 0.05): ${Math.round(efficiency[0]!.testedRequestsToRollback.mean)} canary requests after burn-in = ${effRatio.toFixed(2)} x N* (target <= 1.5): ${effRatio <= 1.5 ? 'MET' : 'NOT MET'}`);
  for (const x of excessRatios) console.log(`excess bad requests, ${pad(x.scenario, 28)} best tuned Flagger (${x.flaggerEngine}) ${x.flaggerTuned.toFixed(1)} vs ours ${x.ours.toFixed(1)}: ${x.ratio.toFixed(2)}x`);
  const overall = excessRatios.reduce((a, x) => a + x.flaggerTuned, 0) / excessRatios.reduce((a, x) => a + x.ours, 0);
  console.log(`excess bad requests over all regression scenarios: ${overall.toFixed(2)}x fewer than the best tuned Flagger per scenario (target >= 3x): ${overall >= 3 ? 'MET' : 'NOT MET'}`);
  console.log(`\n${all.length} scenarios x ${args.runs} runs, seed ${args.seed}, α = ${args.alpha}; ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const calibration = Object.fromEntries([...calibrations.entries()]);
  return { config: { scrapeSeconds: SCRAPE_SECONDS, horizonSeconds: HORIZON_SECONDS, burnInSeconds: BURN_IN_SECONDS, runs: args.runs }, calibration, results, efficiency, targets: { falseRollbacksWithinAlpha: falseOk, efficiencyRatio: effRatio, excessRatios, excessRatioOverall: overall } };
}

main();
