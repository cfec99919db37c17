/**
 * on-inconclusive: advance, as it ships: the bundled action (dist/main) with the environment a
 * runner builds from action.yml, the built-in gates with the default decision rule on a real
 * Prometheus, and traffic too thin for any step to see the configured regression within a short
 * step-timeout. The step ends undecided at the limit; with advance the rollout promotes with a
 * warning, and its outputs, job summary and JSON report say it advanced without evidence.
 */
import { readFileSync } from 'node:fs';
import type { RolloutReport } from '../../src/rollout/report.ts';
import { RunnerDir, runAction } from '../../src/sim/github-runner.ts';
import { CANARY_IMAGE, clusterState, healthy, startWorld, type World } from './world.ts';

let world: World;
let runnerDir: RunnerDir | undefined;

beforeAll(async () => {
  // 40 rps at 1 % errors: a few seconds of a step carry a handful of canary errors, far from the
  // power to see +50 % — the step stays undecided until step-timeout.
  world = await startWorld([{ namespace: 'thin', rps: 40, scenario: { canary: healthy, stable: healthy } }]);
}, 60_000);

afterAll(async () => {
  runnerDir?.remove();
  await world?.close();
});

/** The job's ::warning:: annotations, decoded as the runner shows them (@actions/core escapes %, CR, LF). */
const warnings = (log: string): string[] =>
  log
    .split('\n')
    .filter((l) => l.startsWith('::warning::'))
    .map((l) => l.slice('::warning::'.length).replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%'));

test('the bundled action with on-inconclusive: advance promotes through undecided steps, with a warning, the report saying it advanced without the power to see the regression', async () => {
  runnerDir = new RunnerDir();
  const run = await runAction('main', {
    runner: runnerDir,
    inputs: {
      kubeconfig: world.sim.kubeconfig(),
      namespace: 'thin',
      deployment: 'web',
      image: CANARY_IMAGE,
      router: 'istio',
      'prometheus-url': world.prom.url,
      steps: '50',
      'settle-time': '1s',
      'analysis-interval': '1s',
      'step-timeout': '5s',
      'ready-timeout': '20s',
      timeout: '90s',
      'on-inconclusive': 'advance',
    },
  });
  expect({ code: run.code, result: run.outputs.result, reason: run.outputs.reason }).toEqual({ code: 0, result: 'promoted', reason: '' });
  expect(clusterState(world.sim, 'thin')).toEqual({ image: CANARY_IMAGE, weight: 0, canaryReplicas: 0, phase: 'promoted' });
  // A warning annotation per step, with what the step could detect (the text a rollback would have had).
  // (The report sinks' warnings are not this test's: the runner here has no GitHub API.)
  expect(warnings(run.stdout).filter((w) => w.startsWith('step '))).toEqual([
    expect.stringMatching(/^step 1 \(50%\) did not pass within 5s \(step-timeout\): metrics: (continue|inconclusive) — .*this step could detect .*; advanced \(on-inconclusive: advance\)$/),
  ]);
  // The result says the promotion had no evidence, step by step.
  expect(run.outputs.message).toMatch(
    /^ghcr\.io\/acme\/web:2\.0 promoted: web runs it at 100 %; step 1 \(50%\) advanced without the power to see \+\d+(\.\d+)?% \(on-inconclusive: advance\)$/,
  );
  const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8')) as RolloutReport;
  expect(report.steps.map((s) => s.verdict)).toEqual(['advanced-inconclusive']);
  expect(report.steps[0]?.advanced?.headline).toMatch(/^step 1 \(50%\) advanced without the power to see/);
  expect(run.summary).toContain('advanced without the power to see');
  expect(run.summary).toContain('⚠️ advanced undecided');
}, 120_000);
