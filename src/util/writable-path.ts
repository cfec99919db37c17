/**
 * Whether a file can be written at a path, checked without writing it: the nearest existing
 * ancestor must be a directory this process may write into (a sink creates the missing directories
 * and renames a temporary file into place), and the path itself must not be a directory.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Undefined when the file can be written; otherwise what stands in the way, in one sentence. */
export function writableFileProblem(file: string, cwd = process.cwd()): string | undefined {
  const target = path.resolve(cwd, file);
  const existing = statOf(target);
  if (existing?.isDirectory()) return `${target} is a directory; give a file path, e.g. ${path.join(file, 'canary-report.json')}`;
  let dir = path.dirname(target);
  for (;;) {
    const stat = statOf(dir);
    if (stat) {
      if (!stat.isDirectory()) return `${dir} is not a directory, so ${target} cannot be created under it; choose another path`;
      try {
        accessSync(dir, constants.W_OK | constants.X_OK);
      } catch {
        return `the directory ${dir} is not writable by this job; choose a path under RUNNER_TEMP or the workspace`;
      }
      return undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return `no directory of ${target} exists; choose a path under RUNNER_TEMP or the workspace`;
    dir = parent;
  }
}

function statOf(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
