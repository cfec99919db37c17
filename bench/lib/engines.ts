/**
 * Decision engines compared by the benchmark. Each sees only the observation stream (cumulative
 * counters and histograms per scrape) and answers, after each observation, rollback / promote /
 * nothing yet. All share the burn-in: nothing before BURN_IN_SECONDS counts.
 */
import type { MetricObservation } from '../../src/analysis/types.ts';
import {
  createSequentialJudge,
  increment,
  readCounts,
  splitAlpha,
  type Counts,
  type SequentialKind,
} from '../../src/analysis/sequential/index.ts';
import { klBernoulli } from '../../src/analysis/special/special.ts';
import { DEFAULT_DECISION_RULE } from '../../src/analysis/decision-rule.ts';
import { kayentaHigh } from './mann-whitney.ts';
import { BASE_LATENCY, BURN_IN_SECONDS, SCRAPE_SECONDS, STABLE_P99, type Scenario } from './scenarios.ts';
import { LATENCY_BOUNDS, histogramQuantile, lognormalCdf } from './sim.ts';

export type Decision = 'rollback' | 'promote' | undefined;

export interface Engine {
  /** `t` is seconds since the canary started. */
  observe(obs: MetricObservation, t: number): Decision;
}

export interface EngineSpec {
  name: string;
  create(s: Scenario): Engine;
}

/** Per-minute window statistics that the threshold and Mann-Whitney engines use. */
export interface MinuteStats {
  canaryRequests: number;
  canaryErrorRate: number;
  stableErrorRate: number;
  canaryP99: number;
  stableP99: number;
}

function bucketIncrements(prev: MetricObservation['canary'], cur: MetricObservation['canary']): number[] {
  const p = prev.buckets ?? [];
  const c = cur.buckets ?? [];
  const out: number[] = [];
  let prevCum = 0;
  let curCum = 0;
  for (let i = 0; i < c.length; i++) {
    const dc = c[i]!.count - curCum;
    const dp = (p[i]?.count ?? 0) - prevCum;
    out.push(Math.max(0, dc - dp));
    curCum = c[i]!.count;
    prevCum = p[i]?.count ?? 0;
  }
  return out;
}

export function minuteStats(prev: MetricObservation, cur: MetricObservation): MinuteStats {
  const dReq = (cur.canary.requests ?? 0) - (prev.canary.requests ?? 0);
  const dErr = (cur.canary.errors ?? 0) - (prev.canary.errors ?? 0);
  const sReq = (cur.stable?.requests ?? 0) - (prev.stable?.requests ?? 0);
  const sErr = (cur.stable?.errors ?? 0) - (prev.stable?.errors ?? 0);
  return {
    canaryRequests: dReq,
    canaryErrorRate: dReq > 0 ? dErr / dReq : NaN,
    stableErrorRate: sReq > 0 ? sErr / sReq : NaN,
    canaryP99: dReq > 0 ? histogramQuantile(bucketIncrements(prev.canary, cur.canary), 0.99) : NaN,
    stableP99: sReq > 0 && prev.stable && cur.stable ? histogramQuantile(bucketIncrements(prev.stable, cur.stable), 0.99) : NaN,
  };
}

/** Calls `onMinute` with each 1-minute window after burn-in. */
function minuteClock(onMinute: (m: MinuteStats, minute: number) => Decision): Engine {
  let last: MetricObservation | undefined;
  let minute = 0;
  return {
    observe(obs, t) {
      if (t < BURN_IN_SECONDS) return undefined;
      if (!last) {
        last = obs;
        return undefined;
      }
      if ((t - BURN_IN_SECONDS) % 60 !== 0) return undefined;
      const stats = minuteStats(last, obs);
      last = obs;
      minute++;
      return onMinute(stats, minute);
    },
  };
}

export interface FlaggerSettings {
  threshold: number; // N cumulative failed checks
  minSuccessRate: number; // e.g. 0.99
  maxP99: number; // seconds
  iterations: number; // passing checks before promotion
}

/** Flagger-style: a fixed threshold on each 1-minute check; N cumulative failures roll back. */
export function flaggerEngine(name: string, settings: (s: Scenario) => FlaggerSettings): EngineSpec {
  return {
    name,
    create(s) {
      const cfg = settings(s);
      let failures = 0;
      return minuteClock((m, minute) => {
        // Flagger counts a query without data ("no values found") as a failed check.
        const failed = !(m.canaryRequests > 0) || 1 - m.canaryErrorRate < cfg.minSuccessRate || m.canaryP99 > cfg.maxP99;
        if (failed) failures++;
        if (failures >= cfg.threshold) return 'rollback';
        if (minute >= cfg.iterations) return 'promote';
        return undefined;
      });
    },
  };
}

export interface KayentaSettings {
  confidence: number;
  tolerance: number;
  judgeEveryMinutes: number;
  lifetimeMinutes: number;
}

/**
 * Kayenta-style: per-minute points of canary and baseline, a Mann-Whitney (Hodges-Lehmann CI)
 * classification per metric at each interim judgement on the growing window; any metric "High"
 * fails the run (with two metrics one failure puts the score below a 75 marginal threshold).
 */
export function kayentaEngine(name: string, cfg: KayentaSettings): EngineSpec {
  return {
    name,
    create() {
      const points: MinuteStats[] = [];
      return minuteClock((m, minute) => {
        points.push(m);
        if (minute % cfg.judgeEveryMinutes !== 0) return undefined;
        const high =
          kayentaHigh(points.map((p) => p.canaryErrorRate), points.map((p) => p.stableErrorRate), cfg.confidence, cfg.tolerance) ||
          kayentaHigh(points.map((p) => p.canaryP99), points.map((p) => p.stableP99), cfg.confidence, cfg.tolerance);
        if (high) return 'rollback';
        if (minute >= cfg.lifetimeMinutes) return 'promote';
        return undefined;
      });
    },
  };
}

