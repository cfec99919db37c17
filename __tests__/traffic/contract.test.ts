/**
 * The TrafficRouter guarantees, checked for every router against the in-memory API: verify before
 * the first shift, integer weights that round-trip through getWeight, reset safe at any time and
 * twice, cleanup idempotent, conflicts retried (bounded), and the observed data-plane weight (what
 * the simulator's traffic generator uses) matching what the router set.
 */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { ORIGINAL_ANNOTATION, isManaged } from '../../src/traffic/common.ts';
import { ROUTER_KINDS, type RouterKind } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { routeRequest } from '../../src/sim/traffic-routing.ts';
import type { TrafficRouter } from '../../src/traffic/router.ts';
import { FakeKube, TARGET, quietLog, stableDeployment, userService } from './fake-kube.ts';
import { clusterFor } from './fixtures.ts';

function setup(kind: RouterKind) {
  const { kube, options } = clusterFor(kind);
  const { lines, log } = quietLog();
  const router = createRouter(kind, { kube, target: TARGET, options, log });
  return { kube, router, options, lines };
}

/** Weights every router must hit exactly (replicas approximates: checked separately). */
const EXACT = ROUTER_KINDS.filter((k) => k !== 'replicas');

describe.each(ROUTER_KINDS)('%s router contract', (kind) => {
  it('verifies, prepares, and reports 0 before any shift', async () => {
    const { router } = setup(kind);
    await router.verify();
    await router.prepare?.();
    await router.verify(); // still valid once its own objects exist
    expect(await router.getWeight()).toBe(0);
  });

  it('rejects weights that are not integers in 0..100, without writing anything', async () => {
    const { kube, router } = setup(kind);
    for (const bad of [-1, 101, 12.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(router.setWeight(bad)).rejects.toMatchObject({ reason: 'router-error' });
    }
    expect(kube.writes()).toEqual([]);
  });

  it('reset is safe before anything was set, and twice', async () => {
    const { router } = setup(kind);
    await router.reset();
    await router.reset();
    expect(await router.getWeight()).toBe(0);
  });

  it('reset after a shift brings the canary to 0, and again is harmless', async () => {
    const { kube, router } = setup(kind);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(40);
    expect(await router.getWeight()).toBeGreaterThan(0);
    await router.reset();
    expect(await router.getWeight()).toBe(0);
    kube.settleDeployments();
    expect(routeRequest(kube.reader(), kind, TARGET, {}, {}).canaryPercent).toBe(0);
    const writes = kube.writes().length;
    await router.reset();
    expect(await router.getWeight()).toBe(0);
    // A second reset rewrites nothing that is already at rest.
    expect(kube.writes().length - writes).toBeLessThanOrEqual(1);
  });

  it('cleanup after reset is idempotent and leaves no router-owned Service behind', async () => {
    const { kube, router } = setup(kind);
    await router.prepare?.();
    await router.setWeight(20);
    await router.reset();
    await router.cleanup?.();
    await router.cleanup?.();
    expect(kube.peek('v1', 'Service', 'prod', 'web-stable')).toBeUndefined();
    expect(kube.peek('v1', 'Service', 'prod', 'web-canary')).toBeUndefined();
    expect(kube.peek('v1', 'Service', 'prod', 'web')).toBeDefined();
  });
});

describe.each(EXACT)('%s router weights', (kind) => {
  it.each([0, 1, 5, 33, 50, 99, 100])('setWeight(%i) round-trips and the data plane agrees', async (w) => {
    const { kube, router, options } = setup(kind);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(w);
    expect(await router.getWeight()).toBe(w);
    kube.settleDeployments();
    const observed = routeRequest(kube.reader(), kind, TARGET, {}, options);
    expect(observed.canaryPercent).toBeCloseTo(w, 6);
  });

  it('before prepare the user Service spreads traffic by pod count (the leak prepare() removes)', () => {
    const { kube } = setup(kind);
    // stable 4 ready pods, canary 2 ready pods, both selected by Service web.
    expect(routeRequest(kube.reader(), kind, TARGET, {}, {}).canaryPercent).toBeCloseTo(100 * (2 / 6), 6);
  });

  it('prepare() routes 100 % to stable-only backends even while canary pods run', async () => {
    const { kube, router } = setup(kind);
    await router.verify();
    await router.prepare?.();
    expect(routeRequest(kube.reader(), kind, TARGET, {}, {}).canaryPercent).toBe(0);
  });
});

describe.each(EXACT)('%s router with a concurrent creator', (kind) => {
  it('tolerates a concurrent creator of its own objects (409 AlreadyExists on create)', async () => {
    const { kube, router } = setup(kind);
    const raced = new Set<string>();
    kube.beforeCreate = (obj) => {
      const key = `${obj.kind}/${obj.metadata.name}`;
      if (raced.has(key)) return;
      raced.add(key);
      kube.put(obj); // someone else created the very same object first
    };
    await router.prepare?.();
    await router.setWeight(10);
    expect(raced.size).toBeGreaterThan(0);
    expect(await router.getWeight()).toBe(10);
  });

});

const RMW = ['istio', 'gateway-api', 'traefik', 'smi'] as const;

describe.each(RMW)('%s router under concurrent writers', (kind) => {
  it('retries a 409 conflict on a fresh read and succeeds', async () => {
    const { kube, router } = setup(kind);
    await router.prepare?.();
    kube.conflictsToInject = 2;
    await router.setWeight(25);
    expect(await router.getWeight()).toBe(25);
    expect(kube.calls.filter((c) => c.verb === 'replace').length).toBeGreaterThanOrEqual(3);
  });

  it('gives up after the bounded number of attempts with the conflict error', async () => {
    const { kube, router } = setup(kind);
    await router.prepare?.();
    kube.conflictsToInject = 100;
    const err = await router.setWeight(25).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(409);
    expect(kube.conflictsToInject).toBe(100 - 4);
  });
});

describe('replicas router weights are approximate', () => {
  it.each([
    [10, 1, 20],
    [25, 1, 20],
    [50, 4, 50],
    [100, 4, 50],
  ])('weight %i with 4 stable pods → %i canary pods (%i %% effective)', async (w, canaryPods, effective) => {
    const { kube, router } = setup('replicas');
    await router.verify();
    await router.setWeight(w);
    const stable = kube.peek<{ spec: { replicas: number } } & import('../../src/kube/types.ts').KubeObject>('apps/v1', 'Deployment', 'prod', 'web');
    const canary = kube.peek<{ spec: { replicas: number } } & import('../../src/kube/types.ts').KubeObject>('apps/v1', 'Deployment', 'prod', 'web-canary');
    expect(stable?.spec.replicas).toBe(4);
    expect(canary?.spec.replicas).toBe(canaryPods);
    expect(await router.getWeight()).toBe(effective);
    expect(router.notes?.().join(' ')).toContain(`${effective} % effective`);
    kube.settleDeployments();
    expect(routeRequest(kube.reader(), 'replicas', TARGET).canaryPercent).toBeCloseTo(effective, 0);
  });
});

/**
 * Touch nothing you did not record (issue 11 item 5): reset() and cleanup() change only what carries
 * canary-gate's marks — its managed-by label, its own route/rule names, or the original recorded in
 * canary-gate.io/original. A rollback at any phase leaves the user's objects byte-identical when
 * nothing was changed, and as they were when something was.
 */
describe.each(ROUTER_KINDS)('%s router touches nothing it did not record', (kind) => {
  /** Every object the user made (the canary Deployment is canary-gate's own), as stored, byte for byte. */
  function userObjects(kube: FakeKube): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, obj] of kube.objects) {
      if (isManaged(obj) || obj.metadata.name === 'web-canary') continue;
      out.set(key, JSON.stringify(obj));
    }
    return out;
  }
  /** The same without what the server owns (resourceVersion, generation): what the user wrote. */
  const content = (json: string): unknown => {
    const o = JSON.parse(json) as KubeObject;
    delete o.metadata.resourceVersion;
    delete o.metadata.generation;
    return o;
  };
  async function rollBack(router: TrafficRouter, kube: FakeKube): Promise<void> {
    kube.forbid = undefined;
    await router.reset();
    await router.cleanup?.();
  }
  function expectNoMarksLeft(kube: FakeKube): void {
    for (const obj of kube.objects.values()) {
      if (obj.metadata.name === 'web-canary' && obj.kind === 'Deployment') continue;
      expect({ name: obj.metadata.name, managed: isManaged(obj) }).toEqual({ name: obj.metadata.name, managed: false });
      expect(obj.metadata.annotations?.[ORIGINAL_ANNOTATION]).toBeUndefined();
    }
  }

  it('a rollback before prepare() writes nothing', async () => {
    const { kube, router } = setup(kind);
    const before = userObjects(kube);
    await rollBack(router, kube);
    expect(kube.writes()).toEqual([]);
    expect(userObjects(kube)).toEqual(before);
  });

  it('a rollback after a refused verify() writes nothing', async () => {
    const { kube, router } = setup(kind);
    if (kind === 'replicas') {
      kube.put({ ...userService(), spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } });
    } else {
      kube.put(stableDeployment({ labelled: false }));
    }
    const before = userObjects(kube);
    await expect(router.verify()).rejects.toMatchObject({ reason: 'router-error' });
    await rollBack(router, kube);
    expect(kube.writes()).toEqual([]);
    expect(userObjects(kube)).toEqual(before);
  });

  it('a rollback mid-step puts every user object back as it was and leaves no mark', async () => {
    const { kube, router } = setup(kind);
    const before = userObjects(kube);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(30);
    await rollBack(router, kube);
    const after = userObjects(kube);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [key, json] of before) expect(content(after.get(key) ?? '{}')).toEqual(content(json));
    expectNoMarksLeft(kube);
  });

  it('a rollback after a 403 on the first write changes no user object', async () => {
    const { kube, router } = setup(kind);
    const before = userObjects(kube);
    kube.forbid = () => true; // the credentials may read but not write
    await router.verify();
    const failed = await (async () => {
      await router.prepare?.();
      await router.setWeight(10);
    })().catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 403 });
    await rollBack(router, kube);
    expect(userObjects(kube)).toEqual(before);
    expectNoMarksLeft(kube);
  });

  it('a rollback after a 403 on the user routing object leaves it byte-identical', async () => {
    const { kube, router } = setup(kind);
    const before = userObjects(kube);
    // Writes to canary-gate's own objects pass; the first write to one the user made is refused.
    kube.forbid = (call) => [...before.keys()].some((k) => k.endsWith(`|${call.kind}|prod|${call.name ?? ''}`));
    await router.verify();
    await (async () => {
      await router.prepare?.();
      await router.setWeight(10);
    })().catch((e: unknown) => e);
    await rollBack(router, kube);
    expect(userObjects(kube)).toEqual(before);
    expectNoMarksLeft(kube);
  });
});

