import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_INPUTS, SECRET_INPUTS } from '../../src/config/load.ts';
import { DEFAULT_CONFIG_FILE } from '../../src/config/from-inputs.ts';
import { fileURLToPath } from 'node:url';

const action = parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, unknown>;
  runs: Record<string, string>;
};
/** Inputs read outside the config keys: the file path and the Prometheus shortcut. */
const EXTRA = ['config-file', 'prometheus-url', 'slack-channel'];

test('every input the action reads is declared in action.yml, and nothing else is', () => {
  expect(Object.keys(action.inputs).sort()).toEqual([...CONFIG_INPUTS, ...SECRET_INPUTS, ...EXTRA].sort());
});

test('inputs the config file can set declare no default (a runner default would override the file)', () => {
  for (const name of CONFIG_INPUTS) expect(action.inputs[name]?.default).toBeUndefined();
});

test('config-file declares no default (a runner would pass it as if typed); its description names the one the code applies', () => {
  expect(action.inputs['config-file']?.default).toBeUndefined();
  expect(action.inputs['config-file']?.description).toContain(`Default: ${DEFAULT_CONFIG_FILE}, read when it exists`);
});

test('every input is documented', () => {
  for (const [name, input] of Object.entries(action.inputs)) expect(`${name}: ${input.description}`.length).toBeGreaterThan(name.length + 20);
});

test('runs on node24 with an always() post step and the promised outputs', () => {
  expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js', 'post-if': 'always()' });
  expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['result', 'final-weight', 'canary-name', 'report-path']));
});
