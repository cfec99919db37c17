import * as k8s from '@kubernetes/client-node';
import { deployment, rejection, startWithClients, type SimClients } from './helpers.ts';

let c: SimClients;
const NS = 'demo';

beforeAll(async () => {
  c = await startWithClients({ readyDelayMs: 50 });
});
afterAll(async () => {
  await c.close();
});

function virtualService(name: string, weight: unknown = 100): k8s.KubernetesObject & { spec: unknown } {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: { hosts: [name], http: [{ route: [{ destination: { host: name, subset: 'stable' }, weight }] }] },
  };
}

describe('CRUD through the typed client', () => {
  test('create, get, list by label, delete, then 404', async () => {
    const created = await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('crud', NS) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.spec?.progressDeadlineSeconds).toBe(600); // server default
    expect(created.status).toBeUndefined(); // status is never taken from a create

    const got = await c.apps.readNamespacedDeployment({ namespace: NS, name: 'crud' });
    expect(got.metadata?.resourceVersion).toBeDefined();

    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('other', NS) });
    const list = await c.apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'app in (crud)' });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['crud']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(got.metadata?.resourceVersion));
    const notOther = await c.apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'app!=other' });
    expect(notOther.items.map((d) => d.metadata?.name)).toContain('crud');
    expect(notOther.items.map((d) => d.metadata?.name)).not.toContain('other');

    const dup = await rejection(c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('crud', NS) }));
    expect(dup.code).toBe(409);
    expect(dup.status.reason).toBe('AlreadyExists');

    await c.apps.deleteNamespacedDeployment({ namespace: NS, name: 'crud' });
    const gone = await rejection(c.apps.readNamespacedDeployment({ namespace: NS, name: 'crud' }));
    expect(gone.code).toBe(404);
    expect(gone.status).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'deployments.apps "crud" not found' });
    const again = await rejection(c.apps.deleteNamespacedDeployment({ namespace: NS, name: 'crud' }));
    expect(again.code).toBe(404);
  });

  test('replace with a stale resourceVersion is a 409 Conflict; with the current one it succeeds', async () => {
    // A ConfigMap: no controller writes it behind the test's back.
    const cm = await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'occ' }, data: { v: '1' } } });
    const fresh = structuredClone(cm);
    fresh.data = { v: '2' };
    const updated = await c.core.replaceNamespacedConfigMap({ namespace: NS, name: 'occ', body: fresh });
    expect(updated.data).toEqual({ v: '2' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));

    cm.data = { v: '3' }; // still carries the first resourceVersion
    const stale = await rejection(c.core.replaceNamespacedConfigMap({ namespace: NS, name: 'occ', body: cm }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(stale.status.message).toContain('the object has been modified');
    const merged = await rejection(
      c.core.patchNamespacedConfigMap(
        { namespace: NS, name: 'occ', body: { metadata: { resourceVersion: cm.metadata?.resourceVersion }, data: { v: '4' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(merged.code).toBe(409);
    expect((await c.core.readNamespacedConfigMap({ namespace: NS, name: 'occ' })).data).toEqual({ v: '2' });
  });

  test('name in the URL must match the body; names must be DNS-1123', async () => {
    const body = deployment('mismatch', NS);
    const res = await rejection(c.apps.replaceNamespacedDeployment({ namespace: NS, name: 'other', body }));
    expect(res.code).toBe(400);
    expect(res.status.reason).toBe('BadRequest');
    const bad = await rejection(c.apps.createNamespacedDeployment({ namespace: NS, body: { ...deployment('x', NS), metadata: { name: 'Bad_Name' } } }));
    expect(bad.code).toBe(422);
    expect(bad.status.details?.causes?.[0]?.field).toBe('metadata.name');
  });
});

describe('patches', () => {
  test('strategic merge merges containers by name; merge patch replaces the list', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('smp', NS) });
    const patch = { spec: { template: { spec: { containers: [{ name: 'smp', image: 'ghcr.io/acme/web:2.0', env: [{ name: 'MODE', value: 'canary' }] }] } } } };
    const smp = await c.objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'smp', namespace: NS }, ...patch },
      undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.StrategicMergePatch,
    ) as k8s.V1Deployment;
    const container = smp.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('ghcr.io/acme/web:2.0');
    expect(container?.ports?.[0]?.containerPort).toBe(8080); // kept: merged by name
    expect(container?.env).toEqual([{ name: 'MODE', value: 'canary' }, { name: 'LOG', value: 'info' }]);
    expect(smp.metadata?.generation).toBe(2);

    const merged = await c.objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'smp', namespace: NS }, spec: { template: { spec: { containers: [{ name: 'smp', image: 'ghcr.io/acme/web:3.0' }] } } } } as k8s.KubernetesObject,
      undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.MergePatch,
    ) as k8s.V1Deployment;
    const replaced = merged.spec?.template.spec?.containers[0];
    expect(replaced?.image).toBe('ghcr.io/acme/web:3.0');
    expect(replaced?.ports).toBeUndefined(); // the whole list was replaced
    expect(replaced?.env).toBeUndefined();
  });

  test('strategic merge on a custom resource is 415, as on a real server', async () => {
    await c.objects.create(virtualService('smp-vs'));
    const res = await rejection(c.objects.patch(virtualService('smp-vs', 50), undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.StrategicMergePatch));
    expect(res.code).toBe(415);
    expect(res.status.reason).toBe('UnsupportedMediaType');
  });

  test('JSON patch applies ops; a failing test op is 422 and changes nothing', async () => {
    await c.objects.create(virtualService('jp-vs'));
    const path = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/jp-vs`;
    const ok = await c.objects.patch(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'jp-vs', namespace: NS } },
      undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.JsonPatch,
    ).catch((e: unknown) => e);
    // client-node serialises the object itself as the body, which is not an op list: 400.
    expect((ok as { code?: number }).code).toBe(400);

    const send = (ops: unknown) =>
      fetch(`${c.sim.url}${path}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify(ops),
      });
    const good = await send([
      { op: 'test', path: '/spec/http/0/route/0/weight', value: 100 },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
      { op: 'add', path: '/spec/http/0/route/-', value: { destination: { host: 'jp-vs', subset: 'canary' }, weight: 10 } },
    ]);
    expect(good.status).toBe(200);
    const body = (await good.json()) as { spec: { http: { route: { weight: number }[] }[] } };
    expect(body.spec.http[0]?.route.map((r) => r.weight)).toEqual([90, 10]);

    const failed = await send([{ op: 'test', path: '/spec/http/0/route/0/weight', value: 100 }, { op: 'replace', path: '/spec/http/0/route/0/weight', value: 0 }]);
    expect(failed.status).toBe(422);
    expect(((await failed.json()) as { reason: string }).reason).toBe('Invalid');
    const after = c.sim.store.get('networking.istio.io/v1', 'VirtualService', NS, 'jp-vs');
    expect((after?.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route[0]?.weight).toBe(90);
  });

  test('server-side apply needs a fieldManager and creates or merges', async () => {
    const url = `${c.sim.url}/api/v1/namespaces/${NS}/configmaps/applied`;
    const headers = { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/apply-patch+yaml' };
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n';
    expect((await fetch(url, { method: 'PATCH', headers, body })).status).toBe(400);
    expect((await fetch(`${url}?fieldManager=cg`, { method: 'PATCH', headers, body })).status).toBe(201);
    const second = await fetch(`${url}?fieldManager=cg`, { method: 'PATCH', headers, body: 'data:\n  b: "2"\n' });
    expect(second.status).toBe(200);
    expect(((await second.json()) as { data: unknown }).data).toEqual({ a: '1', b: '2' });
  });

  test('unknown patch content type is 415', async () => {
    const res = await fetch(`${c.sim.url}/api/v1/namespaces/${NS}/configmaps/applied`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
  });
});