describe('rollback of an Istio route the user pinned to a subset (issue 11 item 5)', () => {
  it('leaves [{destination: {host: web, subset: stable}, weight: 100}] exactly as written when never prepared', async () => {
    const { kube, router } = setup('istio');
    const vs = kube.peek<KubeObject & { spec: { http: { name: string; route: unknown[] }[] } }>('networking.istio.io/v1', 'VirtualService', 'prod', 'web');
    if (!vs) throw new Error('fixture');
    vs.spec.http[1] = { name: 'main', route: [{ destination: { host: 'web', subset: 'stable' }, weight: 100 }] };
    kube.put(vs);
    const before = JSON.stringify(kube.peek('networking.istio.io/v1', 'VirtualService', 'prod', 'web'));
    await router.reset();
    await router.cleanup?.();
    expect(JSON.stringify(kube.peek('networking.istio.io/v1', 'VirtualService', 'prod', 'web'))).toBe(before);
  });

  it('and puts it back exactly after a rollout that weighted it', async () => {
    const { kube, router } = setup('istio');
    const vs = kube.peek<KubeObject & { spec: { http: { name: string; route: unknown[] }[] } }>('networking.istio.io/v1', 'VirtualService', 'prod', 'web');
    if (!vs) throw new Error('fixture');
    const pinned = [{ destination: { host: 'web', subset: 'stable' }, weight: 100 }];
    vs.spec.http[1] = { name: 'main', route: pinned };
    kube.put(vs);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(20);
    await router.reset();
    await router.cleanup?.();
    const after = kube.peek<KubeObject & { spec: { http: { route: unknown[] }[] } }>('networking.istio.io/v1', 'VirtualService', 'prod', 'web');
    expect(after?.spec.http[1]?.route).toEqual(pinned);
    expect(after?.metadata.annotations?.[ORIGINAL_ANNOTATION]).toBeUndefined();
  });
});

