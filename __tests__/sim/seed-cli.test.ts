import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { currentCanaryWeight, parseSeed, seedSampleApp, waitForDeploymentReady } from '../../src/sim/seed.ts';

describe('seedSampleApp', () => {
  let sim: KubeSimulator;
  beforeAll(async () => {
    sim = await startKubeSimulator({ readyDelayMs: 40 });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('istio: stable deployment ready, service, virtual service at 100 % stable, subsets by track label', async () => {
    const app = await seedSampleApp(sim, { namespace: 'shop', name: 'web', image: 'ghcr.io/acme/web:1.0', replicas: 3, router: 'istio' });
    const d = sim.store.get('apps/v1', 'Deployment', 'shop', 'web');
    expect(d?.status).toMatchObject({ readyReplicas: 3, updatedReplicas: 3 });
    expect(d?.metadata.labels).toEqual({ app: 'web' }); // no canary-gate track label on stable
    expect(app.service.spec).toMatchObject({ selector: { app: 'web' }, type: 'ClusterIP' });
    expect(app.destinationRule?.spec).toMatchObject({
      host: 'web',
      subsets: [
        { name: 'stable', labels: { 'canary-gate.io/track': 'stable' } },
        { name: 'canary', labels: { 'canary-gate.io/track': 'canary' } },
      ],
    });
    expect(currentCanaryWeight(sim, 'shop', 'web')).toBe(0);

    // The data plane needs pods behind the subsets: stable pods labelled, canary pods running.
    const type = sim.api.types.byKind('apps/v1', 'Deployment')!;
    sim.api.patch({ type, version: 'v1', namespace: 'shop' }, 'web', 'application/strategic-merge-patch+json', JSON.stringify({ spec: { template: { metadata: { labels: { 'canary-gate.io/track': 'stable' } } } } }), {});
    const canary = structuredClone(sim.store.get('apps/v1', 'Deployment', 'shop', 'web')) as { metadata: Record<string, unknown>; spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } }; status?: unknown };
    canary.metadata = { name: 'web-canary', namespace: 'shop' };
    canary.spec.replicas = 1;
    canary.spec.selector.matchLabels['canary-gate.io/track'] = 'canary';
    canary.spec.template.metadata.labels['canary-gate.io/track'] = 'canary';
    delete canary.status;
    sim.create(canary as never);
    await waitForDeploymentReady(sim, 'shop', 'web', 10_000);
    await waitForDeploymentReady(sim, 'shop', 'web-canary', 10_000);

    // shift 25 % to the canary as a router would, through the API
    const vs = sim.store.get('networking.istio.io/v1', 'VirtualService', 'shop', 'web');
    const spec = vs?.spec as { http: { route: unknown[] }[] };
    spec.http[0]!.route = [
      { destination: { host: 'web', subset: 'stable' }, weight: 75 },
      { destination: { host: 'web', subset: 'canary' }, weight: 25 },
    ];
    const res = await fetch(`${sim.url}/apis/networking.istio.io/v1/namespaces/shop/virtualservices/web`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(vs),
    });
    expect(res.status).toBe(200);
    expect(currentCanaryWeight(sim, 'shop', 'web')).toBe(25);
  });

  test('router none: no routing objects, weight reads as 0; labels are added', async () => {
    const app = await seedSampleApp(sim, { namespace: 'plain', name: 'api', image: 'ghcr.io/acme/api:1.0', replicas: 1, router: 'none', labels: { team: 'core' } });
    expect(app.virtualService).toBeUndefined();
    expect(sim.store.list('networking.istio.io/v1', 'VirtualService', 'plain')).toEqual([]);
    expect(app.deployment.metadata.labels).toEqual({ app: 'api', team: 'core' });
    expect(currentCanaryWeight(sim, 'plain', 'api')).toBe(0);
  });
});

describe('cli', () => {
  test('parseSeed reads key=value pairs and rejects bad ones', () => {
    expect(parseSeed('name=web,namespace=demo,router=istio')).toEqual({ name: 'web', namespace: 'demo', router: 'istio', replicas: 3, image: 'ghcr.io/acme/web:1.0.0' });
    expect(() => parseSeed('namespace=demo')).toThrow(/name is required/);
    expect(() => parseSeed('name=web,router=linkerd')).toThrow(/router must be istio or none/);
  });

  test('starts, prints one JSON line, serves the seeded app, exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-sim-cli-'));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    const child = spawn(
      join(process.cwd(), 'node_modules', '.bin', 'node'),
      ['src/sim/cli.ts', '--kubeconfig', kubeconfig, '--ready-delay-ms', '30', '--seed', 'name=web,namespace=demo,router=istio,replicas=2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
        });
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        child.on('exit', (code) => reject(new Error(`cli exited early with ${String(code)}: ${err}`)));
      });
      const info = JSON.parse(line) as { url: string; kubeconfig: string };
      expect(info.kubeconfig).toBe(kubeconfig);
      expect(await readFile(kubeconfig, 'utf8')).toContain(info.url);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      const d = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: 'demo', name: 'web' });
      expect(d.status?.readyReplicas).toBe(2);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
