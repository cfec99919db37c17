import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFromInputs, DEFAULT_CONFIG_FILE, readerOf, resolveConfigFile } from '../../src/config/from-inputs.ts';

describe('resolveConfigFile: the default file is optional, a named file is required', () => {
  const exists = (files: string[]) => (p: string) => files.includes(p);

  test('not set, default absent: no file, and the note says so', () => {
    const r = resolveConfigFile('', '/repo', exists([]));
    expect(r.path).toBeUndefined();
    expect(r.note).toContain(`${DEFAULT_CONFIG_FILE} does not exist and config-file is not set`);
  });

  test('not set, default present: the default, relative to the repository', () => {
    expect(resolveConfigFile('  ', '/repo', exists([`/repo/${DEFAULT_CONFIG_FILE}`]))).toMatchObject({ path: `/repo/${DEFAULT_CONFIG_FILE}`, name: DEFAULT_CONFIG_FILE });
  });

  test('named and present: that file; named and absent — even the default name — an error naming config-file', () => {
    expect(resolveConfigFile('deploy/c.yml', '/repo', exists(['/repo/deploy/c.yml']))).toMatchObject({ path: '/repo/deploy/c.yml', name: 'deploy/c.yml' });
    expect(() => resolveConfigFile('deploy/c.yml', '/repo', exists([]))).toThrow(/^config-file: deploy\/c\.yml does not exist/);
    expect(() => resolveConfigFile(DEFAULT_CONFIG_FILE, '/repo', exists([]))).toThrow(/config-file/);
  });
});

describe('configFromInputs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-from-inputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('an input still holding ${{ … }} (a runner that did not evaluate it) is treated as not set, with a warning', () => {
    const warnings: string[] = [];
    const { secrets } = configFromInputs({
      input: readerOf({ deployment: 'web', image: 'web:2', 'github-token': '${{ github.token }}' }),
      cwd: dir,
      env: {},
      maskSecret: () => {},
      warn: (l) => void warnings.push(l),
    });
    expect(secrets['github-token']).toBeUndefined();
    expect(warnings).toEqual(['Input github-token holds an expression the runner did not evaluate (${{ … }}); it is treated as not set.']);
  });

  test('flags and inputs by their action.yml names become the typed config', () => {
    const { config } = configFromInputs({ input: readerOf({ deployment: 'web', image: 'web:2', steps: '10,50', 'settle-time': '5s' }), cwd: dir, env: {}, maskSecret: () => {} });
    expect(config.base).toMatchObject({ deployment: 'web', image: 'web:2', steps: [10, 50], 'settle-time': 5000 });
  });
});
