/**
 * Issue 17 — the kubeconfig input as people really pass it: YAML, JSON, base64 of either (wrapped
 * or not), a path by mistake, a context that is not there, nothing at all, plain http without
 * insecure-skip-tls-verify, and https to a plain-HTTP port. Each gets through, or gets one sentence
 * that says what to pass instead; none quotes the secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { ClientNodeKubeApi, kubeconfigText, loadKubeConfig } from '../../src/kube/client.ts';
import { kubeconfigYaml } from '../../src/sim/kubeconfig.ts';
import { CanaryGateError } from '../../src/util/errors.ts';

const TOKEN = 'kube-S3CR3T-token-0123456789abcdef';
const yaml = kubeconfigYaml('http://127.0.0.1:1', TOKEN);
const json = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'prod', cluster: { server: 'https://prod.example:6443' } }, { name: 'staging', cluster: { server: 'https://staging.example:6443' } }],
  users: [{ name: 'ci', user: { token: TOKEN } }],
  contexts: [
    { name: 'prod', context: { cluster: 'prod', user: 'ci' } },
    { name: 'staging', context: { cluster: 'staging', user: 'ci' } },
  ],
  'current-context': 'prod',
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CanaryGateError);
    expect((err as CanaryGateError).reason).toBe('invalid-input');
    const message = (err as Error).message;
    expect(message).not.toContain(TOKEN);
    return message;
  }
  throw new Error('expected a refusal');
}

describe('accepted transparently', () => {
  test.each([
    ['YAML', yaml, 'canary-gate-sim'],
    ['JSON', json, 'prod'],
    ['base64 of YAML', Buffer.from(yaml).toString('base64'), 'canary-gate-sim'],
    ['base64 of YAML wrapped at 76 columns (base64 without -w0)', Buffer.from(yaml).toString('base64').replace(/(.{76})/g, '$1\n'), 'canary-gate-sim'],
    ['base64 of JSON', Buffer.from(json).toString('base64'), 'prod'],
    ['YAML with surrounding blank lines', `\n\n${yaml}\n`, 'canary-gate-sim'],
  ])('%s', (_name, content, cluster) => {
    expect(loadKubeConfig({ content }).getCurrentCluster()?.name).toBe(cluster);
  });

  test('a context that exists is used', () => {
    expect(loadKubeConfig({ content: json, context: 'staging' }).getCurrentCluster()?.server).toBe('https://staging.example:6443');
  });

  test('the decoded text of a base64 kubeconfig is what the action masks tokens in', () => {
    expect(kubeconfigText(Buffer.from(yaml).toString('base64'))).toContain(TOKEN);
    expect(kubeconfigText(yaml)).toBe(yaml);
  });
});

describe('refused with one sentence', () => {
  test.each(['/home/runner/.kube/config', '~/.kube/config', './kubeconfig.yaml', 'kubeconfig.yml', 'C:\\Users\\me\\.kube\\config', 'deploy/kubeconfig'])(
    'a path (%s): "the kubeconfig input takes the file\'s content, not its path"',
    (content) => {
      expect(refusal(() => loadKubeConfig({ content }))).toMatch(/the kubeconfig input takes the file's content, not its path: pass `kubeconfig: \$\{\{ secrets\.KUBECONFIG \}\}`/);
    },
  );

  test('a context that does not exist lists the contexts there are', () => {
    expect(refusal(() => loadKubeConfig({ content: json, context: 'production' }))).toMatch(
      /^context: the kubeconfig has no context named "production"; its contexts are "prod", "staging" — set the context input \(or context: in the config file\) to one of them/,
    );
  });

  test.each([
    ['an empty mapping', '{}'],
    ['a config without clusters', stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [{ name: 'u', user: { token: TOKEN } }] })],
    ['a word', 'changeme'],
  ])('%s: no clusters, pass the whole file', (_name, content) => {
    expect(refusal(() => loadKubeConfig({ content }))).toMatch(/^kubeconfig: has no clusters: pass the whole kubeconfig file/);
  });

  test('nothing configured anywhere (empty input, no KUBECONFIG, no ~/.kube/config): names the input and the secret', () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    process.env.HOME = '/nonexistent-canary-gate-home';
    delete process.env.KUBECONFIG;
    try {
      expect(refusal(() => loadKubeConfig({ content: '  ' }))).toMatch(/^kubeconfig: is empty and no cluster is configured otherwise .* pass `kubeconfig: \$\{\{ secrets\.KUBECONFIG \}\}`/);
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.KUBECONFIG !== undefined) process.env.KUBECONFIG = saved.KUBECONFIG;
    }
  });

  test('plain http:// without insecure-skip-tls-verify: use https, or skip verification for a local cluster', () => {
    const content = yaml.replace('insecure-skip-tls-verify: true', 'insecure-skip-tls-verify: false');
    expect(refusal(() => loadKubeConfig({ content }))).toMatch(/cluster "canary-gate-sim" has a plain http:\/\/ server, .* use the API server's https:\/\/ address, or .* set insecure-skip-tls-verify: true/);
  });

  test('a syntax error does not quote the lines around it (the token is there)', () => {
    expect(refusal(() => loadKubeConfig({ content: `apiVersion: v1\nusers:\n- name: u\n  user: {token: ${TOKEN}\n` }))).toMatch(/^kubeconfig: is not a valid kubeconfig/);
  });
});

describe('https:// to a port that speaks plain HTTP', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('one sentence instead of an OpenSSL dump, and no retries (no retry can fix it)', async () => {
    const port = (server.address() as AddressInfo).port;
    const retries: string[] = [];
    const kube = new ClientNodeKubeApi(loadKubeConfig({ content: kubeconfigYaml(`https://127.0.0.1:${port}`, TOKEN) }), { baseDelayMs: 10, onRetry: (m) => void retries.push(m) });
    const error = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo', name: 'web' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^get Deployment demo\/web \(apps\/v1\) failed: the API server at https:\/\/127\.0\.0\.1:\d+ answered plain HTTP to a TLS \(https:\/\/\) connection: the port serves http, not https — use the API server's https port/,
    );
    expect((error as Error).message).not.toMatch(/ssl|tls_validate|0A00010B/i);
    expect(retries).toEqual([]);
  });
});
