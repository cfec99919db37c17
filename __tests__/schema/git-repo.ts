/** Temporary git repositories for the schema tests: stable commit tagged `stable`, change on top. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempRepo {
  dir: string;
  cleanup(): void;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/**
 * `change` values: a string writes the file, null deletes it, `{ renameTo }` renames it.
 */
export function makeRepo(stable: Record<string, string>, change: Record<string, string | null | { renameTo: string }>): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'canary-gate-schema-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'config', 'commit.gpgsign', 'false');
  write(dir, stable);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'stable');
  git(dir, 'tag', 'stable');
  for (const [p, v] of Object.entries(change)) {
    if (v === null) unlinkSync(join(dir, p));
    else if (typeof v === 'object') renameSync(join(dir, p), join(dir, v.renameTo));
    else write(dir, { [p]: v });
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'canary');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
