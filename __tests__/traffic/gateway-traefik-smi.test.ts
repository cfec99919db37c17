import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../src/kube/types.ts';
import type { RouterKind, RouterOptions } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { parseQuantity, splitCanaryPercent } from '../../src/traffic/smi.ts';
import { FakeKube, TARGET, canaryDeployment, quietLog, stableDeployment, userService } from './fake-kube.ts';
import { SERVED, httpRoute, traefikService } from './fixtures.ts';

function setup(kind: RouterKind, options: RouterOptions = {}, extra: KubeObject[] = [], served = SERVED[kind]) {
  const kube = new FakeKube([stableDeployment(), canaryDeployment({ replicas: 1 }), userService(), ...extra], served);
  const router = createRouter(kind, { kube, target: TARGET, options, log: quietLog().log });
  return { kube, router };
}

type Rule = { name?: string; matches?: { path?: unknown; headers?: unknown[] }[]; backendRefs: { name: string; port?: number; weight?: number; filters?: unknown[] }[] };
type Route = KubeObject & { spec: { rules: Rule[]; parentRefs: unknown } };
const route = (kube: FakeKube) => kube.peek<Route>('gateway.networking.k8s.io/v1', 'HTTPRoute', 'prod', 'web') as Route;

describe('gateway-api router', () => {
  it('weights the rule to the service between the per-version Services and leaves other rules alone', async () => {
    const { kube, router } = setup('gateway-api', {}, [httpRoute()]);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(15);
    const rules = route(kube).spec.rules;
    expect(rules[0]).toEqual({ matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'admin', port: 80 }] });
    expect(rules[1]?.backendRefs).toEqual([
      { name: 'web-stable', port: 80, weight: 85 },
      { name: 'web-canary', port: 80, weight: 15 },
    ]);
    expect(kube.peek<KubeObject & { spec: { selector: unknown } }>('v1', 'Service', 'prod', 'web-canary')?.spec.selector).toEqual({
      app: 'web',
      'canary-gate.io/track': 'canary',
    });
  });

  it('header and sticky rules: more specific matches to the canary; reset removes them', async () => {
    const { kube, router } = setup('gateway-api', { header: { name: 'x-canary', value: 'true' }, sticky: { cookie: 'cg', maxAgeSeconds: 60 } }, [httpRoute()]);
    await router.setWeight(10);
    const rules = route(kube).spec.rules;
    expect(rules.map((r) => r.name)).toEqual([undefined, 'main', 'canary-gate-header-main', 'canary-gate-sticky-main']);
    expect(rules[2]?.matches).toEqual([
      { path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-canary', value: 'true' }] },
    ]);
    expect(rules[2]?.backendRefs).toEqual([{ name: 'web-canary', port: 80, weight: 1 }]);
    expect(rules[1]?.backendRefs[1]?.filters).toEqual([
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'cg=canary; Max-Age=60; Path=/' }] } },
    ]);
    await router.reset();
    expect(route(kube).spec.rules.map((r) => r.name)).toEqual([undefined, 'main']);
    expect(await router.getWeight()).toBe(0);
  });

  it('verify: missing route, rule without the service, missing port', async () => {
    await expect(setup('gateway-api').router.verify()).rejects.toThrow(/HTTPRoute prod\/web not found/);
    const other = httpRoute();
    (other.spec as { rules: Rule[] }).rules = [{ backendRefs: [{ name: 'admin', port: 80 }] }];
    await expect(setup('gateway-api', {}, [other]).router.verify()).rejects.toThrow(/no rule whose backendRefs are all Service web/);
    const noPort = httpRoute();
    delete (noPort.spec as { rules: Rule[] }).rules[1]!.backendRefs[0]!.port;
    await expect(setup('gateway-api', {}, [noPort]).router.verify()).rejects.toThrow(/needs a port/);
    await expect(setup('gateway-api', {}, [httpRoute()], []).router.verify()).rejects.toThrow(/serves no HTTPRoute/);
  });

  it('keeps backendRef filters of the user, adds the cookie filter to the canary only, and restores exactly', async () => {
    const hr = httpRoute();
    const userFilter = { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-env', value: 'prod' }] } };
    (hr.spec as { rules: Rule[] }).rules[1]!.backendRefs = [{ name: 'web', port: 80, weight: 7, filters: [userFilter] }];
    const { kube, router } = setup('gateway-api', { sticky: { cookie: 'cg', maxAgeSeconds: 60 } }, [hr]);
    const before = route(kube).spec;
    await router.prepare?.();
    await router.setWeight(30);
    await router.setWeight(60);
    const refs = route(kube).spec.rules[1]!.backendRefs;
    expect(refs[0]?.filters).toEqual([userFilter]);
    expect(refs[1]?.filters).toHaveLength(2);
    expect(refs[1]?.filters?.[0]).toEqual(userFilter);
    await router.reset();
    await router.cleanup?.();
    expect(route(kube).spec).toEqual(before);
  });

  it('cleanup restores the single user backend', async () => {
    const { kube, router } = setup('gateway-api', {}, [httpRoute()]);
    await router.prepare?.();
    await router.setWeight(40);
    await router.cleanup?.();
    expect(route(kube).spec.rules[1]?.backendRefs).toEqual([{ name: 'web', port: 80 }]);
  });
});