export interface OursSettings {
  alpha: number; // total, split across the metrics
  beta: number;
  allowedIncrease: number;
  allowedIncreaseAbs?: number;
  /** Unset: the default (tempered by the burstiness the stable's intervals show). */
  robust?: boolean;
  metrics: readonly SequentialKind[];
  minRequests: number;
}

/**
 * Ours: the project's sequential judges themselves (src/analysis/sequential) with the default rule's
 * interval cap, called after every
 * scrape with the history since the start, as the metric gate calls them. Rollback when a judge
 * fails; promote when all pass (each has the power to catch the configured increase).
 */
export function oursEngine(name: string, cfg: OursSettings): EngineSpec {
  return {
    name,
    create() {
      const judges = cfg.metrics.map((kind) =>
        createSequentialJudge({
          kind,
          alpha: splitAlpha(cfg.alpha, cfg.metrics.length),
          beta: cfg.beta,
          allowedIncrease: cfg.allowedIncrease,
          ...(cfg.allowedIncreaseAbs !== undefined ? { allowedIncreaseAbs: cfg.allowedIncreaseAbs } : {}),
          ...(cfg.robust !== undefined ? { robust: cfg.robust } : {}),
          minRequests: cfg.minRequests,
          intervalCap: DEFAULT_DECISION_RULE.intervalCap,
          burnInMs: BURN_IN_SECONDS * 1000,
        }),
      );
      const history: MetricObservation[] = [];
      return {
        observe(obs) {
          history.push(obs);
          const verdicts = judges.map((j) => j(history).verdict);
          if (verdicts.includes('fail')) return 'rollback';
          return verdicts.every((v) => v === 'pass') ? 'promote' : undefined;
        },
      };
    },
  };
}

/**
 * The SPRT oracle: knows the stable's true rates and the canary's (time-averaged) true rates, and
 * runs Wald's SPRT per metric on the canary's counts alone (α split across metrics, β = 0.2). For a
 * healthy canary the alternative is a 1.5× rate.
 */
export function oracleEngine(name: string, alpha: number, options: { beta?: number; horizonSeconds?: number; metrics?: readonly SequentialKind[] } = {}): EngineSpec {
  const beta = options.beta ?? 0.2;
  const horizonSeconds = options.horizonSeconds ?? 1800;
  const kinds = options.metrics ?? ['error-rate', 'latency'];
  return {
    name,
    create(s) {
      const averageCanaryError = (() => {
        let sum = 0;
        let n = 0;
        for (let t = SCRAPE_SECONDS; t <= horizonSeconds; t += SCRAPE_SECONDS, n++) sum += s.canaryErrorRate(t);
        return sum / n;
      })();
      const perMetricAlpha = alpha / kinds.length;
      const upper = Math.log((1 - beta) / perMetricAlpha);
      const lower = Math.log(beta / (1 - perMetricAlpha));
      // Bucketed data: the oracle counts requests above the first bound at or above the true p99.
      const slowP0 = 1 - lognormalCdf(BASE_LATENCY)(ORACLE_SLOW_BOUND);
      const slowP1 = 1 - s.canaryLatency(ORACLE_SLOW_BOUND);
      const metrics = [
        { p0: s.stableErrorRate, p1: averageCanaryError > s.stableErrorRate ? averageCanaryError : 1.5 * s.stableErrorRate, kind: 'error-rate' as const },
        { p0: slowP0, p1: slowP1 > slowP0 * 1.01 ? slowP1 : 1.5 * slowP0, kind: 'latency' as const },
      ]
        .filter((m) => kinds.includes(m.kind))
        .map((m) => ({ ...m, llr: 0, accepted: false, prev: undefined as Counts | undefined }));
      return {
        observe(obs, t) {
          if (t < BURN_IN_SECONDS) return undefined;
          for (const m of metrics) {
            const cur = m.kind === 'error-rate' ? readCounts(obs.canary, 'error-rate', undefined) : slowCounts(obs);
            if (!cur) continue;
            if (m.prev && !m.accepted) {
              const d = increment(m.prev, cur) ?? { trials: 0, events: 0 };
              m.llr += d.events * Math.log(m.p1 / m.p0) + (d.trials - d.events) * Math.log((1 - m.p1) / (1 - m.p0));
              if (m.llr >= upper) return 'rollback';
              if (m.llr <= lower) m.accepted = true;
            }
            m.prev = cur;
          }
          return metrics.every((m) => m.accepted) ? 'promote' : undefined;
        },
      };
    },
  };
}

const ORACLE_SLOW_BOUND = LATENCY_BOUNDS.find((b) => b >= STABLE_P99)!;

/** Canary requests slower than ORACLE_SLOW_BOUND. */
function slowCounts(obs: MetricObservation): Counts | undefined {
  const buckets = obs.canary.buckets;
  if (!buckets) return undefined;
  const total = buckets[buckets.length - 1]!.count;
  const b = buckets.find((x) => x.le === ORACLE_SLOW_BOUND)!;
  return { trials: total, events: total - b.count };
}

/** N* = d(1−β‖α)/KL(p1‖p0): the SPRT's expected sample size under the alternative (Wald). */
export function optimalSampleSize(p0: number, p1: number, alpha: number, beta = 0.2): number {
  const d = (1 - beta) * Math.log((1 - beta) / alpha) + beta * Math.log(beta / (1 - alpha));
  return d / klBernoulli(p1, p0);
}
