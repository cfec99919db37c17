/**
 * Issue 8 — secrets, in-process: a kubeconfig's credentials are masked whatever its syntax, and a
 * kubeconfig that does not parse is reported without the parser's quoted lines (which held the token).
 */
import { loadActionConfig } from '../../src/action/inputs.ts';
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
  const inputs: Record<string, string> = { kubeconfig, deployment: 'web', image: 'web:2', 'config-file': '' };
  loadActionConfig({ getInput: (n) => inputs[n] ?? '', setSecret: (s) => void masked.push(s), cwd: '/nonexistent' });
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