type TS = KubeObject & { spec: { weighted: { services: { name: string; port: number; weight?: number }[]; sticky?: unknown } } };
const tsOf = (kube: FakeKube) => kube.peek<TS>('traefik.io/v1alpha1', 'TraefikService', 'prod', 'web') as TS;

describe('traefik router', () => {
  it('weights weighted.services and sets the sticky cookie', async () => {
    const { kube, router } = setup('traefik', { sticky: { cookie: 'cg', maxAgeSeconds: 300 } }, [traefikService()]);
    await router.verify();
    await router.prepare?.();
    await router.setWeight(20);
    expect(tsOf(kube).spec.weighted).toEqual({
      services: [
        { name: 'web-stable', port: 80, weight: 80 },
        { name: 'web-canary', port: 80, weight: 20 },
      ],
      sticky: { cookie: { name: 'cg', maxAge: 300, httpOnly: true, path: '/' } },
    });
    expect(router.notes?.().join(' ')).toMatch(/lags the weight/);
  });

  it('reset removes the canary entry (a sticky cookie would otherwise still reach it)', async () => {
    const { kube, router } = setup('traefik', { sticky: { cookie: 'cg', maxAgeSeconds: 300 } }, [traefikService()]);
    await router.setWeight(60);
    await router.reset();
    expect(tsOf(kube).spec.weighted.services).toEqual([{ name: 'web-stable', port: 80, weight: 100 }]);
    await router.cleanup?.();
    expect(tsOf(kube).spec.weighted).toEqual({ services: [{ name: 'web', port: 80 }] });
  });

  it('verify refuses a TraefikService with other services in it', async () => {
    const mixed = traefikService();
    (mixed.spec as TS['spec']).weighted.services.push({ name: 'legacy', port: 80 });
    await expect(setup('traefik', {}, [mixed]).router.verify()).rejects.toThrow(/weighted.services has legacy/);
    await expect(setup('traefik').router.verify()).rejects.toThrow(/TraefikService prod\/web not found; create it/);
  });
});

describe('smi router', () => {
  it('creates its TrafficSplit with integer weights on v1alpha4 and deletes it on cleanup', async () => {
    const { kube, router } = setup('smi');
    await router.verify();
    await router.setWeight(30);
    const ts = kube.peek<KubeObject & { spec: unknown; metadata: { labels?: Record<string, string> } }>('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'prod', 'web');
    expect(ts?.spec).toEqual({
      service: 'web',
      backends: [
        { service: 'web-stable', weight: 70 },
        { service: 'web-canary', weight: 30 },
      ],
    });
    await router.cleanup?.();
    expect(kube.peek('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'prod', 'web')).toBeUndefined();
  });

  it('uses quantities on v1alpha1', async () => {
    const { kube, router } = setup('smi', {}, [], ['split.smi-spec.io/v1alpha1|TrafficSplit']);
    await router.setWeight(5);
    const ts = kube.peek<KubeObject & { spec: { backends: { weight: unknown }[] } }>('split.smi-spec.io/v1alpha1', 'TrafficSplit', 'prod', 'web');
    expect(ts?.spec.backends.map((b) => b.weight)).toEqual(['950m', '50m']);
    expect(await router.getWeight()).toBe(5);
  });

  it('refuses a TrafficSplit of the same name that is not about our Services', async () => {
    const foreign: KubeObject = {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { service: 'web', backends: [{ service: 'web-v1', weight: 100 }] },
    };
    await expect(setup('smi', {}, [foreign]).router.verify()).rejects.toThrow(/exists but was not made by canary-gate/);
  });

  it('parses quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1Ki')).toBe(1024);
    expect(parseQuantity('2e2')).toBe(200);
    expect(parseQuantity('abc')).toBeNaN();
    expect(
      splitCanaryPercent(
        { apiVersion: 'x', kind: 'TrafficSplit', metadata: {}, spec: { service: 'web', backends: [{ service: 'a', weight: '1' }, { service: 'c', weight: '250m' }] } },
        'c',
      ),
    ).toBe(20);
  });
});