describe('validation', () => {
  test('an invalid Deployment is 422 with causes naming the fields', async () => {
    const body = deployment('invalid', NS) as unknown as { spec: Record<string, unknown> };
    body.spec.replicas = 'three';
    delete body.spec.selector;
    const res = await rejection(c.apps.createNamespacedDeployment({ namespace: NS, body: body as unknown as k8s.V1Deployment }));
    expect(res.code).toBe(422);
    expect(res.status.reason).toBe('Invalid');
    const fields = res.status.details?.causes?.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.replicas', 'spec.selector']));
    expect(res.status.message).toContain('Deployment.apps "invalid" is invalid');
  });

  test('a selector that does not match the template labels is rejected', async () => {
    const body = deployment('selector', NS);
    body.spec!.selector = { matchLabels: { app: 'something-else' } };
    const res = await rejection(c.apps.createNamespacedDeployment({ namespace: NS, body }));
    expect(res.code).toBe(422);
    expect(res.status.details?.causes?.[0]?.field).toBe('spec.template.metadata.labels');
  });

  test('an invalid VirtualService (weight as a string) is 422 against the CRD schema', async () => {
    const res = await rejection(c.objects.create(virtualService('bad-vs', '50')));
    expect(res.code).toBe(422);
    expect(res.status.details?.causes).toEqual([
      expect.objectContaining({ field: 'spec.http[0].route[0].weight', reason: 'FieldValueTypeInvalid' }),
    ]);
    // the same shape is valid under v1beta1 too, and both versions see one object
    const ok = await c.objects.create({ ...virtualService('good-vs'), apiVersion: 'networking.istio.io/v1beta1' });
    expect(ok.apiVersion).toBe('networking.istio.io/v1beta1');
    const asV1 = await c.objects.read({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'good-vs', namespace: NS } });
    expect(asV1.metadata?.uid).toBe(ok.metadata?.uid);
  });

  test('fields a CRD schema does not declare are pruned, as a real server does', async () => {
    const vs = virtualService('pruned') as k8s.KubernetesObject & { spec: { http: { route: Record<string, unknown>[] }[] } };
    vs.spec.http[0]!.route[0]!.destination = { host: 'pruned', subset: 'stable', weight: 100 }; // weight misplaced
    (vs.spec as Record<string, unknown>).colour = 'blue';
    const created = (await c.objects.create(vs)) as typeof vs;
    expect(created.spec.http[0]?.route[0]).toEqual({ destination: { host: 'pruned', subset: 'stable' }, weight: 100 });
    expect(created.spec).not.toHaveProperty('colour');
    expect(created.metadata?.name).toBe('pruned');
  });

  test('SMI TrafficSplit: v1alpha1 takes quantities, v1alpha2+ integers only', async () => {
    const split = (version: string, weight: unknown, name: string) => ({
      apiVersion: `split.smi-spec.io/${version}`,
      kind: 'TrafficSplit',
      metadata: { name, namespace: NS },
      spec: { service: 'web', backends: [{ service: 'web-stable', weight }, { service: 'web-canary', weight: 0 }] },
    });
    await expect(c.objects.create(split('v1alpha1', '500m', 'ts1'))).resolves.toBeDefined();
    const res = await rejection(c.objects.create(split('v1alpha2', '500m', 'ts2')));
    expect(res.code).toBe(422);
    await expect(c.objects.create(split('v1alpha4', 90, 'ts4'))).resolves.toBeDefined();
  });
});

