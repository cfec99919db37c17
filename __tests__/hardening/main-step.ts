/**
 * Runs the action's main step (src/action/run-main.ts) in-process with the environment a GitHub
 * runner builds: every input declared in action.yml is passed as INPUT_* — the user's `with:` value
 * or the declared `default:` (so `config-file` is `.github/canary.yml` unless the user says
 * otherwise, and `github-token` is the job token) — plus GITHUB_OUTPUT / GITHUB_STATE /
 * GITHUB_STEP_SUMMARY files in a workspace that is the working directory of the job.
 *
 * In-process so that a table of a hundred bad inputs runs in seconds; the bundled action is run for
 * a sample of the same table in action.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runMain } from '../../src/action/run-main.ts';
import { parseFileCommands } from '../e2e/harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ACTION = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };

/** The job token the runner substitutes for `${{ github.token }}`. */
export const JOB_TOKEN = 'ghs_JobTokenFromTheRunner0123456789abcd';

/** INPUT_* as the runner sets them for a step `with:` these values. */
export function runnerInputs(withValues: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(withValues)) {
    if (!(name in ACTION.inputs)) throw new Error(`'${name}' is not an input of action.yml: a runner would not pass it (it warns "Unexpected input")`);
  }
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    const value = withValues[name] ?? (spec.default ?? '').replace('${{ github.token }}', JOB_TOKEN);
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

export class Workspace {
  readonly dir: string;
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-ws-'));
  }
  /** Writes .github/canary.yml (the config-file default) or another file of the repository. */
  write(relative: string, text: string): void {
    const file = path.join(this.dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface MainStepResult {
  failed: boolean;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  /** The ::error:: lines, unescaped. */
  errors: string[];
}

let counter = 0;

/** Runs the main step once; process.env, process.exitCode and stdout are restored afterwards. */
export async function runMainStep(ws: Workspace, withValues: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<MainStepResult> {
  const n = ++counter;
  const files = { GITHUB_OUTPUT: `output-${n}`, GITHUB_STATE: `state-${n}`, GITHUB_STEP_SUMMARY: `summary-${n}` };
  for (const f of Object.values(files)) writeFileSync(path.join(ws.dir, f), '');
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  let failed = false;
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_') || key.startsWith('GITHUB_') || key.startsWith('STATE_')) delete process.env[key];
  Object.assign(process.env, runnerInputs(withValues), {
    GITHUB_WORKSPACE: ws.dir,
    RUNNER_TEMP: ws.dir,
    ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(ws.dir, f)])),
    ...extraEnv,
  });
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await runMain();
  } finally {
    process.stdout.write = write;
    failed = process.exitCode === 1;
    process.exitCode = savedExitCode;
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
  const read = (f: string) => parseFileCommands(readFileSync(path.join(ws.dir, f), 'utf8'));
  return {
    failed,
    stdout,
    outputs: read(files.GITHUB_OUTPUT),
    state: read(files.GITHUB_STATE),
    errors: stdout
      .split('\n')
      .filter((l) => l.startsWith('::error::'))
      .map((l) => l.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')),
  };
}
