/**
 * The TrafficRouter guarantees, checked for every router against the in-memory API: verify before
 * the first shift, integer weights that round-trip through getWeight, reset safe at any time and
 * twice, cleanup idempotent, conflicts retried (bounded), and the observed data-plane weight (what
 * the simulator's traffic generator uses) matching what the router set.
 */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../src/kube/errors.ts';
import { ROUTER_KINDS, type RouterKind } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { currentWeightFromCluster } from '../../src/traffic/observe.ts';
import { TARGET, quietLog } from './fake-kube.ts';
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
    expect(currentWeightFromCluster(kube.reader(), kind, TARGET, {}).canaryPercent).toBe(0);
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
    const observed = currentWeightFromCluster(kube.reader(), kind, TARGET, options);
    expect(observed.canaryPercent).toBeCloseTo(w, 6);
  });

  it('before prepare the user Service spreads traffic by pod count (the leak prepare() removes)', () => {
    const { kube } = setup(kind);
    // stable 4 ready pods, canary 2 ready pods, both selected by Service web.
    expect(currentWeightFromCluster(kube.reader(), kind, TARGET, {}).canaryPercent).toBeCloseTo(100 * (2 / 6), 6);
  });

  it('prepare() routes 100 % to stable-only backends even while canary pods run', async () => {
    const { kube, router } = setup(kind);
    await router.verify();
    await router.prepare?.();
    expect(currentWeightFromCluster(kube.reader(), kind, TARGET, {}).canaryPercent).toBe(0);
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
    expect(currentWeightFromCluster(kube.reader(), 'replicas', TARGET).canaryPercent).toBeCloseTo(effective, 0);
  });
});
