/**
 * Git access for the schema check: argument arrays only (never a shell string), a timeout on every
 * call, bounded retries for the one transient failure git has (a concurrent index.lock).
 */
import { execFile, spawn } from 'node:child_process';
import { CanaryGateError, InputError } from '../util/errors.ts';
import { withRetry } from '../util/retry.ts';

export interface GitOptions {
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program with an argv array and a timeout; rejects with a CanaryGateError naming the command. */
export function runCommand(argv: readonly string[], opts: { cwd: string; timeoutMs: number; signal?: AbortSignal; maxBuffer?: number }): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new InputError('command', 'expected a non-empty argv array, found an empty one'));
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024, signal: opts.signal, encoding: 'utf8', windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const shown = [file, ...args].join(' ').slice(0, 200);
        if (e.killed || e.code === 'ETIMEDOUT') {
          reject(new CanaryGateError('timeout', `\`${shown}\` did not finish within ${opts.timeoutMs} ms; raise timeoutMs or check what the command waits for.`, { cause: err }));
        } else if (e.code === 'ENOENT') {
          reject(new InputError('command', `\`${file}\` was not found on PATH; install it or give the full path.`));
        } else {
          const msg = String(stderr || e.message).trim().slice(0, 500);
          reject(new CanaryGateError('api-error', `\`${shown}\` exited with ${e.code}: ${msg}`, { cause: err }));
        }
      },
    );
  });
}

function git(args: readonly string[], opts: GitOptions): Promise<string> {
  return withRetry(async () => (await runCommand(['git', ...args], opts)).stdout, {
    attempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    signal: opts.signal,
    retryable: (err) => err instanceof CanaryGateError && /index\.lock|unable to create/i.test(err.message),
  });
}

/** Verifies a ref names a commit; a usage error otherwise (wrong ref, shallow clone). */
export async function resolveRef(ref: string, field: string, opts: GitOptions): Promise<string> {
  if (ref.startsWith('-')) throw new InputError(field, `expected a git ref, found "${ref}" (a ref may not start with "-")`);
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], opts)).trim();
  } catch {
    throw new InputError(field, `git ref "${ref}" does not name a commit in ${opts.cwd}; fetch it (actions/checkout with fetch-depth: 0) or pass another ref.`);
  }
}

/** Files under `dir` at `ref` (paths relative to the repository root). */
export async function listFilesAt(ref: string, dir: string, opts: GitOptions): Promise<string[]> {
  const out = await git(['ls-tree', '-r', '--name-only', '-z', ref, '--', dir], opts);
  return out.split('\0').filter(Boolean);
}

export interface ChangedFile {
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
  path: string;
  oldPath?: string;
}

/** Files under `dir` that differ between base and head, with rename detection. */
export async function changedFiles(base: string, head: string, dir: string, opts: GitOptions): Promise<ChangedFile[]> {
  const out = await git(['diff', '--name-status', '-M', '-z', base, head, '--', dir], opts);
  const parts = out.split('\0').filter((p) => p !== '');
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++]!;
    const status = code[0] as ChangedFile['status'];
    if (status === 'R' || status === 'C') {
      const oldPath = parts[i++]!;
      files.push({ status, oldPath, path: parts[i++]! });
    } else {
      files.push({ status, path: parts[i++]! });
    }
  }
  return files;
}

/**
 * Reads many files at a ref in one `git cat-file --batch` process (one process instead of one per
 * file: a repository with hundreds of migrations stays fast).
 */
export function readFilesAt(ref: string, paths: readonly string[], opts: GitOptions): Promise<Map<string, string>> {
  if (paths.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: opts.cwd, signal: opts.signal, windowsHide: true });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CanaryGateError('timeout', `git cat-file did not finish within ${opts.timeoutMs} ms reading ${paths.length} files at ${ref}; raise timeoutMs.`));
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CanaryGateError('api-error', `git cat-file failed: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new CanaryGateError('api-error', `git cat-file exited with ${code}: ${stderr.trim().slice(0, 300)}`));
        return;
      }
      const buf = Buffer.concat(chunks);
      const out = new Map<string, string>();
      let pos = 0;
      for (const path of paths) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        const header = buf.subarray(pos, nl).toString('utf8');
        pos = nl + 1;
        if (header.endsWith(' missing')) continue;
        const size = Number(header.split(' ')[2]);
        out.set(path, buf.subarray(pos, pos + size).toString('utf8'));
        pos += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(paths.map((p) => `${ref}:${p}`).join('\n') + '\n');
  });
}
