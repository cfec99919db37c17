import { adaptToEnvironment, defaultRunId, defaultSchemaRefs, type RunEnvironment } from '../../src/config/environment.ts';
import { buildConfig, type Config } from '../../src/config/index.ts';

const config = (inputs: Record<string, string> = {}): Config => buildConfig({ inputs: { deployment: 'web', image: 'web:2', ...inputs }, secrets: {} });
const job: Record<string, string> = { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'deploy', GITHUB_REPOSITORY: 'acme/web', GITHUB_STEP_SUMMARY: '/tmp/summary', RUNNER_TEMP: '/runner/temp' };
const env = (entry: RunEnvironment['entry'], vars: Record<string, string> = {}): RunEnvironment => ({ entry, vars, tmpDir: '/tmp', localRunId: 'local-1' });

describe('adaptToEnvironment', () => {
  test('in a job: the run id of the workflow run, the report in RUNNER_TEMP, every report on', () => {
    const c = adaptToEnvironment(config(), env('action-main', job));
    expect(c.base['run-id']).toBe('gh-42-2-deploy');
    expect(c.base['report-path']).toBe('/runner/temp/canary-gate-gh-42-2-deploy.json');
    expect(c.notify).toMatchObject({ summary: true, 'pr-comment': true, 'check-run': true, annotations: true });
    expect(c.base.mode).toBe('rollout');
  });

  test('a job step without a summary file or a repository turns those reports off, nothing else', () => {
    const c = adaptToEnvironment(config(), env('action-main', { RUNNER_TEMP: '/rt' }));
    expect(c.notify).toMatchObject({ summary: false, 'pr-comment': false, 'check-run': false, 'commit-status': false, annotations: true });
    expect(c.base['run-id']).toBe('local-1');
    expect(c.base['report-path']).toBe('/rt/canary-gate-local-1.json');
  });

  test('in a terminal: no workflow report at all, and no report file unless asked for — even inside a job', () => {
    const c = adaptToEnvironment(config(), env('cli', job));
    expect(c.notify).toMatchObject({ summary: false, 'pr-comment': false, 'check-run': false, 'commit-status': false, annotations: false });
    expect(c.base['report-path']).toBeUndefined();
    expect(adaptToEnvironment(config({ 'report-path': 'out.json' }), env('cli')).base['report-path']).toBe('out.json');
  });

  test('the post step aborts what its main step left, with the same run id and report file', () => {
    const main = adaptToEnvironment(config(), env('action-main', job));
    const post = adaptToEnvironment(config(), env('action-post', job));
    expect(post.base.mode).toBe('abort');
    expect(post.base['run-id']).toBe(main.base['run-id']);
    expect(post.base['report-path']).toBe(main.base['report-path']);
  });

  test('settings the user gave win: run-id and report-path', () => {
    const c = adaptToEnvironment(config({ 'run-id': 'mine', 'report-path': 'r.json' }), env('action-main', job));
    expect(c.base).toMatchObject({ 'run-id': 'mine', 'report-path': 'r.json' });
  });

  test('pure: the given config is not changed', () => {
    const given = config();
    const before = structuredClone(given);
    adaptToEnvironment(given, env('action-post', job));
    adaptToEnvironment(given, env('cli', job));
    expect(given).toEqual(before);
  });
});

test('defaultRunId: one id per job attempt, the local id outside a workflow', () => {
  expect(defaultRunId({ GITHUB_RUN_ID: '7' }, 'x')).toBe('gh-7-1-job');
  expect(defaultRunId({}, 'local-9')).toBe('local-9');
});

test('defaultSchemaRefs: the PR base on pull_request runs, HEAD as the change', () => {
  expect(defaultSchemaRefs({ GITHUB_BASE_REF: 'main' })).toEqual({ base: 'origin/main', head: 'HEAD' });
  expect(defaultSchemaRefs({})).toEqual({ head: 'HEAD' });
});
