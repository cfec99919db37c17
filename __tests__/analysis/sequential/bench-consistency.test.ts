/**
 * The benchmark runs the judges' machinery incrementally for speed; these checks pin it to the
 * judge itself, so the benchmark's figures describe what the gate would decide.
 */
import { createSequentialJudge } from '../../../src/analysis/sequential/index.ts';
import { oursEngine } from '../../../bench/lib/engines.ts';
import { SCRAPE_SECONDS, generateStream, scenarios } from '../../../bench/lib/scenarios.ts';
import type { SequentialKind } from '../../../src/analysis/sequential/index.ts';

function firstEngineDecision(kind: SequentialKind, scenarioName: string, seed: number, maxScrapes: number) {
  const s = scenarios().find((x) => x.name === scenarioName)!;
  const stream = generateStream(s, seed);
  const engine = oursEngine('ours', { alpha: 0.01, passAlpha: 0.05, allowedIncrease: 0.5, robust: false, metrics: [kind], minRequests: 100 }).create(s);
  const judge = createSequentialJudge({ kind, alpha: 0.01, passAlpha: 0.05, allowedIncrease: 0.5, burnInMs: 60_000, minRequests: 100 });
  let engineAt = -1;
  let judgeAt = -1;
  let engineDecision: string | undefined;
  let judgeVerdict: string | undefined;
  for (let i = 1; i < Math.min(stream.observations.length, maxScrapes); i++) {
    if (engineAt < 0) {
      const d = engine.observe(stream.observations[i]!, i * SCRAPE_SECONDS);
      if (d) [engineAt, engineDecision] = [i, d];
    }
    if (judgeAt < 0) {
      const v = judge(stream.observations.slice(0, i + 1)).verdict;
      if (v === 'fail' || v === 'pass') [judgeAt, judgeVerdict] = [i, v];
    }
    if (engineAt >= 0 && judgeAt >= 0) break;
  }
  return { engineAt, judgeAt, engineDecision, judgeVerdict };
}

test.each([
  ['error-rate', 'errors 1% -> 6%', 1],
  ['error-rate', 'errors 1% -> 6%', 2],
  ['latency', 'latency +20% (scale)', 3],
  ['error-rate', 'healthy 1%', 4],
] as const)('%s on "%s" (seed %p): the benchmark engine decides when and as the judge does', (kind, name, seed) => {
  const r = firstEngineDecision(kind, name, seed, 80);
  expect(r.engineAt).toBeGreaterThan(0);
  expect(r.judgeAt).toBe(r.engineAt);
  expect(r.judgeVerdict).toBe(r.engineDecision === 'rollback' ? 'fail' : 'pass');
});