describe('status subresource and generation', () => {
  test('spec writes ignore status; /status writes change only status; generation follows spec', async () => {
    // A VirtualService has a status subresource and no controller racing the test.
    const vsPath = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/gen`;
    const created = await c.objects.create({ ...virtualService('gen'), status: { observedGeneration: 5 } } as k8s.KubernetesObject) as k8s.KubernetesObject & { status?: unknown };
    expect(created.status).toBeUndefined(); // status is never taken from a create
    expect(created.metadata?.generation).toBe(1);

    const put = (path: string, body: unknown) =>
      fetch(`${c.sim.url}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { metadata: { generation: number }; spec: { hosts: string[] }; status?: unknown } }));
    const statusWrite = await put(`${vsPath}/status`, { ...created, spec: { hosts: ['changed'] }, status: { observedGeneration: 1 } });
    expect(statusWrite.status).toBe(200);
    expect(statusWrite.body.status).toEqual({ observedGeneration: 1 });
    expect(statusWrite.body.spec.hosts).toEqual(['gen']); // spec is not writable through /status
    expect(statusWrite.body.metadata.generation).toBe(1);

    const specWrite = await put(vsPath, { ...statusWrite.body, spec: { hosts: ['gen', 'gen.demo'] }, status: { observedGeneration: 9 } });
    expect(specWrite.body.status).toEqual({ observedGeneration: 1 }); // status kept from the server
    expect(specWrite.body.metadata.generation).toBe(2);

    const labelled = await c.objects.patch(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'gen', namespace: NS, labels: { extra: 'yes' } } } as k8s.KubernetesObject,
      undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.MergePatch,
    );
    expect(labelled.metadata?.generation).toBe(2); // metadata change: same generation
  });

  test('deployment generation moves with spec and annotation changes, not labels or status (deploymentStrategy.PrepareForUpdate)', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('gen-deploy', NS) });
    const patch = (body: object) =>
      c.apps.patchNamespacedDeployment({ namespace: NS, name: 'gen-deploy', body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    expect((await patch({ metadata: { labels: { team: 'b' } }, status: { replicas: 77 } })).metadata?.generation).toBe(1);
    // A real API server copies a Deployment's annotations to its ReplicaSets, so they count as a change.
    const annotated = await patch({ metadata: { annotations: { 'canary-gate.io/state': '{}' } } });
    expect(annotated.metadata?.generation).toBe(2);
    expect((await patch({ metadata: { annotations: { 'canary-gate.io/state': '{}' } } })).metadata?.generation).toBe(2); // same value: no change
    const changed = await patch({ spec: { replicas: 3 } });
    expect(changed.metadata?.generation).toBe(3);
    expect(changed.status?.replicas).not.toBe(77);
  });

  test('ingress generation moves with spec changes only; a Service has none to move (their registry strategies)', async () => {
    const ing = await c.objects.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'gen-ing', namespace: NS },
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    } as k8s.KubernetesObject);
    const merge = (obj: k8s.KubernetesObject) => c.objects.patch(obj, undefined, undefined, 'test', undefined, k8s.PatchStrategy.MergePatch);
    const annotated = await merge({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'gen-ing', namespace: NS, annotations: { a: 'b' } } });
    expect(annotated.metadata?.generation).toBe(ing.metadata?.generation);
    const svc = await c.core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'gen-svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } });
    const moved = await c.core.patchNamespacedService(
      { namespace: NS, name: 'gen-svc', body: { spec: { ports: [{ port: 81 }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(moved.metadata?.generation).toBe(svc.metadata?.generation);
  });
});

describe('discovery and KubernetesObjectApi', () => {
  test('read/patch/delete work on a Deployment, a Lease and a VirtualService', async () => {
    const objs: k8s.KubernetesObject[] = [
      deployment('koa', NS),
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'koa-lock', namespace: NS }, spec: { holderIdentity: 'run-1', leaseDurationSeconds: 30 } } as k8s.KubernetesObject,
      virtualService('koa-vs'),
    ];
    for (const obj of objs) {
      await c.objects.create(obj);
      const read = await c.objects.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: NS } });
      expect(read.metadata?.name).toBe(obj.metadata?.name);
      const patched = await c.objects.patch(
        { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata!.name, namespace: NS, annotations: { 'canary-gate.io/state': '{"phase":"deploy"}' } } },
        undefined, undefined, 'canary-gate', undefined, k8s.PatchStrategy.MergePatch,
      );
      expect(patched.metadata?.annotations?.['canary-gate.io/state']).toBe('{"phase":"deploy"}');
      await c.objects.delete({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata!.name, namespace: NS } });
      const gone = await rejection(c.objects.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: NS } }));
      expect(gone.code).toBe(404);
    }
  });

  test('discovery lists kinds, scopes and subresources; unserved SMI versions are absent', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${c.sim.url}${path}`, { headers: { authorization: `Bearer ${c.sim.token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const apps = await get('/apis/apps/v1');
    const resources = apps.body.resources as { name: string; kind: string; namespaced: boolean }[];
    expect(resources.map((r) => r.name)).toEqual(['deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status']);
    expect(resources[0]).toMatchObject({ kind: 'Deployment', namespaced: true });
    const groups = (await get('/apis')).body.groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'networking.istio.io', 'gateway.networking.k8s.io', 'traefik.io', 'split.smi-spec.io', 'coordination.k8s.io']));
    expect((await get('/api/v1')).body.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'namespaces', namespaced: false })]));
    expect((await get('/version')).body.gitVersion).toMatch(/^v1\./);

    const narrow = await startWithClients({ servedSmiVersions: ['v1alpha2'] });
    try {
      const res = await fetch(`${narrow.sim.url}/apis/split.smi-spec.io/v1alpha4`, { headers: { authorization: `Bearer ${narrow.sim.token}` } });
      expect(res.status).toBe(404);
      const ts = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'x', namespace: NS } };
      await expect(narrow.objects.create(ts)).rejects.toThrow(/HTTP-Code: 404/);
    } finally {
      await narrow.close();
    }
  });
});

