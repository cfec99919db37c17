/**
 * Every router against the Kubernetes simulator through the real client (ClientNodeKubeApi +
 * loadKubeConfig): the simulator validates each write against the real CRD schemas and built-in
 * kinds, so a 422 here means a router writes an object the real API server would reject. The
 * resulting weights are judged by the simulator's own data plane (src/sim/traffic-routing.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientNodeKubeApi, loadKubeConfig } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { waitForDeploymentReady } from '../../src/sim/seed.ts';
import { ROUTER_KINDS, type RouterKind, type RouterOptions } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { routeRequest } from '../../src/sim/traffic-routing.ts';
import { TRACK_LABEL } from '../../src/traffic/router.ts';

let sim: KubeSimulator;
let kube: ClientNodeKubeApi;

beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 10 });
  kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }), { attempts: 2, requestTimeoutMs: 5_000, baseDelayMs: 10 });
});

afterAll(async () => {
  await sim?.close();
});

function deployment(ns: string, name: string, track: 'stable' | 'canary', replicas: number): KubeObject {
  const labels = { app: 'web', [TRACK_LABEL]: track };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: track === 'canary' ? labels : { app: 'web' } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: `web:${track}`, ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  };
}

function routingObjects(kind: RouterKind, ns: string): KubeObject[] {
  switch (kind) {
    case 'istio':
      return [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'web', namespace: ns },
          spec: {
            hosts: ['web'],
            http: [
              { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin' } }] },
              { name: 'primary', route: [{ destination: { host: 'web', port: { number: 80 } } }] },
            ],
          },
        },
      ];
    case 'gateway-api':
      return [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'web', namespace: ns },
          spec: {
            parentRefs: [{ name: 'public' }],
            rules: [{ name: 'main', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }],
          },
        },
      ];
    case 'nginx':
      return [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'web', namespace: ns },
          spec: {
            ingressClassName: 'nginx',
            rules: [
              {
                host: 'web.example.com',
                http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
              },
            ],
          },
        },
      ];
    case 'traefik':
      return [
        {
          apiVersion: 'traefik.io/v1alpha1',
          kind: 'TraefikService',
          metadata: { name: 'web', namespace: ns },
          spec: { weighted: { services: [{ name: 'web', port: 80 }] } },
        },
      ];
    default:
      return [];
  }
}

const OPTIONS: Record<RouterKind, RouterOptions> = {
  istio: { header: { name: 'x-canary', value: 'true' }, cookie: { name: 'canary' }, sticky: { cookie: 'cg', maxAgeSeconds: 600 } },
  'gateway-api': { header: { name: 'x-canary', value: 'true' }, cookie: { name: 'canary' }, sticky: { cookie: 'cg', maxAgeSeconds: 600 } },
  nginx: { header: { name: 'x-canary', value: 'true' }, cookie: { name: 'canary' } },
  traefik: { sticky: { cookie: 'cg', maxAgeSeconds: 600 } },
  smi: {},
  replicas: { stableReplicas: 3 },
};

async function seed(kind: RouterKind, suffix = ''): Promise<string> {
  const ns = `t-${kind}${suffix}`;
  sim.create(deployment(ns, 'web', 'stable', 3));
  sim.create(deployment(ns, 'web-canary', 'canary', kind === 'replicas' ? 0 : 1));
  sim.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  for (const o of routingObjects(kind, ns)) sim.create(o);
  await waitForDeploymentReady(sim, ns, 'web', 10_000);
  return ns;
}

describe.each(ROUTER_KINDS)('%s router against the simulator', (kind) => {
  it('verify → prepare → shift → reset → cleanup with schema-valid objects', async () => {
    const ns = await seed(kind);
    const lines: string[] = [];
    const target = { namespace: ns, stable: 'web', canary: 'web-canary' };
    const router = createRouter(kind, { kube, target, options: OPTIONS[kind], log: (l) => lines.push(l) });
    await router.verify();
    await router.prepare?.();
    if (kind !== 'replicas') {
      await waitForDeploymentReady(sim, ns, 'web-canary', 10_000);
      expect(routeRequest(sim.reader, kind, target, {}, OPTIONS[kind]).canaryPercent).toBe(0);
    }
    for (const w of [10, 50, 100]) {
      await router.setWeight(w);
      const got = await router.getWeight();
      if (kind === 'replicas') {
        await waitForDeploymentReady(sim, ns, 'web-canary', 10_000);
        expect(got).toBe(routeRequest(sim.reader, kind, target).canaryPercent);
      } else {
        expect(got).toBe(w);
        expect(routeRequest(sim.reader, kind, target, {}, OPTIONS[kind]).canaryPercent).toBeCloseTo(w, 6);
      }
    }
    await router.reset();
    await router.reset();
    expect(await router.getWeight()).toBe(0);
    await router.cleanup?.();
    await router.cleanup?.();
    expect(sim.store.get('v1', 'Service', ns, 'web-stable')).toBeUndefined();
  });
});

describe('the stable track label check on a real API server (issue 11 item 4)', () => {
  const SERVICE_BACKED: RouterKind[] = ['istio', 'gateway-api', 'nginx'];

  it.each(SERVICE_BACKED)('%s: the rollout state annotation written just before verify() is not taken for a pending rollout', async (kind) => {
    const ns = await seed(kind, '-gen');
    const target = { namespace: ns, stable: 'web', canary: 'web-canary' };
    sim.pauseController(); // the controller manager has not caught up yet, as on a busy cluster
    try {
      await kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' }, { metadata: { annotations: { 'canary-gate.io/state': '{"phase":"deploying"}' } } }, 'merge');
      const dep = sim.store.get('apps/v1', 'Deployment', ns, 'web') as KubeObject & { status: { observedGeneration: number } };
      expect(dep.metadata.generation).toBeGreaterThan(dep.status.observedGeneration); // what a real server does
      const router = createRouter(kind, { kube, target, options: OPTIONS[kind], log: () => undefined });
      await expect(router.verify()).resolves.toBeUndefined();
    } finally {
      sim.resumeController();
    }
  });

  it('a label just added to the template is refused until the pods carry it', async () => {
    const ns = 't-label-pending';
    const unlabelled = deployment(ns, 'web', 'stable', 2) as KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } };
    delete unlabelled.spec.template.metadata.labels[TRACK_LABEL];
    sim.create(unlabelled);
    sim.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    for (const o of routingObjects('istio', ns)) sim.create(o);
    await waitForDeploymentReady(sim, ns, 'web', 10_000);
    sim.pauseController();
    const router = createRouter('istio', { kube, target: { namespace: ns, stable: 'web', canary: 'web-canary' }, options: {}, log: () => undefined });
    try {
      await kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' }, { spec: { template: { metadata: { labels: { [TRACK_LABEL]: 'stable' } } } } }, 'strategic');
      await expect(router.verify()).rejects.toThrow(/has not finished rolling out the canary-gate.io\/track: stable label \(2 running pod\(s\) without it\)/);
    } finally {
      sim.resumeController();
    }
    await waitForDeploymentReady(sim, ns, 'web', 10_000);
    await expect(router.verify()).resolves.toBeUndefined();
  });
});

describe('SMI version detection', () => {
  it('writes v1alpha1 quantities when only v1alpha1 is served', async () => {
    const old = await startKubeSimulator({ readyDelayMs: 10, servedSmiVersions: ['v1alpha1'] });
    try {
      const k = new ClientNodeKubeApi(loadKubeConfig({ content: old.kubeconfig() }), { attempts: 2, baseDelayMs: 10 });
      const ns = 'smi-old';
      old.create(deployment(ns, 'web', 'stable', 2));
      old.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
      await waitForDeploymentReady(old, ns, 'web', 10_000);
      const router = createRouter('smi', { kube: k, target: { namespace: ns, stable: 'web', canary: 'web-canary' }, options: {}, log: () => {} });
      await router.verify();
      await router.prepare?.();
      await router.setWeight(25);
      const ts = old.store.get('split.smi-spec.io/v1alpha1', 'TrafficSplit', ns, 'web') as KubeObject & { spec: { backends: { weight: unknown }[] } };
      expect(ts.spec.backends.map((b) => b.weight)).toEqual(['750m', '250m']);
      expect(await router.getWeight()).toBe(25);
    } finally {
      await old.close();
    }
  });
});
