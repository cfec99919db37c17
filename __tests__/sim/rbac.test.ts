/**
 * RBAC in the simulator: given a Role, requests it does not allow get the 403 Status a real API
 * server sends (message and body), and SelfSubjectAccessReview is answered from the same Role —
 * so the production permission check (kube/access-review.ts) meets a faithful server.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { reviewPermissions } from '../../src/kube/access-review.ts';
import { ClientNodeKubeApi, loadKubeConfig } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { describeNeed, permissionsFor, roleFor } from '../../src/traffic/permissions.ts';
import { deployment } from './helpers.ts';

const USER = 'system:serviceaccount:demo:deployer';
let sim: KubeSimulator;

beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 20 });
  sim.create(deployment('web', 'demo') as never);
});
afterAll(async () => {
  await sim?.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.token}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a Role enforced by the simulator', () => {
  beforeAll(() => {
    sim.setRbac({
      user: USER,
      roleName: 'reader',
      namespace: 'demo',
      rules: [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] },
      ],
    });
  });
  afterAll(() => sim.setRbac(undefined));

  test('allows what it grants', async () => {
    expect((await call('GET', '/apis/apps/v1/namespaces/demo/deployments/web')).status).toBe(200);
  });

  test('refuses a patch with the Status body of a real server', async () => {
    const res = await call('PATCH', '/apis/apps/v1/namespaces/demo/deployments/web', { metadata: { annotations: { a: 'b' } } }, 'application/merge-patch+json');
    expect(res).toEqual({
      status: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `deployments.apps "web" is forbidden: User "${USER}" cannot patch resource "deployments" in API group "apps" in the namespace "demo"`,
        reason: 'Forbidden',
        details: { name: 'web', group: 'apps', kind: 'deployments' },
        code: 403,
      },
    });
  });

  test('names a list of the core group without a name, and another namespace as not granted', async () => {
    const pods = await call('GET', '/api/v1/namespaces/demo/pods');
    expect(pods.body.message).toBe(`pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "demo"`);
    const other = await call('GET', '/apis/apps/v1/namespaces/prod/deployments/web');
    expect(other.status).toBe(403);
  });

  test('matches subresources, including */scale', async () => {
    const status = await call('GET', '/apis/apps/v1/namespaces/demo/deployments/web/status');
    expect(status.body.message).toContain('cannot get resource "deployments/status" in API group "apps"');
    const scale = await call('PUT', '/apis/apps/v1/namespaces/demo/deployments/web/scale', { spec: { replicas: 3 } });
    expect(scale.status).toBe(200);
  });

  test('leaves discovery open, as system:discovery does', async () => {
    expect((await call('GET', '/apis/apps/v1')).status).toBe(200);
  });

  test('answers SelfSubjectAccessReview from the Role, through the production client', async () => {
    const kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }), { attempts: 1, requestTimeoutMs: 5_000 });
    const review = await kube.create<KubeObject>({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'demo', verb: 'get', group: 'apps', resource: 'deployments' } },
    });
    expect(review['status']).toMatchObject({ allowed: true });
    const result = await reviewPermissions(kube, 'demo', permissionsFor('istio'));
    expect(result.checked).toBe(true);
    const missing = result.checked ? result.missing.map(describeNeed) : [];
    expect(missing).toContain('patch deployments.apps');
    expect(missing).toContain('list pods');
    expect(missing).not.toContain('get deployments.apps');
  });
});

test('the documented Role of a router grants every permission its data names', async () => {
  const role = roleFor('nginx', 'demo');
  sim.setRbac({ user: USER, roleName: role.metadata.name, namespace: 'demo', rules: role.rules });
  try {
    const kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }), { attempts: 1, requestTimeoutMs: 5_000 });
    expect(await reviewPermissions(kube, 'demo', permissionsFor('nginx'))).toEqual({ checked: true, missing: [] });
  } finally {
    sim.setRbac(undefined);
  }
});
