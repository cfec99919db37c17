/**
 * The Postgres check from the bundle runs in a child process started with `--liftoff-only`.
 *
 * Why: a check is short, and V8's optimising WASM tier (TurboFan) spends longer recompiling
 * PostgreSQL's hot functions than the check then runs. Baseline code only halves a cold check's
 * CPU time (bench/schema.ts, 50 files over 20: 3.3 → 1.75 CPU s, the same report). V8 reads the
 * flag only at start-up (setFlagsFromString after start has no effect on WASM), and neither the
 * action's `runs.main` nor the CLI's shebang can pass it, hence the child: the same bundle, entry
 * `schema-worker` (src/bundle-entry.ts), options in on stdin, the report out on stdout as JSON.
 */
import { spawn } from 'node:child_process';
import { CanaryGateError, errorMessage, type FailureReason } from '../util/errors.ts';
import type { SchemaCheckOptions } from './check.ts';
import type { SchemaReport } from './types.ts';

export const WORKER_ENTRY = 'schema-worker';
const V8_FLAGS = ['--liftoff-only'];

type Reply = { report: SchemaReport } | { error: { reason: FailureReason; message: string } };

/** Runs `runSchemaCheck(opts)` in a child started from `entry`; errors keep their reason and message. */
export function runInWorker(entry: string, opts: SchemaCheckOptions, timeoutMs: number): Promise<SchemaReport> {
  const { signal, replayDatabase: _db, ...plain } = opts;
  return new Promise<SchemaReport>((resolve, reject) => {
    const child = spawn(process.execPath, [...V8_FLAGS, entry], {
      env: { ...process.env, CANARY_GATE_ENTRY: WORKER_ENTRY },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => {
      child.kill('SIGTERM');
      finish(() => reject(new CanaryGateError('cancelled', 'The schema check was cancelled.')));
    };
    // The check enforces its own timeout; this only stops a child that stopped answering.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new CanaryGateError('timeout', `The schema check did not answer within ${Math.round(timeoutMs / 1000)} s; raise timeout-seconds or set replay: false.`)));
    }, timeoutMs + 30_000);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => finish(() => reject(new CanaryGateError('internal', `The schema check could not start its worker: ${errorMessage(e)}`, { cause: e }))));
    child.on('close', (code) =>
      finish(() => {
        let reply: Reply | undefined;
        try {
          reply = JSON.parse(out) as Reply;
        } catch {
          reply = undefined;
        }
        if (reply && 'report' in reply) resolve(reply.report);
        else if (reply && 'error' in reply) reject(new CanaryGateError(reply.error.reason, reply.error.message));
        else reject(new CanaryGateError('internal', `The schema check's worker exited with code ${code} without a report: ${err.trim().split('\n').slice(-3).join(' ') || 'no output'}`));
      }),
    );
    child.stdin.end(JSON.stringify(plain));
  });
}

/** The child's side: options from stdin, the report (or the error) to stdout. */
export async function runSchemaWorker(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const { runSchemaCheck } = await import('./check.ts');
  let reply: Reply;
  try {
    reply = { report: await runSchemaCheck({ ...(JSON.parse(input) as SchemaCheckOptions), inWorker: true }) };
  } catch (e) {
    reply = { error: { reason: e instanceof CanaryGateError ? e.reason : 'internal', message: errorMessage(e) } };
  }
  await new Promise<void>((done) => process.stdout.write(JSON.stringify(reply), () => done()));
}
