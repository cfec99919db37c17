/**
 * The post step (dist/post) after a killed main step, started as a runner starts it: it rolls back
 * with the same GitHub context as the main step (token from action.yml's `${{ github.token }}`
 * default, repository, commit, run link), so the check run and the deployment the main step left
 * in progress are completed, and the PR comment tells the end (issue 11 item 7, issue 14 item 4).
 */
import { startFakeGitHub, type FakeGitHub } from '../../src/sim/github.ts';
import { expectWhole, seedApp, startCluster, type ClusterFixture } from '../support/cluster.ts';
import { RunnerDir, runAction, startAction } from '../../src/sim/github-runner.ts';

const TOKEN = 'ghs_jobTokenForThePostStepTest0000000001';
const SHA = 'feedface00000000000000000000000000000001';

let cluster: ClusterFixture;
let github: FakeGitHub;
let runner: RunnerDir;

beforeAll(async () => {
  cluster = await startCluster();
  github = await startFakeGitHub({ token: TOKEN, pullsByCommit: { [SHA]: [12] } });
  runner = new RunnerDir({ token: TOKEN, api_url: github.url, sha: SHA, run_id: '777', event_name: 'pull_request', event: { pull_request: { number: 12, head: { sha: SHA } } } });
});
afterAll(async () => {
  await Promise.all([cluster.sim.close(), github.close()]);
  runner.remove();
});

test('main killed mid-step: the post step rolls back and completes the check run and the deployment the main step began', async () => {
  await seedApp(cluster.sim, 'post-status');
  // The workflow sets no github-token: the runner passes action.yml's default, the job's token.
  const inputs = { kubeconfig: cluster.kubeconfig, namespace: 'post-status', deployment: 'web', image: 'ghcr.io/acme/web:2.0', router: 'istio', steps: '10,50', 'settle-time': '60s', environment: 'staging' };
  const main = startAction('main', { runner, inputs });
  await main.waitFor('Settling for 60s');
  main.child.kill('SIGKILL');
  const killed = await main.done;
  const name = 'canary-gate/post-status/web';
  const ofTarget = () => github.checkRuns.filter((r) => r.name === name && r.head_sha === SHA);
  expect(ofTarget().map((r) => r.status)).toEqual(['in_progress']);
  expect(github.deployments.map((d) => [d.environment, d.statuses.map((st) => st.state)])).toEqual([['staging', ['in_progress']]]);

  const post = await runAction('post', { runner, inputs, state: killed.state });
  expect(post.stdout).toContain('rolling back run gh-777-1-deploy');
  expect(post.code).toBe(0);
  expectWhole(cluster.sim, 'post-status', { image: 'ghcr.io/acme/web:1.0', phase: 'rolled-back' });
  // The same check run and the same deployment, resolved: no second one in progress forever.
  expect(ofTarget()).toHaveLength(1);
  expect(ofTarget()[0]).toMatchObject({ status: 'completed', conclusion: 'failure', details_url: 'https://github.com/acme/web/actions/runs/777' });
  expect(github.deployments.map((d) => d.statuses.map((st) => st.state))).toEqual([['in_progress', 'failure']]);
  expect(github.deployments[0]!.statuses.at(-1)?.log_url).toBe('https://github.com/acme/web/actions/runs/777');
  expect(github.comments(12).at(-1)?.body).toMatch(/rolled back/i);
}, 90_000);
