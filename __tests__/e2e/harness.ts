/**
 * Runs the bundled action (dist/main, dist/post) as a GitHub runner would: a child process with
 * INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE files, and the post step given the saved state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
}

/** Parses the runner's file-command format: `name<<DELIM\nvalue\nDELIM`. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const [, name = '', delim] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
    out[name] = value.join('\n');
  }
  return out;
}

export class RunnerDir {
  readonly dir: string;
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-e2e-'));
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface StartedAction {
  child: ChildProcess;
  done: Promise<ActionResult>;
  /** Resolves when stdout has contained `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

export function startAction(
  entry: 'main' | 'post',
  opts: { inputs: Record<string, string>; runner: RunnerDir; state?: Record<string, string>; env?: Record<string, string> },
): StartedAction {
  const outputFile = path.join(opts.runner.dir, `${entry}-output-${Date.now()}`);
  const stateFile = path.join(opts.runner.dir, `${entry}-state-${Date.now()}`);
  const summaryFile = path.join(opts.runner.dir, `${entry}-summary-${Date.now()}`);
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STATE: stateFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: opts.runner.dir,
    GITHUB_WORKSPACE: opts.runner.dir,
    ...(opts.env ?? {}),
  };
  for (const [name, value] of Object.entries(opts.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', entry, 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout,
        outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
        state: parseFileCommands(readFileSync(stateFile, 'utf8')),
      });
    });
  });
  return {
    child,
    done,
    waitFor(text, timeoutMs = 60_000) {
      const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
      if (test(stdout)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${stdout}`)), timeoutMs);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

export async function runAction(entry: 'main' | 'post', opts: Parameters<typeof startAction>[1]): Promise<ActionResult> {
  return startAction(entry, opts).done;
}