/** The user's own objects that look like what a router writes, but carry none of canary-gate's marks. */
const LOOK_ALIKES: Record<RouterKind, KubeObject[]> = {
  istio: [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { hosts: ['web'], http: [{ name: 'main', route: [{ destination: { host: 'web', subset: 'stable' }, weight: 90 }, { destination: { host: 'web', subset: 'canary' }, weight: 10 }] }] },
    },
  ],
  'gateway-api': [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'web-stable', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }] }] },
    },
  ],
  nginx: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-stable', port: { number: 80 } } } }] } }] },
    },
  ],
  traefik: [
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { weighted: { services: [{ name: 'web-stable', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }] } },
    },
  ],
  smi: [
    {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { service: 'web', backends: [{ service: 'web-stable', weight: 90 }, { service: 'web-canary', weight: 10 }] },
    },
  ],
  // The user (or an HPA) scaled the stable below the count the rollout started with.
  replicas: [stableDeployment({ replicas: 2 })],
};

describe.each(ROUTER_KINDS)('%s router and a user object that only looks like its own', (kind) => {
  it('reset() and cleanup() leave it byte-identical', async () => {
    const { kube, router } = setup(kind);
    for (const o of LOOK_ALIKES[kind]) kube.put(o);
    const ref = LOOK_ALIKES[kind][0] as KubeObject;
    const before = JSON.stringify(kube.peek(ref.apiVersion, ref.kind, 'prod', ref.metadata.name ?? ''));
    await router.reset();
    await router.cleanup?.();
    expect(JSON.stringify(kube.peek(ref.apiVersion, ref.kind, 'prod', ref.metadata.name ?? ''))).toBe(before);
  });
});
