/**
 * The action's main step (src/action/run-main.ts) run in-process with the environment the fake
 * runner builds (src/sim/github-runner.ts: every declared input with its default, GITHUB_* files, the workspace as
 * working directory) — so that a table of a hundred bad inputs runs in seconds. The bundled action
 * runs a sample of the same table (e2e-action/secrets-and-bad-input.test.ts).
 */
import { readFileSync } from 'node:fs';
import { runMain } from '../../src/action/run-main.ts';
import { parseFileCommands, type RunnerDir } from '../../src/sim/github-runner.ts';

export interface InProcessStep {
  failed: boolean;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  /** The ::error:: lines, unescaped. */
  errors: string[];
}

/** Runs the main step once; process.env, the working directory, exitCode and stdout are restored. */
export async function runMainInProcess(runner: RunnerDir, opts: { inputs: Record<string, string>; env?: Record<string, string> }): Promise<InProcessStep> {
  const { env, files } = runner.stepEnvironment('main', opts);
  const saved = { env: { ...process.env }, cwd: process.cwd(), exitCode: process.exitCode, write: process.stdout.write.bind(process.stdout) };
  let stdout = '';
  let failed = false;
  for (const key of Object.keys(process.env)) if (/^(INPUT|STATE|GITHUB|RUNNER)_/.test(key)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(runner.workspace);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await runMain();
  } finally {
    process.stdout.write = saved.write;
    failed = process.exitCode === 1;
    process.exitCode = saved.exitCode;
    process.chdir(saved.cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
  return {
    failed,
    stdout,
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
    errors: stdout
      .split('\n')
      .filter((l) => l.startsWith('::error::'))
      .map((l) => l.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')),
  };
}
