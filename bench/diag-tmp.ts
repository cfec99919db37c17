import { gridCells } from './lib/rollout-grid.ts';
import { defaultJudges, defaultRolloutConfig, runRollout } from './lib/rollouts.ts';
import { deriveSeed } from '../src/analysis/sequential/rng.ts';
const only = process.argv[2]!;
const runs = Number(process.argv[3] ?? 30);
const cfg = { ...defaultRolloutConfig(), ...(process.argv[4] ? { stepTimeoutMs: Number(process.argv[4]) * 1000 } : {}) };
for (const cell of gridCells(false).filter((c) => c.name === only)) {
  const tally: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    const o = runRollout(cell.world, deriveSeed(7, 1, r), cfg, defaultJudges(), { history: !cell.noHistory });
    const last = o.steps.at(-1)!;
    const key = `${o.decision}@${last.weight}${o.failedMetric ? ':' + o.failedMetric : ''}`;
    tally[key] = (tally[key] ?? 0) + 1;
    if (r < 3) console.log(o.decision, o.steps.map((s) => `${s.weight}:${s.verdict}:${s.seconds}s:${Object.entries(s.mdi).map(([k, v]) => k[0] + '+' + Math.round(100 * v) + '%/' + Math.round(100 * s.target[k]!) + '%').join(',')}`).join(' | '));
  }
  console.log(cell.name, tally);
}
