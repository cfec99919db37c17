/**
 * Entry points that only wire: only src/action/ talks to the runner (@actions/core), and nothing
 * but the bundle's entry imports from src/action/ — so the CLI can never print workflow commands.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const files = sources(SRC).map((file) => ({
  rel: path.relative(SRC, file).split(path.sep).join('/'),
  imports: [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? ''),
}));
const fromAction = (i: string): boolean => /(^|\/)action\//.test(i);

test('the check sees the entry points and their imports (so it cannot pass on an empty tree)', () => {
  expect(files.map((f) => f.rel)).toEqual(expect.arrayContaining(['action/run-main.ts', 'cli/run-cli.ts', 'app.ts', 'bundle-entry.ts']));
  expect(files.find((f) => f.rel === 'action/run-main.ts')?.imports).toContain('@actions/core');
  expect(files.find((f) => f.rel === 'bundle-entry.ts')?.imports.some(fromAction)).toBe(true);
});

test('only src/action/ imports @actions/core', () => {
  const outside = files.filter((f) => !f.rel.startsWith('action/') && f.imports.some((i) => i === '@actions/core' || i.startsWith('@actions/core/')));
  expect(outside.map((f) => f.rel)).toEqual([]);
});

test('nothing outside src/action/ imports from it, except the bundle entry that starts it', () => {
  const outside = files.filter((f) => !f.rel.startsWith('action/') && f.rel !== 'bundle-entry.ts' && f.imports.some(fromAction));
  expect(outside.map((f) => `${f.rel}: ${f.imports.filter(fromAction).join(', ')}`)).toEqual([]);
});
