/**
 * Issue 8 — bad input. Property-based tests (fast-check) over the action inputs and the config file
 * through the pure buildConfig/parseConfigFile: no crash, no stack trace, every error names the field
 * and the expected form; a config that passes holds its invariants. Plus hostile values by name.
 * (The bundled action's "no cluster request before validation" is in action-input.test.ts.)
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { buildConfig, type Config } from '../../src/config/index.ts';
import { CONFIG_INPUTS, MAX_CONFIG_BYTES, parseConfigFile } from '../../src/config/load.ts';
import { CanaryGateError } from '../../src/util/errors.ts';

const FILE = '.github/canary.yml';
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Values a user (or an attacker) might put in any input. */
const HOSTILE = [
  '', ' ', 'Web', 'web_app', '-web', 'web-', 'a'.repeat(300), '../../etc/passwd', '$(id)', '`id`', '; rm -rf /',
  '${{ secrets.TOKEN }}', '{{namespace}}', '\u0000', 'ёжик', '🙂', 'NaN', 'Infinity', '-1', '0', '1e3', '0x10', '1.5',
  '50,20', '1,200', '10,10', '0,50', ' , ', '5%,50%', 'true', 'yes', 'null', '~', '[]', '{}', '10s', '5m', '-5s', '1h30m',
  '999999999999h', 'auto', 'istio', 'gradual', 'delete', 'rollout', 'status', 'check', 'web', 'default',
  'ghcr.io/acme/web:1.0', 'ghcr.io/acme/web@sha256:' + 'a'.repeat(64), 'web 2', '\n', 'a\nb',
];

/** Plausible valid values per input, so that generated configs also get past validation. */
const PLAUSIBLE: Partial<Record<(typeof CONFIG_INPUTS)[number], string[]>> = {
  mode: ['rollout', 'promote', 'abort', 'status', 'check'],
  namespace: ['default', 'web-prod', 'ns1'],
  deployment: ['web', 'api.v2', 'checkout-service'],
  image: ['ghcr.io/acme/web:2.0', 'web:1', 'registry:5000/a/b@sha256:' + 'b'.repeat(64)],
  container: ['web', 'app'],
  router: ['istio', 'replicas', 'nginx', 'gateway-api', 'traefik', 'smi'],
  steps: ['1,5,20,50,100', '10 50', '25', '5%,50%'],
  'step-weight': ['10', '25', '100'],
  'max-weight': ['50', '100'],
  'settle-time': ['0s', '30s', '1m'],
  'analysis-interval': ['500ms', '30s'],
  'step-timeout': ['5m'],
  'on-inconclusive': ['rollback', 'advance'],
  'ready-timeout': ['5m', '30s'],
  timeout: ['30m', '1h'],
  'canary-replicas': ['auto', '1', '3'],
  rollback: ['immediate', 'gradual'],
  'canary-cleanup': ['scale-to-zero', 'delete'],
  'lease-duration': ['60s'],
  'run-id': ['123-1', 'abc'],
  'report-path': ['/tmp/report.json'],
  environment: ['production', 'staging'],
  'environment-url': ['https://shop.example.com'],
};

const inputValue = (name: (typeof CONFIG_INPUTS)[number]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(PLAUSIBLE[name] ?? ['x'])) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  );

type InputName = (typeof CONFIG_INPUTS)[number];
/** Any subset of inputs, any values. */
const wildInputs = fc.record(Object.fromEntries(CONFIG_INPUTS.map((n) => [n, inputValue(n)])) as Record<InputName, fc.Arbitrary<string>>, { requiredKeys: [] });
/** A plausible configuration (mostly valid), so that the success side is exercised too. */
const plausibleInputs = fc.record(
  Object.fromEntries(
    CONFIG_INPUTS.filter((n) => n !== 'step-weight' && n !== 'max-weight').map((n) => [n, fc.constantFrom(...(n === 'mode' ? ['rollout', 'promote', 'abort', 'status'] : (PLAUSIBLE[n] ?? ['x'])))]),
  ) as Record<InputName, fc.Arbitrary<string>>,
  { requiredKeys: ['deployment', 'image'] as InputName[] },
);
/** A plausible configuration with one input replaced by a hostile or random value. */
const oneBadInput = fc
  .tuple(plausibleInputs, fc.constantFrom(...CONFIG_INPUTS), fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 30 })))
  .map(([inputs, name, value]) => ({ ...inputs, [name]: value }));
