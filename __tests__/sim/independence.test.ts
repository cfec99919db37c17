/**
 * The simulator models Kubernetes and each data plane from their own sources, never from our
 * production code, so that a router bug cannot agree with itself (issue 11 item 8): every import of
 * src/sim from the rest of src/ is `import type`. The one exception is the seeded PRNG
 * (src/util/random.ts): arithmetic with no domain logic, kept in one place (issue 15 item 4).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'sim');
const ALLOWED_VALUE_IMPORTS = new Set(['../util/random.ts']);

/** Every `import … from '…'` / `export … from '…'` statement of a file, with whether it is type-only. */
function imports(source: string): { from: string; typeOnly: boolean }[] {
  const out: { from: string; typeOnly: boolean }[] = [];
  for (const m of source.matchAll(/^(import|export)\s+([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const clause = m[2] ?? '';
    const typeOnly = /^type\b/.test(clause) || /^\{([^}]*)\}$/.test(clause.trim()) && (clause.match(/[^{},\s][^,}]*/g) ?? []).every((s) => s.trim().startsWith('type '));
    out.push({ from: m[3] ?? '', typeOnly });
  }
  for (const m of source.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push({ from: m[1] ?? '', typeOnly: false });
  return out;
}

describe('src/sim is independent of production code', () => {
  const files = readdirSync(SIM).filter((f) => f.endsWith('.ts'));

  it('reads every file of the simulator', () => {
    expect(files).toEqual(expect.arrayContaining(['traffic-routing.ts', 'kube-server.ts', 'seed.ts']));
  });

  it.each(files)('%s imports only types from the rest of src/', (file) => {
    const outside = imports(readFileSync(path.join(SIM, file), 'utf8')).filter((i) => i.from.startsWith('../'));
    expect(outside.filter((i) => !i.typeOnly && !ALLOWED_VALUE_IMPORTS.has(i.from)).map((i) => i.from)).toEqual([]);
  });

  it('the scanner tells a value import from a type import', () => {
    expect(imports("import { resolveNames } from '../traffic/config.ts';")).toEqual([{ from: '../traffic/config.ts', typeOnly: false }]);
    expect(imports("import { type A, resolveNames } from '../traffic/config.ts';")[0]?.typeOnly).toBe(false);
    expect(imports("import type { RouterKind } from '../traffic/config.ts';")[0]?.typeOnly).toBe(true);
    expect(imports("import { type RouterKind, type RouterOptions } from '../traffic/config.ts';")[0]?.typeOnly).toBe(true);
  });
});
