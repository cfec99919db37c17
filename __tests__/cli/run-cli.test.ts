/**
 * `runCli` outside GitHub (no GITHUB_* variables): plain text and exit codes, never a workflow
 * command (`::set-output`, `::error::`, `::group::`), for every command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/run-cli.ts';
import { expectWhole, seedApp, startCluster, writes, type ClusterFixture } from '../support/cluster.ts';
import { makeRepo, type TempRepo } from '../schema/git-repo.ts';

let cluster: ClusterFixture;
let dir: string;
let kubeconfigFile: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-cli-'));
  kubeconfigFile = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, cluster.kubeconfig);
});
afterAll(async () => {
  await cluster.sim.close();
  rmSync(dir, { recursive: true, force: true });
  repos.forEach((r) => r.cleanup());
});

async function cli(argv: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, env: { PATH: process.env.PATH ?? '' } });
  return { code, stdout, stderr };
}

const noWorkflowCommands = (text: string): string[] => text.split('\n').filter((l) => /^::[a-z-]+/.test(l.trim()));

const target = (namespace: string): string[] => ['--kubeconfig', kubeconfigFile, '--namespace', namespace, '--deployment', 'web', '--router', 'istio', '--steps', '50', '--settle-time', '0s', '--analysis-interval', '200ms'];

describe('usage', () => {
  test('no command: the usage on stderr, exit 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: canary-gate');
  });

  test('--help: the usage on stdout, exit 0', async () => {
    const r = await cli(['--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('schema-check');
  });

  test.each([
    ['an unknown command', ['deploy']],
    ['an unknown flag', ['status', '--deploymnet', 'web']],
    ['--mode (the command is the mode)', ['status', '--mode', 'abort']],
    ['a flag without its value', ['status', '--deployment']],
    ['a positional argument', ['status', 'web']],
  ])('%s: exit 2 with the usage', async (_name, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: canary-gate');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('a config file that does not exist: exit 2 naming config-file, via --config as well', async () => {
    for (const flag of ['--config-file', '--config']) {
      const r = await cli(['status', '--deployment', 'web', flag, 'nope.yml']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('config-file: nope.yml does not exist');
    }
  });
});

describe('rollout and status against the simulator', () => {
  test('rollout promotes: exit 0, a plain result line, no workflow command', async () => {
    await seedApp(cluster.sim, 'cli-rollout');
    const r = await cli(['rollout', ...target('cli-rollout'), '--image', 'ghcr.io/acme/web:2.0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('result=promoted final-weight=100');
    expect(r.stdout).toContain(`Config file: none`);
    expect(noWorkflowCommands(r.stdout)).toEqual([]);
    expectWhole(cluster.sim, 'cli-rollout', { image: 'ghcr.io/acme/web:2.0', phase: 'promoted' });
  });

  test('a crash-looping canary: exit 1, rolled back', async () => {
    await seedApp(cluster.sim, 'cli-crash');
    const r = await cli(['rollout', ...target('cli-crash'), '--image', 'ghcr.io/acme/web:2.0-crashloop']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('result=rolled-back');
    expect(noWorkflowCommands(r.stdout)).toEqual([]);
  });

  test('status prints the recorded state and writes nothing: exit 0', async () => {
    const before = writes(cluster.sim).length;
    const r = await cli(['status', '--kubeconfig', kubeconfigFile, '--namespace', 'cli-rollout', '--deployment', 'web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/result=\S+/);
    expect(writes(cluster.sim).length).toBe(before);
    expect(noWorkflowCommands(r.stdout)).toEqual([]);
  });
});

describe('the schema gate outside GitHub', () => {
  const renamed = () => {
    const r = makeRepo(
      { 'db/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n' },
      { 'db/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n', '.github/canary.yml': 'schema:\n  dialect: mysql\n  dir: db\n  base: stable\n' },
    );
    repos.push(r);
    return r.dir;
  };

  test('check: a blocking change exits 1 with result=block in plain text (issue 11 item 3: no ::set-output)', async () => {
    const r = await cli(['check'], renamed());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('result=block');
    expect(r.stdout).toContain('SC104');
    expect(r.stdout).not.toContain('::set-output');
    expect(noWorkflowCommands(r.stdout)).toEqual([]);
  });

  test('check: a compatible change exits 0', async () => {
    const r = makeRepo(
      { 'db/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
      { 'db/0002_add.sql': 'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;\n', '.github/canary.yml': 'schema:\n  dialect: mysql\n  dir: db\n  base: stable\n' },
    );
    repos.push(r);
    const out = await cli(['check'], r.dir);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/result=(pass|warn)/);
  });

  test('schema-check: a blocking change exits 1, plain Markdown', async () => {
    const r = await cli(['schema-check', '--dir', 'db', '--base', 'stable', '--dialect', 'mysql'], renamed());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('SC104');
    expect(noWorkflowCommands(r.stdout)).toEqual([]);
  });
});
