/**
 * A stand-in for GitHub's runner: starts the bundled action (dist/main, dist/post) with the
 * environment a runner builds from `action.yml`, so the end-to-end tests and the demo run what
 * ships, as it ships. For tests and the demo; never bundled into the action.
 *
 * The runner's semantics, as actions/runner implements them (and @github/local-action mirrors):
 * - every input action.yml declares gets `INPUT_<NAME>` (spaces → `_`, upper case; hyphens kept):
 *   the workflow's `with:` value when it sets the input, else the declared `default:` — evaluated
 *   when it is an expression such as `${{ github.token }}` — else nothing;
 * - inputs that action.yml does not declare: the runner only warns ("Unexpected input(s) …") —
 *   this harness refuses them, so a test cannot lean on an input the action never declares;
 * - the default variables (`GITHUB_*`, `RUNNER_*`, `CI`), fresh `GITHUB_OUTPUT` / `GITHUB_STATE` /
 *   `GITHUB_STEP_SUMMARY` / `GITHUB_ENV` / `GITHUB_PATH` files per step, the working directory
 *   `GITHUB_WORKSPACE`; a step's `env:` cannot override `GITHUB_*` / `RUNNER_*` (refused here);
 * - the post step gets the same inputs and `STATE_<name>` for every `saveState` of the main step.
 * Source: docs.github.com "Metadata syntax for GitHub Actions" (inputs, runs.post, post-if) and
 * "Variables" (default environment variables), "Workflow commands" (environment files).
 *
 * Not modelled: the network. `GITHUB_API_URL` points at a closed local port unless the test brings
 * a GitHub stand-in (src/sim/github.ts), so no request leaves the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root (this file is src/sim/github-runner.ts). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ActionYml {
  inputs?: Record<string, { description?: string; default?: unknown } | null>;
  runs: { using: string; main: string; post?: string };
}

export function readActionYml(file = path.join(ROOT, 'action.yml')): ActionYml {
  return parseYaml(readFileSync(file, 'utf8')) as ActionYml;
}

/** The `github` context this fake runner exposes to expressions and as GITHUB_* variables. */
export interface RunnerContext {
  /** The job's GITHUB_TOKEN (what `${{ github.token }}` evaluates to): fake. */
  token: string;
  repository: string;
  sha: string;
  ref: string;
  event_name: string;
  /** The webhook payload, written to GITHUB_EVENT_PATH. */
  event: Record<string, unknown>;
  run_id: string;
  run_number: string;
  run_attempt: string;
  job: string;
  workflow: string;
  actor: string;
  server_url: string;
  api_url: string;
  /** For a pull_request event: the base branch (GITHUB_BASE_REF). */
  base_ref?: string;
  head_ref?: string;
}

export const FAKE_TOKEN = 'ghs_fakeRunnerJobToken000000000000000000';

export function defaultContext(): RunnerContext {
  return {
    token: FAKE_TOKEN,
    repository: 'acme/web',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/heads/main',
    event_name: 'push',
    event: {},
    run_id: '4242',
    run_number: '7',
    run_attempt: '1',
    job: 'deploy',
    workflow: 'Deploy',
    actor: 'mona',
    server_url: 'https://github.com',
    // A closed port: a sink that calls GitHub is refused at once instead of reaching the Internet.
    api_url: 'http://127.0.0.1:9',
  };
}

/**
 * Evaluates an input default the way the runner does for the expressions action.yml may use:
 * `${{ github.<key> }}` from the context. Anything else in `${{ }}` is refused (not modelled).
 */
export function evaluateDefault(value: unknown, context: RunnerContext): string {
  const text = typeof value === 'string' ? value : String(value);
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_all, expr: string) => {
    const m = /^github\.([a-z_]+)$/.exec(expr);
    const v = m ? (context as unknown as Record<string, unknown>)[m[1] ?? ''] : undefined;
    if (typeof v !== 'string') throw new Error(`the fake runner cannot evaluate \${{ ${expr} }} (only github.<string field>)`);
    return v;
  });
}