const inputsArb = fc.oneof(plausibleInputs, oneBadInput, wildInputs);

/** What the action does with inputs: trimmed, empty ones dropped (readInputs). */
function asActionInputs(raw: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
}

interface Outcome {
  config?: Config;
  error?: unknown;
}

function attempt(fn: () => Config): Outcome {
  try {
    return { config: fn() };
  } catch (error) {
    return { error };
  }
}

/** The error is ours, for the user, names a field (or the file) and says what was expected. */
function checkError(error: unknown, fields: string[]): void {
  if (!(error instanceof CanaryGateError)) throw new Error(`not a CanaryGateError: ${String(error)}\n${(error as Error)?.stack ?? ''}`);
  expect(error.reason).toBe('invalid-input');
  const message = error.message;
  expect(message).not.toMatch(/\n\s+at .+:\d+/); // no stack trace
  expect(message).not.toMatch(/\[object Object\]|undefined is not|Cannot read prop|TypeError|ReferenceError/);
  const named = [...fields, 'deployment', 'image', FILE, 'metrics', 'providers', 'routing', 'notify', 'schema', 'steps', 'max-weight'];
  if (!named.some((f) => message.includes(f))) throw new Error(`the error names no field: ${message}`);
  expect(message).not.toMatch(/Invalid input|Invalid option/); // zod's defaults say neither where nor what to write
  // Every problem names its source — input 'x', FILE:LINE key 'k', or a key set nowhere — and a fix.
  const problems = message.startsWith('Invalid configuration') ? message.split('\n').slice(1) : [message];
  for (const line of problems) {
    if (!SOURCE.test(line)) throw new Error(`a problem that names no source: ${line}`);
    if (!FIX.test(line)) throw new Error(`a problem without a fix: ${line}`);
  }
}

/** Where a value came from, as every problem line starts. */
const SOURCE = /^(- )?(input '[a-z-]+'|\.github\/canary\.yml(:\d+)?( key '.+?')?|'.+?' \(set neither as an input nor in [^)]+\)): /;
/** What to do: a form to write, an example, a key to rename to, something to remove or add. */
const FIX = /must|expected|e\.g\.|example|did you mean|remove|rename|add |set |use |give |write |pass |choose|check|keep one|fix the|needs|is required|one of|lower |raise /i;

/** What a config that passed validation guarantees to the rollout. */
function checkInvariants(config: Config): void {
  const c = config.base;
  expect(c.namespace).toMatch(DNS1123_LABEL);
  if (c.mode !== 'check') expect(c.deployment).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  if (c.mode === 'rollout') expect(c.image).toMatch(/^\S+$/);
  if (c.steps) {
    for (const [i, w] of c.steps.entries()) {
      expect(Number.isInteger(w) && w >= 1 && w <= c['max-weight']).toBe(true);
      if (i > 0) expect(w).toBeGreaterThan(c.steps[i - 1] ?? 0);
    }
  }
  for (const key of ['settle-time', 'analysis-interval', 'step-timeout', 'ready-timeout', 'timeout', 'lease-duration'] as const) {
    expect(Number.isFinite(c[key]) && c[key] >= 0).toBe(true);
  }
}

test('generated action inputs (1,500 cases): a valid Config or an invalid-input error naming the field', () => {
  let valid = 0;
  fc.assert(
    fc.property(inputsArb, (raw) => {
      const inputs = asActionInputs(raw);
      const r = attempt(() => buildConfig({ inputs, secrets: {} }));
      if (r.config) {
        valid++;
        checkInvariants(r.config);
      } else checkError(r.error, Object.keys(inputs));
    }),
    { numRuns: 1_500 },
  );
  // The generator reaches both sides (otherwise the properties above would be vacuous).
  expect(valid).toBeGreaterThan(150);
  expect(valid).toBeLessThan(1_350);
});

/** YAML-able values: scalars of every type, nested maps and lists, with config-shaped keys. */
const KEYS = [...CONFIG_INPUTS, 'metrics', 'providers', 'notify', 'routing', 'schema', 'name', 'query', 'type', 'address', 'max', 'judge', 'builtin', 'x'];
const yamlValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...HOSTILE),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
  ),
}));
const configDoc = fc.dictionary(fc.constantFrom(...KEYS), yamlValue.value, { maxKeys: 8 });

