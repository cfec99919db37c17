/**
 * Issue 8 — secrets, in-process (configFromInputs, the one reading of action inputs and CLI flags): a kubeconfig's credentials are masked whatever its syntax, and a
 * kubeconfig that does not parse is reported without the parser's quoted lines (which held the token).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFromInputs, readerOf } from '../../src/config/from-inputs.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { CanaryGateError } from '../../src/util/errors.ts';

const TOKEN = 'kubeTOKENs3cr3t0123456789';

const kubeconfigs: [string, string][] = [
  ['block YAML', `apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n`],
  ['flow YAML', `apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: u, user: {token: ${TOKEN}}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`],
  ['JSON', JSON.stringify({ apiVersion: 'v1', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }], users: [{ name: 'u', user: { token: TOKEN } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' })],
];

test.each(kubeconfigs)('the token inside a %s kubeconfig is masked on its own', (_form, kubeconfig) => {
  const masked: string[] = [];
  const inputs: Record<string, string> = { kubeconfig, deployment: 'web', image: 'web:2' };
  configFromInputs({ input: readerOf(inputs), maskSecret: (s) => void masked.push(s), cwd: '/nonexistent', env: {} });
  expect(masked).toContain(kubeconfig);
  expect(masked).toContain(TOKEN);
});

test.each([
  ['a block-style syntax error next to the token', `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\n  bad: [\n`],
  ['a flow-style syntax error on the token line', `apiVersion: v1\nusers:\n- name: u\n  user: {token: ${TOKEN}, x: [}\n`],
  ['broken JSON', `{"users":[{"name":"u","user":{"token":"${TOKEN}"}}`],
])('a kubeconfig with %s is an invalid-input error that does not quote it', (_name, content) => {
  let error: unknown;
  try {
    loadKubeConfig({ content });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(CanaryGateError);
  expect((error as CanaryGateError).reason).toBe('invalid-input');
  expect((error as Error).message).toMatch(/^kubeconfig: is not a valid kubeconfig/);
  expect((error as Error).message).not.toContain(TOKEN);
  expect((error as Error).message).not.toContain('\n');
});

describe('notify.slack webhook-env / bot-token-env (README: slack: { webhook-env: SLACK_WEBHOOK })', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-slack-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: Record<string, string>, extra: Record<string, string> = {}) => {
    const file = path.join(dir, 'canary.yml');
    writeFileSync(file, 'notify:\n  slack: { webhook-env: SLACK_WEBHOOK }\n');
    const masked: string[] = [];
    const inputs: Record<string, string> = { deployment: 'web', image: 'web:2', 'config-file': file, ...extra };
    const r = configFromInputs({ input: readerOf(inputs), maskSecret: (s) => void masked.push(s), cwd: dir, env });
    return { ...r, masked };
  };

  test('the webhook is read from the named variable and masked', () => {
    const url = 'https://hooks.slack.com/services/T1/B1/fromEnvS3cr3t';
    const r = load({ SLACK_WEBHOOK: url });
    expect(r.secrets['slack-webhook']).toBe(url);
    expect(r.masked).toContain(url);
  });

  test('the input wins over the variable', () => {
    const r = load({ SLACK_WEBHOOK: 'https://hooks.slack.com/services/T1/B1/env' }, { 'slack-webhook': 'https://hooks.slack.com/services/T1/B1/input' });
    expect(r.secrets['slack-webhook']).toBe('https://hooks.slack.com/services/T1/B1/input');
  });

  test('a non-https webhook in the variable is refused without quoting it', () => {
    expect(() => load({ SLACK_WEBHOOK: 'http://evil.example/services/leakme' })).toThrow(/environment variable SLACK_WEBHOOK \(notify\.slack\.webhook-env\): must be an https:\/\/ URL/);
    expect(() => load({ SLACK_WEBHOOK: 'http://evil.example/services/leakme' })).not.toThrow(/leakme/);
  });
});
