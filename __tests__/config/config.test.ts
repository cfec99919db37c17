import { buildConfig } from '../../src/config/index.ts';
import { parseConfigFile } from '../../src/config/load.ts';
import { parseDuration } from '../../src/util/duration.ts';
import { CanaryGateError } from '../../src/util/errors.ts';

const ok = (inputs: Record<string, string>, fileText?: string) =>
  buildConfig({ inputs: { deployment: 'web', image: 'ghcr.io/acme/web:2', ...inputs }, secrets: {}, ...(fileText ? { fileText, fileName: '.github/canary.yml' } : {}) });

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CanaryGateError);
    expect((err as CanaryGateError).reason).toBe('invalid-input');
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('configuration', () => {
  test('defaults', () => {
    const c = ok({});
    expect(c.base).toMatchObject({ mode: 'rollout', namespace: 'default', 'max-weight': 100, 'settle-time': 30_000, rollback: 'immediate', 'canary-replicas': 'auto' });
    expect(c.routing.kind).toBe('replicas');
  });

  test('inputs override the file; the file fills the rest', () => {
    const c = ok({ 'settle-time': '5s' }, 'settle-time: 1m\nsteps: [1, 10, 100]\nrouting:\n  router: istio\n');
    expect(c.base['settle-time']).toBe(5_000);
    expect(c.base.steps).toEqual([1, 10, 100]);
    expect(c.routing.kind).toBe('istio');
  });

  test('the router input beats routing.router in the file', () => {
    expect(ok({ router: 'nginx' }, 'routing:\n  router: istio\n').routing.kind).toBe('nginx');
  });

  test.each([
    [{ steps: '5,3' }, /input 'steps'.*must increase/],
    [{ steps: '0,50' }, /input 'steps'.*from 1 to 100/],
    [{ steps: '10,abc' }, /input 'steps'/],
    [{ steps: '20,80', 'max-weight': '50' }, /input 'steps'.*above max-weight 50/],
    [{ 'settle-time': 'soon' }, /input 'settle-time'.*duration like "30s"/],
    [{ namespace: 'Prod_NS' }, /input 'namespace'.*DNS-1123/],
    [{ deployment: 'web app' }, /input 'deployment'.*DNS-1123/],
    [{ image: 'has space' }, /input 'image'/],
    [{ mode: 'yolo' }, /input 'mode'.*rollout, promote, abort, status, check/],
    [{ router: 'linkerd2' }, /input 'router'/],
    [{ 'canary-replicas': '-1' }, /input 'canary-replicas'/],
  ])('%o is refused with a message naming the input', (inputs, pattern) => {
    expect(errorOf(() => ok(inputs))).toMatch(pattern);
  });

  test('mode rollout needs an image; the message says what to give', () => {
    expect(errorOf(() => buildConfig({ inputs: { deployment: 'web' }, secrets: {} }))).toMatch(/'image'.*required in mode rollout/);
  });

  test('unknown keys in the file are named', () => {
    expect(errorOf(() => ok({}, 'setle-time: 5s\n'))).toMatch(/\.github\/canary\.yml:1 key 'setle-time': unknown key — did you mean 'settle-time'\?/);
  });

  test('the file must be a mapping of keys', () => {
    expect(errorOf(() => ok({}, '- 1\n- 2\n'))).toMatch(/must be a YAML mapping/);
  });

  test('a YAML alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    expect(() => parseConfigFile(bomb.join('\n'), 'canary.yml')).toThrow(/canary.yml: is not valid YAML|alias/i);
  });

  test('metric sections are validated by their own schema, with the path', () => {
    expect(errorOf(() => ok({}, 'providers:\n  prom:\n    type: prometheus\n    address: not-a-url\n'))).toMatch(/providers\.prom\.address/);
  });

  test('metrics without any provider are refused', () => {
    expect(errorOf(() => ok({}, 'metrics:\n  - name: errors\n    builtin: request-success-rate\n'))).toMatch(/provider/);
  });
});

describe('durations', () => {
  test.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2', 2_000],
    ['1.5s', 1_500],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  test.each(['', 'soon', '5 m', '-1s', '5x', '1s2'])('%s is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());
});