test('generated config files (1,200 cases): parse + validate never crash, errors name the key', () => {
  fc.assert(
    fc.property(configDoc, fc.constantFrom(...Object.keys(PLAUSIBLE)), (doc, _k) => {
      const text = stringify(doc);
      const r = attempt(() => buildConfig({ inputs: { deployment: 'web', image: 'web:2' }, secrets: {}, fileText: text, fileName: FILE }));
      if (r.config) checkInvariants(r.config);
      else checkError(r.error, [...Object.keys(doc), ...Object.keys(doc).flatMap((k) => Object.keys((doc[k] ?? {}) as object))]);
    }),
    { numRuns: 1_200 },
  );
});

test('arbitrary file text (800 cases): not-YAML, scalars and lists are invalid-input errors naming the file', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('- a\n- b', '42', '"x"', '{', 'a: [', 'a: b: c', '\t- x', 'a: 1\na: 2', '!!js/function f() {}', '? [a]\n: b')), (text) => {
      const r = attempt(() => buildConfig({ inputs: { deployment: 'web', image: 'web:2' }, secrets: {}, fileText: text, fileName: FILE }));
      if (r.config) checkInvariants(r.config);
      else checkError(r.error, [FILE]);
    }),
    { numRuns: 800 },
  );
});

test('a credential-looking value in any input or file key (600 cases) is never quoted back', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9]{30,40}$/).filter((t) => /[0-9]/.test(t) && /[A-Za-z]/.test(t));
  const shapes = (t: string) => [`ghp_${t}`, `xoxb-${t}`, t, `http://user:${t}@prometheus:9090`, `prometheus:9090/?token=${t}`, `https://p:9090/?api_key=${t}`];
  fc.assert(
    fc.property(fc.constantFrom(...CONFIG_INPUTS), fc.constantFrom(...KEYS), token, fc.nat(5), fc.boolean(), (input, key, t, shape, inFile) => {
      const value = shapes(t)[shape] as string;
      const inputs = { deployment: 'web', image: 'web:2', ...(inFile ? {} : { [input]: value }) };
      const fileText = inFile ? stringify({ [key]: value, providers: { p: { type: 'prometheus', address: value } } }) : undefined;
      const r = attempt(() => buildConfig({ inputs, secrets: {}, ...(fileText ? { fileText, fileName: FILE } : {}) }));
      if (r.error) expect((r.error as Error).message).not.toContain(t);
    }),
    { numRuns: 600 },
  );
});

