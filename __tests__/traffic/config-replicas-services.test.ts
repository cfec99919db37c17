import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { KubeObject } from '../../src/kube/types.ts';
import { parseRouterConfig, resolveNames } from '../../src/traffic/config.ts';
import { createRouter, needsStableTrackLabel } from '../../src/traffic/factory.ts';
import { planReplicas } from '../../src/traffic/replicas.ts';
import { InputError } from '../../src/util/errors.ts';
import { FakeKube, TARGET, canaryDeployment, quietLog, stableDeployment, userService } from './fake-kube.ts';
import { httpRoute } from './fixtures.ts';

describe('routing config', () => {
  it('parses kebab-case YAML keys into router options', () => {
    expect(
      parseRouterConfig({
        router: 'istio',
        service: 'web',
        'virtual-service': 'web-vs',
        route: 'primary',
        header: { name: 'x-canary', value: 'true' },
        cookie: 'canary',
        sticky: { 'max-age': 120 },
      }),
    ).toEqual({
      kind: 'istio',
      options: {
        service: 'web',
        virtualService: 'web-vs',
        routes: ['primary'],
        header: { name: 'x-canary', value: 'true' },
        cookie: { name: 'canary' },
        sticky: { cookie: 'canary-gate-session', maxAgeSeconds: 120 },
      },
    });
  });

  it.each([
    [{}, 'routing.router', /expected one of istio, replicas/],
    [{ router: 'linkerd' }, 'routing.router', /expected one of/],
    [{ router: 'istio', 'virtual-service': 'Web_VS' }, 'routing.virtual-service', /DNS label/],
    [{ router: 'istio', header: { name: 'X Canary', value: '1' } }, 'routing.header.name', /lowercase/],
    [{ router: 'istio', header: 'x-canary' }, 'routing.header', /name: x-canary/],
    [{ router: 'replicas', header: { name: 'x-canary', value: '1' } }, 'routing.header', /cannot route by request/],
    [{ router: 'smi', sticky: {} }, 'routing.sticky', /SMI TrafficSplit has only weights/],
    [{ router: 'traefik', cookie: 'c' }, 'routing.cookie', /TraefikService cannot match requests/],
    [{ router: 'nginx', sticky: {} }, 'routing.sticky', /affinity: cookie/],
    [{ router: 'istio', 'max-canary-replicas': 3 }, 'routing.max-canary-replicas', /only the replicas router/],
    [{ router: 'istio', sticky: { 'max-age': -5 } }, 'routing.sticky.max-age', /positive/],
    [{ router: 'istio', typo: 1 }, 'routing', /./],
  ])('%j is refused naming %s', (raw, field, message) => {
    let err: unknown;
    try {
      parseRouterConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message).toMatch(message);
  });

  it('derives every object name from the stable Deployment unless configured', () => {
    expect(resolveNames('web', {})).toMatchObject({ service: 'web', stableService: 'web-stable', canaryService: 'web-canary', canaryIngress: 'web-canary' });
    expect(resolveNames('web', { service: 'front', ingress: 'edge' })).toMatchObject({ stableService: 'front-stable', ingress: 'edge', canaryIngress: 'edge-canary', httpRoute: 'front' });
  });

  it('only the replicas router works without the stable track label', () => {
    expect(needsStableTrackLabel('replicas')).toBe(false);
    expect(needsStableTrackLabel('istio')).toBe(true);
  });
});

describe('planReplicas', () => {
  it('never scales the stable below its start, keeps within limits, and is as close as the limits allow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 12 }), (w, start, extra, maxCanary) => {
        const plan = planReplicas(w, { stableStart: start, maxStable: start + extra, maxCanary });
        expect(plan.stable).toBeGreaterThanOrEqual(start);
        expect(plan.stable).toBeLessThanOrEqual(start + extra);
        expect(plan.canary).toBeLessThanOrEqual(maxCanary);
        if (w === 0) expect(plan.canary).toBe(0);
        else expect(plan.canary).toBeGreaterThanOrEqual(1);
        expect(plan.effective).toBe(Math.round((100 * plan.canary) / (plan.stable + plan.canary)));
        // No allowed pair is strictly closer.
        const err = Math.abs((100 * plan.canary) / (plan.stable + plan.canary) - w);
        for (let s = start; s <= start + extra; s++) {
          for (let c = w === 0 ? 0 : 1; c <= (w === 0 ? 0 : maxCanary); c++) {
            expect(Math.abs((100 * c) / (s + c) - w)).toBeGreaterThanOrEqual(err - 1e-9);
          }
        }
      }),
    );
  });

  it('may scale the stable up to approximate small weights when allowed', () => {
    expect(planReplicas(10, { stableStart: 2, maxStable: 10, maxCanary: 2 })).toEqual({ stable: 9, canary: 1, effective: 10 });
    expect(planReplicas(10, { stableStart: 2, maxStable: 2, maxCanary: 2 })).toEqual({ stable: 2, canary: 1, effective: 33 });
  });
});