/** `INPUT_<NAME>` as the runner spells it: spaces to `_`, upper case, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * The INPUT_* variables for a step: the workflow's `with:` over the declared defaults. Throws for an
 * input that action.yml does not declare.
 */
export function inputEnvironment(action: ActionYml, withInputs: Record<string, string>, context: RunnerContext): Record<string, string> {
  const declared = action.inputs ?? {};
  const byLower = new Map(Object.keys(declared).map((n) => [n.toLowerCase(), n]));
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(withInputs)) {
    const decl = byLower.get(name.toLowerCase());
    if (!decl) throw new Error(`input '${name}' is not declared in action.yml (valid inputs: ${Object.keys(declared).join(', ')}); a runner would not pass it to the action`);
    given.set(decl, value);
  }
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (given.has(name)) env[inputVariable(name)] = given.get(name) ?? '';
    else if (spec?.default !== undefined && spec.default !== null) env[inputVariable(name)] = evaluateDefault(spec.default, context);
  }
  return env;
}

/** Parses the runner's file-command format: `name<<DELIM\nvalue\nDELIM` (and `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = /^([^<=]+)<<(.+)$/.exec(line);
    if (!m) {
      const eq = /^([^=]+)=(.*)$/.exec(line);
      if (eq) out[eq[1] ?? ''] = eq[2] ?? '';
      continue;
    }
    const [, name = '', delim] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
    out[name] = value.join('\n');
  }
  return out;
}

/** One job on the fake runner: a workspace, RUNNER_TEMP and the `github` context. */
export class RunnerDir {
  readonly dir: string;
  /** GITHUB_WORKSPACE: where the workflow checked out the repository (the step's working directory). */
  readonly workspace: string;
  readonly temp: string;
  readonly context: RunnerContext;
  private steps = 0;

  /** `workspace`: an existing checkout (e.g. a git repository the test made); else a fresh folder. */
  constructor(context: Partial<RunnerContext> = {}, opts: { workspace?: string } = {}) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-runner-'));
    this.workspace = opts.workspace ?? path.join(this.dir, 'workspace');
    this.temp = path.join(this.dir, 'temp');
    if (!opts.workspace) mkdirSync(this.workspace);
    mkdirSync(this.temp);
    this.context = { ...defaultContext(), ...context };
  }

  /** Writes a file into the workspace (e.g. `.github/canary.yml`) and returns its relative path. */
  writeWorkspaceFile(relative: string, text: string): string {
    const file = path.join(this.workspace, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return relative;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The environment of one step: default variables, fresh environment files, inputs, state. */
  stepEnvironment(
    entry: 'main' | 'post',
    opts: { inputs: Record<string, string>; state?: Record<string, string>; env?: Record<string, string>; action?: ActionYml },
  ): { env: Record<string, string>; files: { output: string; state: string; summary: string } } {
    const step = `${entry}-${++this.steps}`;
    const file = (name: string): string => {
      const p = path.join(this.temp, `${step}-${name}`);
      writeFileSync(p, '');
      return p;
    };
    const files = { output: file('output'), state: file('state'), summary: file('summary') };
    const c = this.context;
    // One event file per step: steps of one RunnerDir may run at once (a job and a concurrent
    // promote/abort), and rewriting a shared file could hand a starting step an empty one.
    const eventPath = path.join(this.temp, `${step}-event.json`);
    writeFileSync(eventPath, JSON.stringify(c.event));
    for (const name of Object.keys(opts.env ?? {})) {
      if (/^(GITHUB|RUNNER)_/.test(name) || name.startsWith('INPUT_') || name.startsWith('STATE_')) {
        throw new Error(`a step's env: cannot set ${name}: the runner sets it (use the RunnerDir context or inputs)`);
      }
    }
    const [owner = ''] = c.repository.split('/');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(opts.env ?? {}),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: '__acme_canary-gate',
      GITHUB_ACTION_REPOSITORY: 'acme/canary-gate',
      GITHUB_ACTION_REF: 'v1',
      GITHUB_ACTOR: c.actor,
      GITHUB_API_URL: c.api_url,
      GITHUB_GRAPHQL_URL: `${c.api_url}/graphql`,
      GITHUB_SERVER_URL: c.server_url,
      GITHUB_REPOSITORY: c.repository,
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_SHA: c.sha,
      GITHUB_REF: c.ref,
      GITHUB_REF_NAME: c.ref.replace(/^refs\/(heads|tags|pull)\//, ''),
      GITHUB_EVENT_NAME: c.event_name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_RUN_ID: c.run_id,
      GITHUB_RUN_NUMBER: c.run_number,
      GITHUB_RUN_ATTEMPT: c.run_attempt,
      GITHUB_JOB: c.job,
      GITHUB_WORKFLOW: c.workflow,
      GITHUB_WORKFLOW_REF: `${c.repository}/.github/workflows/${c.job}.yml@${c.ref}`,
      GITHUB_WORKFLOW_SHA: c.sha,
      GITHUB_REF_TYPE: c.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_REF_PROTECTED: 'false',
      GITHUB_REPOSITORY_ID: '100',
      GITHUB_ACTOR_ID: '1',
      GITHUB_TRIGGERING_ACTOR: c.actor,
      GITHUB_RETENTION_DAYS: '90',
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: file('env'),
      GITHUB_PATH: file('path'),
      ...(c.base_ref ? { GITHUB_BASE_REF: c.base_ref } : {}),
      ...(c.head_ref ? { GITHUB_HEAD_REF: c.head_ref } : {}),
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'fake-runner',
      RUNNER_TEMP: this.temp,
      RUNNER_TOOL_CACHE: path.join(this.dir, 'toolcache'),
      ...inputEnvironment(opts.action ?? readActionYml(), opts.inputs, c),
    };
    if (entry === 'post') for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
    return { env, files };
  }
}

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as the job log shows them. */
  stdout: string;
  outputs: Record<string, string>;
  /** What the step saved for the post step (GITHUB_STATE). */
  state: Record<string, string>;
  /** The job summary the step wrote (GITHUB_STEP_SUMMARY). */
  summary: string;
}

