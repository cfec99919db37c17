/**
 * The `canary-gate` command as it ships (package.json `bin`: dist/cli/index.js), in a terminal
 * outside GitHub: rollout, status and check against the simulator and a git repository — plain
 * text and exit codes, never a workflow command. (`schema-check` from the bundle, both dialects:
 * __tests__/schema/bundle.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeRepo, type TempRepo } from '../schema/git-repo.ts';
import { expectWhole, seedApp, startCluster, writes, type ClusterFixture } from '../support/cluster.ts';
import { ROOT } from '../../src/sim/github-runner.ts';

const BIN = path.join(ROOT, (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['canary-gate'] ?? '');

let cluster: ClusterFixture;
let dir: string;
let kubeconfig: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-bin-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.kubeconfig);
});
afterAll(async () => {
  await cluster.sim.close();
  rmSync(dir, { recursive: true, force: true });
  repos.forEach((r) => r.cleanup());
});

function canaryGate(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A terminal's environment: no GITHUB_* and no runner files.
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 120_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const workflowCommands = (text: string): string[] => text.split('\n').filter((l) => /^::[a-z-]+/.test(l.trim()));

test('rollout promotes (exit 0), then status reads it without writing (exit 0)', async () => {
  await seedApp(cluster.sim, 'bin');
  const args = ['--kubeconfig', kubeconfig, '--namespace', 'bin', '--deployment', 'web'];
  const rollout = await canaryGate(['rollout', ...args, '--image', 'ghcr.io/acme/web:2.0', '--router', 'istio', '--steps', '20,60', '--settle-time', '0s', '--analysis-interval', '200ms']);
  expect(rollout.stderr).toBe('');
  expect(rollout.code).toBe(0);
  expect(rollout.stdout).toContain('result=promoted final-weight=100');
  expect(workflowCommands(rollout.stdout)).toEqual([]);
  expectWhole(cluster.sim, 'bin', { image: 'ghcr.io/acme/web:2.0', phase: 'promoted' });

  const before = writes(cluster.sim).length;
  const status = await canaryGate(['status', ...args]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain('result=promoted');
  expect(writes(cluster.sim).length).toBe(before);
  expect(workflowCommands(status.stdout)).toEqual([]);
}, 120_000);

test.each(['postgres', 'mysql'])('check (%s): a blocking migration exits 1 with result=block in plain text', async (dialect) => {
  const r = makeRepo(
    { 'db/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n' },
    { 'db/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n', '.github/canary.yml': `schema:\n  dialect: ${dialect}\n  dir: db\n  base: stable\n` },
  );
  repos.push(r);
  const out = await canaryGate(['check'], r.dir);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(1);
  expect(out.stdout).toContain('result=block');
  expect(out.stdout).toContain('SC104');
  expect(workflowCommands(out.stdout)).toEqual([]);
}, 120_000);

test('a usage error exits 2', async () => {
  const r = await canaryGate(['rollout', '--no-such-flag', 'x']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('Usage: canary-gate');
});