describe('replicas router', () => {
  it('scales up before scaling down and restores on reset', async () => {
    const kube = new FakeKube([stableDeployment({ replicas: 2 }), canaryDeployment({ replicas: 0 }), userService()]);
    const router = createRouter('replicas', { kube, target: TARGET, options: { stableReplicas: 2, maxStableReplicas: 10 }, log: quietLog().log });
    await router.verify();
    await router.setWeight(10);
    const replicas = (name: string) => kube.peek<KubeObject & { spec: { replicas: number } }>('apps/v1', 'Deployment', 'prod', name)?.spec.replicas;
    expect([replicas('web'), replicas('web-canary')]).toEqual([9, 1]);
    kube.calls.length = 0;
    await router.setWeight(50);
    expect([replicas('web'), replicas('web-canary')]).toEqual([2, 2]);
    expect(kube.writes().map((c) => c.name)).toEqual(['web-canary', 'web']); // canary grows first, then stable shrinks
    expect(kube.writes().every((c) => c.patchType === 'merge')).toBe(true);
    await router.reset();
    expect([replicas('web'), replicas('web-canary')]).toEqual([2, 0]);
  });

  it('verify refuses a Service that does not select the stable pods', async () => {
    const svc = userService();
    (svc.spec as { selector: Record<string, string> }).selector = { app: 'other' };
    const kube = new FakeKube([stableDeployment(), svc]);
    const router = createRouter('replicas', { kube, target: TARGET, options: {}, log: quietLog().log });
    await expect(router.verify()).rejects.toThrow(/selects app=other which the stable pods of Deployment web do not carry/);
  });
});

describe('per-version Services', () => {
  function gw(objects: KubeObject[]) {
    const kube = new FakeKube([canaryDeployment(), userService(), httpRoute(), ...objects], ['gateway.networking.k8s.io/v1|HTTPRoute']);
    return { kube, router: createRouter('gateway-api', { kube, target: TARGET, options: {}, log: quietLog().log }) };
  }

  it('refuses to route before the stable has rolled out the track label', async () => {
    const dep = stableDeployment();
    (dep.status as { updatedReplicas: number }).updatedReplicas = 1;
    await expect(gw([dep]).router.verify()).rejects.toThrow(/has not finished rolling out the canary-gate.io\/track: stable label \(1\/4 pods updated\)/);
  });

  it('refuses a user-made web-stable Service that would also select canary pods', async () => {
    const clash: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-stable', namespace: 'prod' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    await expect(gw([stableDeployment(), clash]).router.verify()).rejects.toThrow(/web-stable must select app=web,canary-gate.io\/track=stable .*fix its selector or delete it/);
  });

  it('refuses a user Service that already selects by track', async () => {
    const svc = userService();
    (svc.spec as { selector: Record<string, string> }).selector = { app: 'web', 'canary-gate.io/track': 'stable' };
    const kube = new FakeKube([stableDeployment(), svc, httpRoute()], ['gateway.networking.k8s.io/v1|HTTPRoute']);
    const router = createRouter('gateway-api', { kube, target: TARGET, options: {}, log: quietLog().log });
    await expect(router.verify()).rejects.toThrow(/routing.service must be the Service that selects all versions/);
  });

  it('copies the user Service ports and never modifies the user Service', async () => {
    const { kube, router } = gw([stableDeployment()]);
    const before = kube.peek('v1', 'Service', 'prod', 'web');
    await router.prepare?.();
    await router.setWeight(30);
    expect(kube.peek('v1', 'Service', 'prod', 'web')).toEqual(before);
    expect(kube.peek<KubeObject & { spec: unknown }>('v1', 'Service', 'prod', 'web-stable')?.spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'web', 'canary-gate.io/track': 'stable' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
  });
});
