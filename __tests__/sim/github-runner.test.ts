/** The fake runner builds a step's environment from action.yml the way GitHub's runner does. */
import { readFileSync } from 'node:fs';
import { defaultContext, evaluateDefault, FAKE_TOKEN, inputEnvironment, inputVariable, parseFileCommands, readActionYml, RunnerDir } from '../../src/sim/github-runner.ts';

const action = {
  inputs: { mode: { description: 'x' }, 'config-file': { default: '.github/canary.yml' }, 'github-token': { default: '${{ github.token }}' }, 'max weight': { default: 100 } },
  runs: { using: 'node24', main: 'dist/main/index.js' },
};

test('a declared default is passed unless the workflow sets the input; an input without default is absent', () => {
  const env = inputEnvironment(action, { mode: 'status' }, defaultContext());
  expect(env).toEqual({ INPUT_MODE: 'status', 'INPUT_CONFIG-FILE': '.github/canary.yml', 'INPUT_GITHUB-TOKEN': FAKE_TOKEN, 'INPUT_MAX_WEIGHT': '100' });
  expect(inputEnvironment(action, {}, defaultContext())).not.toHaveProperty('INPUT_MODE');
  expect(inputEnvironment(action, { 'config-file': '' }, defaultContext())['INPUT_CONFIG-FILE']).toBe('');
});

test('input names: spaces become _, upper case, hyphens kept; matching is case-insensitive', () => {
  expect(inputVariable('config-file')).toBe('INPUT_CONFIG-FILE');
  expect(inputVariable('max weight')).toBe('INPUT_MAX_WEIGHT');
  expect(inputEnvironment(action, { MODE: 'abort' }, defaultContext()).INPUT_MODE).toBe('abort');
});

test('an input that action.yml does not declare is refused', () => {
  expect(() => inputEnvironment(action, { 'config-fil': 'x' }, defaultContext())).toThrow(/'config-fil' is not declared in action.yml/);
});

test('${{ github.<field> }} defaults evaluate from the context; other expressions are refused, not passed literally', () => {
  expect(evaluateDefault('${{ github.token }}', { ...defaultContext(), token: 't' })).toBe('t');
  expect(evaluateDefault('${{github.repository}}/x', defaultContext())).toBe('acme/web/x');
  expect(() => evaluateDefault('${{ secrets.X }}', defaultContext())).toThrow(/cannot evaluate/);
});

test("the project's action.yml: every default it declares reaches the step, nothing more", () => {
  const real = readActionYml();
  const env = inputEnvironment(real, {}, defaultContext());
  const withDefault = Object.entries(real.inputs ?? {}).filter(([, s]) => s?.default !== undefined);
  expect(Object.keys(env).sort()).toEqual(withDefault.map(([n]) => inputVariable(n)).sort());
});

test('a step gets the runner variables and fresh files; its env: cannot override GITHUB_*; the post step gets STATE_*', () => {
  const runner = new RunnerDir();
  try {
    const main = runner.stepEnvironment('main', { inputs: { mode: 'status' }, state: { x: '1' } });
    expect(main.env).toMatchObject({ GITHUB_ACTIONS: 'true', CI: 'true', GITHUB_REPOSITORY: 'acme/web', GITHUB_WORKSPACE: runner.workspace, RUNNER_TEMP: runner.temp, INPUT_MODE: 'status' });
    expect(main.env).not.toHaveProperty('STATE_x');
    expect(JSON.parse(readFileSync(main.env.GITHUB_EVENT_PATH ?? '', 'utf8'))).toEqual({});
    const post = runner.stepEnvironment('post', { inputs: {}, state: { 'canary-gate-run': '{"runId":"r"}' } });
    expect(post.env['STATE_canary-gate-run']).toBe('{"runId":"r"}');
    expect(post.files.output).not.toBe(main.files.output);
    expect(() => runner.stepEnvironment('main', { inputs: {}, env: { GITHUB_REPOSITORY: 'x/y' } })).toThrow(/cannot set GITHUB_REPOSITORY/);
  } finally {
    runner.remove();
  }
});

test('file commands: heredoc and name=value forms', () => {
  expect(parseFileCommands('result<<ghadelimiter_1\npromoted\nghadelimiter_1\nreason=\nmessage<<EOF\na\nb\nEOF\n')).toEqual({ result: 'promoted', reason: '', message: 'a\nb' });
});
