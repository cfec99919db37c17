/**
 * End to end: the bundled action (dist/main/index.js, dist/post/index.js) as child processes,
 * against the Kubernetes simulator, asserting the final cluster state of each path.
 */
import { RunnerDir, runAction, startAction } from '../../src/sim/github-runner.ts';
import { canaryReplicas, expectWhole, leaseHolder, recordedState, seedApp, stableImage, startCluster, writes, type ClusterFixture } from '../support/cluster.ts';

let cluster: ClusterFixture;
let runner: RunnerDir;

beforeAll(async () => {
  cluster = await startCluster();
  runner = new RunnerDir();
});
afterAll(async () => {
  await cluster.sim.close();
  runner.remove();
});

const inputs = (namespace: string, extra: Record<string, string> = {}): Record<string, string> => ({
  kubeconfig: cluster.kubeconfig,
  namespace,
  deployment: 'web',
  router: 'istio',
  steps: '10,50',
  'settle-time': '0s',
  'analysis-interval': '500ms',
  'ready-timeout': '30s',
  ...extra,
});

test('a healthy canary is promoted step by step', async () => {
  await seedApp(cluster.sim, 'healthy');
  const run = await runAction('main', { runner, inputs: inputs('healthy', { image: 'ghcr.io/acme/web:2.0' }) });
  expect(run.outputs.result).toBe('promoted');
  expect(run.outputs['final-weight']).toBe('100');
  expect(run.outputs['canary-name']).toBe('web-canary');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Canary weight set to 10%');
  expect(run.stdout).toContain('Canary weight set to 50%');
  expectWhole(cluster.sim, 'healthy', { image: 'ghcr.io/acme/web:2.0', phase: 'promoted' });
  expect(run.state['canary-gate-finished']).toBe('true');
  const post = await runAction('post', { runner, inputs: inputs('healthy', { image: 'ghcr.io/acme/web:2.0' }), state: run.state });
  expect(post.stdout).toContain('nothing to clean up');
});

test('a re-run after a completed rollout is a no-op that writes nothing', async () => {
  await seedApp(cluster.sim, 'rerun');
  const first = await runAction('main', { runner, inputs: inputs('rerun', { image: 'ghcr.io/acme/web:2.0' }) });
  expect(first.outputs.result).toBe('promoted');
  cluster.sim.clearRequests();
  const again = await runAction('main', { runner, inputs: inputs('rerun', { image: 'ghcr.io/acme/web:2.0' }) });
  expect(again.outputs.result).toBe('noop');
  expect(again.outputs['final-weight']).toBe('100');
  expect(again.code).toBe(0);
  expect(writes(cluster.sim)).toEqual([]);
});

test('a crash-looping canary is rolled back with the reason, without waiting out the deadline', async () => {
  await seedApp(cluster.sim, 'crash');
  const started = Date.now();
  const run = await runAction('main', { runner, inputs: inputs('crash', { image: 'ghcr.io/acme/web:2.0-crashloop', 'ready-timeout': '5m' }) });
  expect(run.outputs.result).toBe('rolled-back');
  expect(run.outputs.reason).toBe('canary-crashloop');
  expect(run.outputs['final-weight']).toBe('0');
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/::error::.*CrashLoopBackOff/);
  expect(Date.now() - started).toBeLessThan(60_000);
  expectWhole(cluster.sim, 'crash', { image: 'ghcr.io/acme/web:1.0', phase: 'rolled-back' });
});

test('invalid input fails before any cluster write, naming the field', async () => {
  cluster.sim.clearRequests();
  const run = await runAction('main', { runner, inputs: inputs('invalid', { image: 'ghcr.io/acme/web:2.0', steps: '50,20' }) });
  expect(run.code).toBe(1);
  expect(run.outputs.result).toBe('failed');
  expect(run.stdout).toMatch(/input 'steps'.*must increase/);
  expect(run.stdout).not.toMatch(/\n\s+at /); // no stack trace
  expect(cluster.sim.requests).toEqual([]);
});

