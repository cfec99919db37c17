/**
 * Every mode of the bundled action (dist/main) started as a runner starts it: promote and abort of
 * a live rollout from another job, status, and check (the schema gate, both dialects) — with the
 * outputs, exit codes and job summary a workflow sees.
 */
import { makeRepo, type TempRepo } from '../schema/git-repo.ts';
import { expectWhole, recordedState, seedApp, startCluster, writes, type ClusterFixture } from '../support/cluster.ts';
import { RunnerDir, runAction, startAction } from '../../src/sim/github-runner.ts';

let cluster: ClusterFixture;
const cleanup: (() => void)[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.sim.close();
  cleanup.forEach((f) => f());
});

/** A job on its own runner (another workflow run: its own run id). */
function job(runId: string, workspace?: string): RunnerDir {
  const runner = new RunnerDir({ run_id: runId }, workspace ? { workspace } : {});
  cleanup.push(() => runner.remove());
  return runner;
}

const target = (namespace: string, extra: Record<string, string> = {}): Record<string, string> => ({
  kubeconfig: cluster.kubeconfig,
  namespace,
  deployment: 'web',
  router: 'istio',
  ...extra,
});

test.concurrent.each([
  ['promote', 'promoted', 'ghcr.io/acme/web:2.0'],
  ['abort', 'aborted', 'ghcr.io/acme/web:1.0'],
])('mode %s from another job asks the live rollout, which ends %s', async (mode, result, image) => {
  const namespace = `mode-${mode}`;
  await seedApp(cluster.sim, namespace);
  const live = startAction('main', { runner: job(`${mode}-1`), inputs: target(namespace, { image: 'ghcr.io/acme/web:2.0', steps: '10,50', 'settle-time': '60s' }) });
  await live.waitFor('Settling for 60s');
  const asked = await runAction('main', { runner: job(`${mode}-2`), inputs: target(namespace, { mode }) });
  const liveRun = await live.done;
  expect(asked.stdout).toContain(`asking it to ${mode}`);
  expect({ code: asked.code, result: asked.outputs.result }).toEqual({ code: 0, result });
  expect({ code: liveRun.code === 0, result: liveRun.outputs.result }).toEqual({ code: mode === 'promote', result });
  expectWhole(cluster.sim, namespace, { image, phase: result });
}, 90_000);

test.concurrent('mode status prints the recorded state, writes nothing, and does not fail the job', async () => {
  const namespace = 'mode-status';
  await seedApp(cluster.sim, namespace);
  const rollout = await runAction('main', { runner: job('status-1'), inputs: target(namespace, { image: 'ghcr.io/acme/web:2.0', steps: '50', 'settle-time': '0s' }) });
  expect(rollout.outputs.result).toBe('promoted');
  const before = writes(cluster.sim).filter((w) => w.includes(namespace)).length;
  const status = await runAction('main', { runner: job('status-2'), inputs: target(namespace, { mode: 'status' }) });
  expect(status.code).toBe(0);
  expect(status.outputs.result).toBe('promoted');
  expect(writes(cluster.sim).filter((w) => w.includes(namespace)).length).toBe(before);
  expect(recordedState(cluster.sim, namespace)?.phase).toBe('promoted');
}, 60_000);

describe('mode check (no cluster): the schema gate from the bundle', () => {
  const repo = (dialect: string, change: string): string => {
    const r: TempRepo = makeRepo(
      { 'db/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n' },
      { 'db/0002_change.sql': change, '.github/canary.yml': `schema:\n  dialect: ${dialect}\n  dir: db\n  base: stable\n` },
    );
    cleanup.push(() => r.cleanup());
    return r.dir;
  };

  test.concurrent.each(['postgres', 'mysql'])('%s: a renamed column blocks — result block, the job fails, the findings in the summary', async (dialect) => {
    const runner = job(`check-${dialect}`, repo(dialect, 'ALTER TABLE users RENAME COLUMN email TO email_address;\n'));
    const run = await runAction('main', { runner, inputs: { mode: 'check' } });
    expect(run.stdout).not.toContain('__dirname is not defined');
    expect({ code: run.code, result: run.outputs.result }).toEqual({ code: 1, result: 'block' });
    expect(run.summary).toContain('SC104');
    expect(run.outputs['report-path']).toMatch(/canary-gate-.*\.json$/);
  }, 90_000);

  test.concurrent.each(['postgres', 'mysql'])('%s: an added nullable column passes — the job succeeds', async (dialect) => {
    const runner = job(`check-ok-${dialect}`, repo(dialect, 'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;\n'));
    const run = await runAction('main', { runner, inputs: { mode: 'check' } });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toMatch(/^(pass|warn)$/);
  }, 90_000);
});