describe('hostile values, by name', () => {
  const base = { deployment: 'web', image: 'ghcr.io/acme/web:2' };
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a deployment name that is not DNS-1123', { deployment: 'Web_App' }, /input 'deployment': must be a DNS-1123 name/],
    ['a namespace with a slash', { namespace: 'kube-system/../x' }, /input 'namespace': must be a DNS-1123 label/],
    ['a namespace of 64 characters', { namespace: 'a'.repeat(64) }, /input 'namespace': must be at most 63 characters/],
    ['a container name with a shell command', { container: '$(id)' }, /input 'container': must be a DNS-1123 label/],
    ['an image with a space', { image: 'web:2 --privileged' }, /input 'image': must be an image reference/],
    ['steps that decrease', { steps: '50,20' }, /input 'steps': weights must increase/],
    ['a step above 100', { steps: '10,200' }, /input 'steps': each step must be a whole percentage from 1 to 100, got the text "200"/],
    ['a step of 0', { steps: '0,50' }, /input 'steps': each step must be a whole percentage from 1 to 100, got the text "0"/],
    ['a step above max-weight', { steps: '10,60', 'max-weight': '50' }, /input 'steps': has a weight above max-weight 50/],
    ['steps together with step-weight', { steps: '10,50', 'step-weight': '10' }, /input 'step-weight': cannot be combined with steps/],
    ['a fractional step', { steps: '12.5,50' }, /input 'steps': each step must be a whole percentage/],
    ['a negative duration', { timeout: '-5m' }, /input 'timeout': must be a duration like "60m"/],
    ['a duration without a unit or number', { 'settle-time': 'soon' }, /input 'settle-time': must be a duration like "30s"/],
    ['an unknown router', { router: 'linkerd2' }, /input 'router': must be one of istio, replicas/],
    ['canary-replicas of 0', { 'canary-replicas': '0' }, /input 'canary-replicas'/],
  ];
  test.each(cases)('%s', (_name, extra, expected) => {
    const r = attempt(() => buildConfig({ inputs: { ...base, ...extra }, secrets: {} }));
    expect(r.config).toBeUndefined();
    checkError(r.error, Object.keys(extra));
    expect((r.error as Error).message).toMatch(expected);
    expect((r.error as Error).message).toMatch(/nothing was changed in the cluster/);
  });

  test('a YAML anchor bomb (billion laughs) is refused quickly, naming the file', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const started = Date.now();
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText: levels.join('\n'), fileName: FILE }));
    expect(Date.now() - started).toBeLessThan(1_000);
    checkError(r.error, [FILE]);
    expect((r.error as Error).message).toMatch(/\.github\/canary\.yml: is not valid YAML: .*alias/i);
  });

  test('a huge config file is refused before parsing', () => {
    const huge = `metrics:\n${'  - name: m\n    query: up\n    max: 1\n'.repeat(Math.ceil(MAX_CONFIG_BYTES / 30))}`;
    expect(Buffer.byteLength(huge)).toBeGreaterThan(MAX_CONFIG_BYTES);
    expect(() => parseConfigFile(huge, FILE)).toThrow(/\.github\/canary\.yml: is larger than 256 KiB/);
  });

  test('deeply nested YAML (under the size limit) is an error naming the file, not a stack overflow', () => {
    const deep = `metrics: ${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText: deep, fileName: FILE }));
    if (r.error) checkError(r.error, [FILE, 'metrics']);
  });

  test('YAML tags cannot construct code or objects', () => {
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText: 'run-id: !!js/function "function(){ return 1 }"\n', fileName: FILE }));
    if (r.config) expect(typeof r.config.base['run-id']).toBe('string');
    else checkError(r.error, [FILE, 'run-id']);
  });

  test('an unknown key in the file names the key and points at the spelling', () => {
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText: 'stepz: [10, 50]\n', fileName: FILE }));
    checkError(r.error, ['stepz']);
    expect((r.error as Error).message).toMatch(/canary\.yml:1 key 'stepz': unknown key — did you mean 'steps'\?/);
  });

  test('a metric template referencing an unknown variable is refused at validation, naming metric and variable', () => {
    const fileText = `providers:\n  prom: { type: prometheus, address: http://127.0.0.1:9 }\nmetrics:\n  - name: errors\n    query: 'errors{app="{{aplication}}"}'\n    max: 1\n`;
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText, fileName: FILE }));
    checkError(r.error, ['errors']);
    expect((r.error as Error).message).toMatch(/key 'metrics\[0\]\.query': metric errors: unknown template variable \{\{aplication\}\}; known variables: \{\{namespace\}\}/);
  });

  test('a Slack webhook that is not https is refused without echoing the secret', () => {
    for (const webhook of ['http://hooks.example.com/services/T/B/secret-part', 'file:///etc/passwd#secret-part', 'not a url secret-part']) {
      const r = attempt(() => buildConfig({ inputs: base, secrets: { 'slack-webhook': webhook }, fileText: '', fileName: FILE }));
      checkError(r.error, ['slack-webhook']);
      expect((r.error as Error).message).not.toContain('secret-part');
    }
    expect(attempt(() => buildConfig({ inputs: base, secrets: { 'slack-webhook': 'https://hooks.slack.com/services/T/B/x' } })).config).toBeDefined();
  });

  test('the slack-webhook input alone turns Slack on (the README example has no notify.slack section)', () => {
    const config = buildConfig({ inputs: base, secrets: { 'slack-webhook': 'https://hooks.slack.com/services/T/B/x' } });
    expect(config.notify.slack).toBeDefined();
    expect(buildConfig({ inputs: base, secrets: {} }).notify.slack).toBeUndefined();
  });

  test('a provider address that is not a URL is refused, naming the key', () => {
    const fileText = `providers:\n  prom: { type: prometheus, address: "prometheus:9090; curl evil" }\nmetrics:\n  - name: errors\n    query: up\n    max: 1\n`;
    const r = attempt(() => buildConfig({ inputs: base, secrets: {}, fileText, fileName: FILE }));
    checkError(r.error, ['providers', 'address']);
  });
});
