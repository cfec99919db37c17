/**
 * The config file through the bundled action, started as a runner starts it (action.yml's declared
 * defaults passed, nothing else): the default file is optional, a file the workflow names is
 * required, and the log says which file was read or that none was.
 */
import { DEFAULT_CONFIG_FILE } from '../../src/config/from-inputs.ts';
import { expectWhole, seedApp, startCluster, writes, type ClusterFixture } from '../support/cluster.ts';
import { RunnerDir, runAction } from '../../src/sim/github-runner.ts';

let cluster: ClusterFixture;

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.sim.close());

const inputs = (namespace: string, extra: Record<string, string> = {}): Record<string, string> => ({
  kubeconfig: cluster.kubeconfig,
  namespace,
  deployment: 'web',
  image: 'ghcr.io/acme/web:2.0',
  router: 'istio',
  steps: '10,50',
  'settle-time': '0s',
  'analysis-interval': '500ms',
  ...extra,
});

test.concurrent('no config-file input and no .github/canary.yml: the inputs alone promote, and the log says no file was read', async () => {
  const runner = new RunnerDir();
  try {
    await seedApp(cluster.sim, 'no-file');
    const run = await runAction('main', { runner, inputs: inputs('no-file') });
    expect({ code: run.code, result: run.outputs.result }).toEqual({ code: 0, result: 'promoted' });
    expect(run.stdout).toContain(`Config file: none — ${DEFAULT_CONFIG_FILE} does not exist and config-file is not set`);
    expectWhole(cluster.sim, 'no-file', { image: 'ghcr.io/acme/web:2.0', phase: 'promoted' });
  } finally {
    runner.remove();
  }
});

test.concurrent('the default .github/canary.yml, when it exists, is read (its steps are used)', async () => {
  const runner = new RunnerDir();
  try {
    await seedApp(cluster.sim, 'default-file');
    runner.writeWorkspaceFile(DEFAULT_CONFIG_FILE, 'steps: [30]\n');
    const { steps: _fromInput, ...withoutSteps } = inputs('default-file');
    const run = await runAction('main', { runner, inputs: withoutSteps });
    expect(run.outputs.result).toBe('promoted');
    expect(run.stdout).toContain(`Config file: ${DEFAULT_CONFIG_FILE} (the default).`);
    expect(run.stdout).toContain('Canary weight set to 30%');
  } finally {
    runner.remove();
  }
});

test.concurrent.each([
  ['a file the workflow names that does not exist', 'deploy/canary.yml'],
  ['the default name, set explicitly, when the file does not exist', DEFAULT_CONFIG_FILE],
])('%s fails before any cluster request, naming config-file', async (_name, file) => {
  const runner = new RunnerDir();
  try {
    const namespace = `missing-${file.length}`;
    const before = cluster.sim.requests.length;
    const run = await runAction('main', { runner, inputs: inputs(namespace, { 'config-file': file }) });
    expect({ code: run.code, result: run.outputs.result, reason: run.outputs.reason }).toEqual({ code: 1, result: 'failed', reason: 'invalid-input' });
    expect(run.stdout).toContain(`::error::config-file: ${file} does not exist`);
    expect(cluster.sim.requests.slice(before).filter((r) => r.path.includes(namespace))).toEqual([]);
    expect(writes(cluster.sim).filter((w) => w.includes(namespace))).toEqual([]);
  } finally {
    runner.remove();
  }
});

test.concurrent('a named file that exists is read', async () => {
  const runner = new RunnerDir();
  try {
    await seedApp(cluster.sim, 'named-file');
    runner.writeWorkspaceFile('deploy/canary.yml', 'steps: [40]\n');
    const { steps: _fromInput, ...withoutSteps } = inputs('named-file');
    const run = await runAction('main', { runner, inputs: { ...withoutSteps, 'config-file': 'deploy/canary.yml' } });
    expect(run.outputs.result).toBe('promoted');
    expect(run.stdout).toContain('Config file: deploy/canary.yml (input config-file).');
    expect(run.stdout).toContain('Canary weight set to 40%');
  } finally {
    runner.remove();
  }
});