describe('auth, faults and the request log', () => {
  test('401 Status without the right bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
      const res = await fetch(`${c.sim.url}/apis/apps/v1/namespaces/${NS}/deployments`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  test('an injected 503 carries Retry-After and fires the given number of times', async () => {
    c.sim.faults.add({ method: 'GET', path: /\/leases\//, status: 503, retryAfterSeconds: 2, times: 2 });
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'faulty', namespace: NS } };
    await c.objects.create(lease); // POST: not matched
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${c.sim.url}/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/faulty`, { headers: { authorization: `Bearer ${c.sim.token}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ reason: 'ServiceUnavailable', details: { retryAfterSeconds: 2 } });
    }
    await expect(c.objects.read(lease)).resolves.toBeDefined();
  });

  test('a reset connection fails the request; the control endpoint adds faults too', async () => {
    const control = await fetch(`${c.sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/configmaps/reset-me', resetConnection: true }),
    });
    expect(control.status).toBe(200);
    await expect(c.core.readNamespacedConfigMap({ namespace: NS, name: 'reset-me' })).rejects.toThrow();
    const record = c.sim.requests.find((r) => r.path.includes('/configmaps/reset-me'));
    expect(record?.status).toBe(0);
  });

  test('delay-only faults slow a request and let it through; Infinity lasts until cleared', async () => {
    c.sim.faults.add({ path: '/configmaps/slow', delayMs: 80 });
    await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'slow' } } });
    const started = Date.now();
    await expect(c.core.readNamespacedConfigMap({ namespace: NS, name: 'slow' })).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);

    c.sim.faults.add({ method: 'PATCH', path: '/configmaps/slow', status: 429, retryAfterSeconds: 1, times: Infinity });
    for (let i = 0; i < 3; i++) {
      const res = await rejection(c.core.patchNamespacedConfigMap({ namespace: NS, name: 'slow', body: { data: { a: 'b' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)));
      expect(res.code).toBe(429);
      expect(res.status.reason).toBe('TooManyRequests');
    }
    const cleared = await fetch(`${c.sim.url}/_sim/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${c.sim.token}` } });
    expect(cleared.status).toBe(200);
    await expect(c.core.patchNamespacedConfigMap({ namespace: NS, name: 'slow', body: { data: { a: 'b' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))).resolves.toBeDefined();
  });

  test('the request log tells reads from writes', async () => {
    c.sim.clearRequests();
    await c.apps.listNamespacedDeployment({ namespace: NS });
    expect(c.sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'logged' }, data: { a: 'b' } } });
    const write = c.sim.requests.find((r) => r.method === 'POST');
    expect(write).toMatchObject({ path: `/api/v1/namespaces/${NS}/configmaps`, status: 201 });
    expect(write?.requestBytes).toBeGreaterThan(10);
    expect(write?.responseBytes).toBeGreaterThan(10);
  });

  test('setLatency delays every request', async () => {
    c.sim.setLatency(60);
    const started = Date.now();
    await c.apps.listNamespacedDeployment({ namespace: NS });
    c.sim.setLatency(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('error paths a real server also takes', () => {
  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const res = await fetch(`${c.sim.url}${path}`, { method, headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': contentType }, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as { kind: string; reason: string; message: string } };
  };

  test.each([
    ['GET', '/apis/apps/v1/namespaces/demo/foos', undefined, 404, 'NotFound'],
    ['GET', '/apis/apps/v1/deployments/web', undefined, 404, 'NotFound'], // namespaced kind without a namespace
    ['GET', '/apis/split.smi-spec.io/v9/trafficsplits', undefined, 404, 'NotFound'],
    ['PUT', '/api/v1/namespaces/demo/pods', '{}', 405, 'MethodNotAllowed'],
    ['POST', '/api/v1/namespaces/demo/configmaps', '{not json', 400, 'BadRequest'],
    ['POST', '/api/v1/namespaces/demo/configmaps', JSON.stringify({ metadata: { name: 'n1', namespace: 'elsewhere' } }), 400, 'BadRequest'],
    ['POST', '/api/v1/namespaces/demo/configmaps', JSON.stringify({ metadata: { name: 'n2', resourceVersion: '5' } }), 400, 'BadRequest'],
    ['POST', '/api/v1/namespaces/demo/configmaps', JSON.stringify({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'n3' } }), 400, 'BadRequest'],
    ['POST', '/api/v1/namespaces/demo/configmaps', JSON.stringify({ metadata: { name: 'n4' }, data: { a: 1 } }), 422, 'Invalid'],
    ['GET', '/api/v1/namespaces/demo/configmaps?watch=true', undefined, 405, 'MethodNotAllowed'],
    ['GET', '/api/v1/namespaces/demo/configmaps?labelSelector=a%20in%20b', undefined, 400, 'BadRequest'],
  ])('%s %s → %i', async (method, path, body, status, reason) => {
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ kind: 'Status', reason, code: status });
  });

  test('a body over 3 MiB is 413 and nothing is stored', async () => {
    const res = await call('POST', `/api/v1/namespaces/${NS}/configmaps`, JSON.stringify({ metadata: { name: 'huge' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(c.sim.store.get('v1', 'ConfigMap', NS, 'huge')).toBeUndefined();
  });

  test('DELETE honours preconditions', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'precond' } } });
    const stale = await call('DELETE', `/api/v1/namespaces/${NS}/configmaps/precond`, JSON.stringify({ preconditions: { resourceVersion: '1' } }));
    expect(stale.status).toBe(409);
    const ok = await call('DELETE', `/api/v1/namespaces/${NS}/configmaps/precond`, JSON.stringify({ preconditions: { resourceVersion: cm.metadata?.resourceVersion } }));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ kind: 'Status', status: 'Success' });
  });

  test('router objects of every kind validate against their schemas', async () => {
    const good: k8s.KubernetesObject[] = [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: NS }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }] }] } } as k8s.KubernetesObject,
      { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', metadata: { name: 't', namespace: NS }, spec: { weighted: { services: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }] } } } as k8s.KubernetesObject,
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: NS, annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' } }, spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-canary', port: { number: 80 } } } }] } }] } } as k8s.KubernetesObject,
    ];
    for (const obj of good) await expect(c.objects.create(obj)).resolves.toMatchObject({ kind: obj.kind });
    const negativeWeight = { ...good[0], metadata: { name: 'r2', namespace: NS }, spec: { rules: [{ backendRefs: [{ name: 'web', port: 80, weight: -1 }] }] } } as k8s.KubernetesObject;
    const res = await rejection(c.objects.create(negativeWeight));
    expect(res.code).toBe(422);
    expect(res.status.details?.causes?.[0]?.field).toBe('spec.rules[0].backendRefs[0].weight');
    const noBackend = { ...good[2], metadata: { name: 'i2', namespace: NS }, spec: { rules: [{ http: { paths: [{ path: '/', backend: {} }] } }] } } as k8s.KubernetesObject;
    expect((await rejection(c.objects.create(noBackend))).code).toBe(422);
  });
});

describe('dryRun=All', () => {
  test('validates and answers like a write, but stores nothing', async () => {
    const created = await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('dry', NS), dryRun: 'All' });
    expect(created.metadata?.uid).toBeDefined();
    expect(c.sim.store.get('apps/v1', 'Deployment', NS, 'dry')).toBeUndefined();
    const bad = deployment('dry', NS);
    bad.spec!.template.spec!.containers = [];
    expect((await rejection(c.apps.createNamespacedDeployment({ namespace: NS, body: bad, dryRun: 'All' }))).code).toBe(422);

    await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'dry-cm' }, data: { v: '1' } } });
    const patched = await c.core.patchNamespacedConfigMap(
      { namespace: NS, name: 'dry-cm', body: { data: { v: '2' } }, dryRun: 'All' },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ v: '2' });
    await c.core.deleteNamespacedConfigMap({ namespace: NS, name: 'dry-cm', dryRun: 'All' });
    expect(c.sim.store.get('v1', 'ConfigMap', NS, 'dry-cm')?.data).toEqual({ v: '1' });
  });
});
