/**
 * Finds the migrations of the stable ref and the ones the change adds, and checks that the change
 * does not rewrite history (SC122).
 */
import { posix } from 'node:path';
import { InputError } from '../util/errors.ts';
import { contractDirectives } from './contract.ts';
import { changedFiles, listFilesAt, readFilesAt, resolveRef, type GitOptions } from './git.ts';
import { ruleInfo } from './rules/catalog.ts';
import type { SchemaFinding } from './types.ts';

export interface MigrationFile {
  path: string;
  text: string;
}

export interface MigrationSet {
  /** Every migration at the stable ref, in application order. */
  stable: MigrationFile[];
  /** Migrations the change adds, in application order. */
  change: MigrationFile[];
  /** SC122 findings. */
  history: SchemaFinding[];
  /** Contract-phase directives found in the stable ref. */
  contract: string[];
}

/** A file the deprecation list lives in, one object per line (directives in SQL comments work too). */
const CONTRACT_FILE = 'canary-gate-contract.txt';

/** Forward migrations only: `.down.sql` and sqitch's revert/verify scripts never run on deploy. */
function isForwardMigration(path: string): boolean {
  const p = path.toLowerCase();
  if (!p.endsWith('.sql') || p.endsWith('.down.sql') || p.endsWith('_down.sql')) return false;
  const parts = p.split('/');
  return !parts.includes('revert') && !parts.includes('verify') && !parts.includes('down');
}

/** Application order: natural order of the path inside the directory (V2 before V10). */
function compareMigrations(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

export async function discoverMigrations(dir: string, base: string, head: string, opts: GitOptions): Promise<MigrationSet> {
  const cleanDir = posix.normalize(dir.replaceAll('\\', '/')).replace(/\/$/, '');
  if (cleanDir.startsWith('..') || cleanDir.startsWith('/')) throw new InputError('dir', `expected a directory inside the repository, relative to its root; found ${dir}`);
  await Promise.all([resolveRef(base, 'base', opts), resolveRef(head, 'head', opts)]);
  const [stableAll, diff] = await Promise.all([listFilesAt(base, cleanDir, opts), changedFiles(base, head, cleanDir, opts)]);
  const stablePaths = stableAll.filter(isForwardMigration).sort(compareMigrations);
  const contractPaths = stableAll.filter((p) => posix.basename(p) === CONTRACT_FILE);
  const addedPaths = diff.filter((f) => (f.status === 'A' || f.status === 'C') && isForwardMigration(f.path)).map((f) => f.path).sort(compareMigrations);

  const history: SchemaFinding[] = [];
  const info = ruleInfo('SC122');
  const newestStable = stablePaths[stablePaths.length - 1];
  for (const f of diff) {
    const wasMigration = isForwardMigration(f.oldPath ?? f.path);
    if (!wasMigration) continue;
    if (f.status === 'M' || f.status === 'T') {
      history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.path, message: `${f.path} is already in the stable ref and was edited: databases that ran it will not run it again, so they differ from new ones.`, alternative: info.alternative });
    } else if (f.status === 'D') {
      history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.path, message: `${f.path} is in the stable ref and was deleted: the migration history no longer matches databases that ran it.`, alternative: info.alternative });
    } else if (f.status === 'R') {
      history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.oldPath, message: `${f.oldPath} is in the stable ref and was renamed to ${f.path}: migration tools will run it again (or report a checksum/history mismatch).`, alternative: info.alternative });
    }
  }
  if (newestStable) {
    for (const p of addedPaths) {
      if (compareMigrations(p, newestStable) < 0) {
        history.push({ rule: 'SC122', verdict: info.verdict, file: p, object: p, message: `${p} is new but sorts before ${newestStable}, the newest migration of the stable ref: databases already past it will skip it or refuse to migrate.`, alternative: info.alternative });
      }
    }
  }

  const [stableTexts, changeTexts] = await Promise.all([
    readFilesAt(base, [...stablePaths, ...contractPaths], opts),
    readFilesAt(head, addedPaths, opts),
  ]);
  const contract: string[] = [];
  for (const p of stablePaths) contract.push(...contractDirectives(stableTexts.get(p) ?? ''));
  for (const p of contractPaths) {
    for (const line of (stableTexts.get(p) ?? '').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#') && !t.startsWith('--')) contract.push(t.toLowerCase());
    }
  }
  return {
    stable: stablePaths.map((path) => ({ path, text: stableTexts.get(path) ?? '' })),
    change: addedPaths.map((path) => ({ path, text: changeTexts.get(path) ?? '' })),
    history,
    contract,
  };
}
