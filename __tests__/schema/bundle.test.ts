/**
 * The schema gate as it ships: `canary-gate schema-check` run from the bundle (dist/cli/index.js,
 * built by `npm run build`), copied away from the repository so nothing resolves from node_modules.
 * Both dialects; the Postgres cases need the parser's and PGlite's WASM that the build ships.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRepo, type TempRepo } from './git-repo.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let shipped = '';
const repos: TempRepo[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run npm run build first');
  shipped = mkdtempSync(join(tmpdir(), 'canary-gate-dist-'));
  cpSync(join(ROOT, 'dist'), shipped, { recursive: true });
});
afterAll(() => {
  if (shipped) rmSync(shipped, { recursive: true, force: true });
  repos.forEach((r) => r.cleanup());
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runBundle(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join(shipped, 'cli', 'index.js'), 'schema-check', ...args], { cwd, timeout: 90_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function repo(stable: Record<string, string>, change: Record<string, string>): string {
  const r = makeRepo(stable, change);
  repos.push(r);
  return r.dir;
}

const json = (r: Run) => JSON.parse(r.stdout) as { verdict: string; replay: string; notes: string[]; findings: { rule: string; verdict: string; object?: string }[] };

describe('schema-check from dist/cli/index.js', () => {
  it('postgres: a renamed column blocks, with the PGlite replay run', async () => {
    const dir = repo({ 'm/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n' }, { 'm/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--head', 'HEAD', '--dialect', 'postgres', '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report).toMatchObject({ verdict: 'block', replay: 'ran' });
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'SC104', verdict: 'block', object: 'users.email' }));
  });

  it('mysql: a renamed column blocks', async () => {
    const dir = repo({ 'm/0001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n' }, { 'm/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN email TO email_address;\n' });
    const r = await runBundle(['--dir', 'm', '--base', 'stable', '--dialect', 'mysql', '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(json(r).findings).toContainEqual(expect.objectContaining({ rule: 'SC104', verdict: 'block' }));
  });
});