export interface StartedAction {
  child: ChildProcess;
  done: Promise<ActionResult>;
  /** Resolves when the log has contained `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

export interface StepOptions {
  /** The workflow's `with:` (values as the workflow evaluated them). */
  inputs: Record<string, string>;
  runner: RunnerDir;
  /** The main step's saved state (post step only). */
  state?: Record<string, string>;
  /** The step's `env:` (e.g. secrets the config file names); never GITHUB_* / RUNNER_*. */
  env?: Record<string, string>;
}

/** Starts `runs.main` or `runs.post` of action.yml as the runner does. */
export function startAction(entry: 'main' | 'post', opts: StepOptions): StartedAction {
  const action = readActionYml();
  const script = entry === 'main' ? action.runs.main : action.runs.post;
  if (!script) throw new Error(`action.yml declares no runs.${entry}`);
  const { env, files } = opts.runner.stepEnvironment(entry, { ...opts, action });
  const child = spawn(process.execPath, [path.join(ROOT, script)], { cwd: opts.runner.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(child, () => ({
    outputs: parseFileCommands(readStepFile(files.output)),
    state: parseFileCommands(readStepFile(files.state)),
    summary: readStepFile(files.summary),
  }));
}

/**
 * A step's file, or '' when its runner folder is gone: a test that timed out removes its folder
 * while its child may still be exiting, and that child's end must not fail whichever test runs next.
 */
function readStepFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export async function runAction(entry: 'main' | 'post', opts: StepOptions): Promise<ActionResult> {
  return startAction(entry, opts).done;
}

/** Follows a child's interleaved log, with waiters on its content. */
function watch(child: ChildProcess, collect: () => Omit<ActionResult, 'code' | 'signal' | 'stdout'>): StartedAction {
  let stdout = '';
  const waiters: { test: (s: string) => boolean; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    stdout += chunk.toString();
    for (const w of [...waiters]) {
      if (w.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const done = new Promise<ActionResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, ...collect() }));
  });
  return {
    child,
    done,
    waitFor(text, timeoutMs = 60_000) {
      const test = (s: string): boolean => (typeof text === 'string' ? s.includes(text) : text.test(s));
      if (test(stdout)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${stdout}`)), timeoutMs);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}