test('SIGTERM mid-step rolls back; the post step then finds nothing left to do', async () => {
  await seedApp(cluster.sim, 'cancel');
  const main = startAction('main', { runner, inputs: inputs('cancel', { image: 'ghcr.io/acme/web:2.0', 'settle-time': '60s' }) });
  await main.waitFor('Settling for 60s');
  expect(recordedState(cluster.sim, 'cancel')?.phase).toBe('analysing');
  main.child.kill('SIGTERM');
  const run = await main.done;
  expect(run.outputs.result).toBe('rolled-back');
  expect(run.outputs.reason).toBe('cancelled');
  expectWhole(cluster.sim, 'cancel', { image: 'ghcr.io/acme/web:1.0', phase: 'rolled-back' });
  const post = await runAction('post', { runner, inputs: inputs('cancel', { image: 'ghcr.io/acme/web:2.0' }), state: run.state });
  expect(post.code).toBe(0);
});

test('SIGKILL mid-step (no chance to clean up): the post step rolls back from the state annotation', async () => {
  await seedApp(cluster.sim, 'killed');
  const main = startAction('main', { runner, inputs: inputs('killed', { image: 'ghcr.io/acme/web:2.0', 'settle-time': '60s' }) });
  await main.waitFor('Settling for 60s');
  main.child.kill('SIGKILL');
  const run = await main.done;
  expect(run.signal).toBe('SIGKILL');
  expect(run.state['canary-gate-finished']).toBeUndefined();
  expect(canaryReplicas(cluster.sim, 'killed')).toBeGreaterThan(0);
  const post = await runAction('post', { runner, inputs: inputs('killed', { image: 'ghcr.io/acme/web:2.0' }), state: run.state });
  expect(post.stdout).toContain('rolling back run');
  expectWhole(cluster.sim, 'killed', { image: 'ghcr.io/acme/web:1.0', phase: 'rolled-back' });
});

test('a second concurrent run on the same target is refused and writes nothing to the rollout', async () => {
  await seedApp(cluster.sim, 'concurrent');
  const first = startAction('main', { runner, inputs: inputs('concurrent', { image: 'ghcr.io/acme/web:2.0', 'settle-time': '60s', 'run-id': 'first' }) });
  await first.waitFor('Settling for 60s');
  const stateBefore = JSON.stringify(recordedState(cluster.sim, 'concurrent'));
  const second = await runAction('main', { runner, inputs: inputs('concurrent', { image: 'ghcr.io/acme/web:3.0', 'run-id': 'second' }) });
  expect(second.code).toBe(1);
  expect(second.outputs.result).toBe('failed');
  expect(second.stdout).toMatch(/Another Canary Gate run \(first\) holds the lock of concurrent\/web/);
  expect(JSON.stringify(recordedState(cluster.sim, 'concurrent'))).toBe(stateBefore);
  expect(leaseHolder(cluster.sim, 'concurrent')).toBe('first');
  first.child.kill('SIGTERM');
  await first.done;
  expectWhole(cluster.sim, 'concurrent', { image: 'ghcr.io/acme/web:1.0', phase: 'rolled-back' });
});

test('an abandoned rollout (its lease expired) is rolled back by mode: abort', async () => {
  await seedApp(cluster.sim, 'abandoned');
  const main = startAction('main', {
    runner,
    inputs: inputs('abandoned', { image: 'ghcr.io/acme/web:2.0', 'settle-time': '60s', 'lease-duration': '2s', 'run-id': 'dead-run' }),
  });
  await main.waitFor('Settling for 60s');
  main.child.kill('SIGKILL');
  await main.done;
  expect(stableImage(cluster.sim, 'abandoned')).toBe('ghcr.io/acme/web:1.0');
  await new Promise((r) => setTimeout(r, 2_500));
  const abort = await runAction('main', { runner, inputs: inputs('abandoned', { mode: 'abort', 'run-id': 'cleaner' }) });
  expect(abort.outputs.result).toBe('aborted');
  expect(abort.code).toBe(0);
  expectWhole(cluster.sim, 'abandoned', { image: 'ghcr.io/acme/web:1.0', phase: 'aborted' });
});
