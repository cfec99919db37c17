import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../src/kube/types.ts';
import { cookieRegex } from '../../src/traffic/common.ts';
import type { RouterOptions } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { FakeKube, TARGET, canaryDeployment, quietLog, stableDeployment, userService } from './fake-kube.ts';
import { virtualService } from './fixtures.ts';
import { routeRequest } from '../../src/sim/traffic-routing.ts';

type Route = { name?: string; match?: Record<string, unknown>[]; route: { destination: { host: string; subset?: string; port?: unknown }; weight?: number; headers?: unknown }[] };
type VS = KubeObject & { spec: { http: Route[] } };
type DR = KubeObject & { spec: { host: string; subsets: { name: string; labels: Record<string, string> }[] } };

function setup(opts: { options?: RouterOptions; objects?: KubeObject[]; served?: string[] } = {}) {
  const kube = new FakeKube(
    opts.objects ?? [stableDeployment(), canaryDeployment(), userService(), virtualService()],
    opts.served ?? ['networking.istio.io/v1|VirtualService'],
  );
  const { lines, log } = quietLog();
  const router = createRouter('istio', { kube, target: TARGET, options: opts.options ?? {}, log });
  const vs = () => kube.peek<VS>('networking.istio.io/v1', 'VirtualService', 'prod', 'web') as VS;
  const dr = () => kube.peek<DR>('networking.istio.io/v1', 'DestinationRule', 'prod', 'web');
  return { kube, router, vs, dr, lines };
}

describe('istio router', () => {
  it('weights only the route to the service host and leaves other routes and fields untouched', async () => {
    const { router, vs } = setup();
    const before = vs();
    await router.prepare?.();
    await router.setWeight(30);
    const http = vs().spec.http;
    expect(http[0]).toEqual(before.spec.http[0]); // admin route
    const main = http[1] as Route;
    expect(main.name).toBe('main');
    expect((main as unknown as { timeout: string }).timeout).toBe('5s');
    expect(main.route).toEqual([
      { destination: { host: 'web', port: { number: 80 }, subset: 'stable' }, weight: 70 },
      { destination: { host: 'web', port: { number: 80 }, subset: 'canary' }, weight: 30 },
    ]);
    expect(vs().spec).toMatchObject({ hosts: ['web.example.com'], gateways: ['public'] });
  });

  it('creates the DestinationRule with track-label subsets when missing, and deletes only its own on cleanup', async () => {
    const { router, dr, vs } = setup();
    await router.prepare?.();
    expect(dr()?.spec).toEqual({
      host: 'web',
      subsets: [
        { name: 'stable', labels: { 'canary-gate.io/track': 'stable' } },
        { name: 'canary', labels: { 'canary-gate.io/track': 'canary' } },
      ],
    });
    await router.setWeight(10);
    await router.reset();
    await router.cleanup?.();
    expect(dr()).toBeUndefined();
    expect(vs().spec.http[1]?.route).toEqual([{ destination: { host: 'web', port: { number: 80 } } }]);
  });

  it('adds missing subsets to a user DestinationRule and keeps its policy; cleanup removes only ours', async () => {
    const userDr: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { host: 'web.prod.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    };
    const { router, dr } = setup({ objects: [stableDeployment(), userService(), virtualService(), userDr] });
    await router.verify();
    await router.prepare?.();
    expect(dr()?.spec.subsets.map((s) => s.name)).toEqual(['v1', 'stable', 'canary']);
    expect((dr()?.spec as unknown as { trafficPolicy: unknown }).trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    await router.cleanup?.();
    expect(dr()?.spec.subsets.map((s) => s.name)).toEqual(['v1']);
  });

  it('verify names the object and the fix', async () => {
    const noVs = setup({ objects: [stableDeployment(), userService()] });
    await expect(noVs.router.verify()).rejects.toThrow(/VirtualService prod\/web not found/);

    const unlabelled = setup({ objects: [stableDeployment({ labelled: false }), userService(), virtualService()] });
    await expect(unlabelled.router.verify()).rejects.toThrow(/must carry the label canary-gate.io\/track: stable/);

    const badDr: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { host: 'web', subsets: [{ name: 'stable', labels: { version: 'v1' } }] },
    };
    const wrongSubset = setup({ objects: [stableDeployment(), userService(), virtualService(), badDr] });
    await expect(wrongSubset.router.verify()).rejects.toThrow(/subset "stable" must select canary-gate.io\/track=stable/);

    const noRoute = setup({ options: { routes: ['nope'] } });
    await expect(noRoute.router.verify()).rejects.toThrow(/no http route named nope/);

    const none = setup({ served: [] });
    await expect(none.router.verify()).rejects.toThrow(/serves no VirtualService/);
  });

  it('uses v1beta1 when the cluster does not serve v1', async () => {
    const { router, kube } = setup({ served: ['networking.istio.io/v1beta1|VirtualService'] });
    await router.prepare?.();
    await router.setWeight(5);
    const writes = kube.writes();
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((c) => c.apiVersion === 'networking.istio.io/v1beta1')).toBe(true);
  });

  it('forced header and cookie routes go to the canary before the weighted route, and reset removes them', async () => {
    const { router, vs } = setup({ options: { header: { name: 'x-canary', value: 'true' }, cookie: { name: 'canary' } } });
    await router.prepare?.();
    expect(vs().spec.http.map((r) => r.name)).toEqual(['admin', 'main']);
    await router.setWeight(0);
    const http = vs().spec.http;
    expect(http.map((r) => r.name)).toEqual(['admin', 'canary-gate-forced-main', 'main']);
    const forced = http[1] as Route;
    expect(forced.match).toEqual([
      { headers: { 'x-canary': { exact: 'true' } } },
      { headers: { cookie: { regex: cookieRegex('canary', 'always') } } },
    ]);
    expect(forced.route).toEqual([{ destination: { host: 'web', port: { number: 80 }, subset: 'canary' }, weight: 100 }]);
    await router.setWeight(20);
    expect(vs().spec.http.filter((r) => r.name === 'canary-gate-forced-main')).toHaveLength(1); // not duplicated
    await router.reset();
    expect(vs().spec.http.map((r) => r.name)).toEqual(['admin', 'main']);
  });

  it('forced routes keep the matches of the route they shadow', async () => {
    const vsWithMatch = virtualService();
    (vsWithMatch.spec as { http: Route[] }).http[1]!.match = [{ uri: { prefix: '/api' } }];
    const { router, vs } = setup({ objects: [stableDeployment(), userService(), vsWithMatch], options: { header: { name: 'x-canary', value: '1' } } });
    await router.setWeight(10);
    expect(vs().spec.http[1]?.match).toEqual([{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: '1' } } }]);
  });

  it('sticky: the canary destination sets the cookie and a cookie route keeps those users on the canary', async () => {
    const { router, vs } = setup({ options: { sticky: { cookie: 'cg', maxAgeSeconds: 600 } } });
    await router.setWeight(25);
    const http = vs().spec.http;
    const sticky = http.find((r) => r.name === 'canary-gate-sticky-main') as Route;
    const main = http.find((r) => r.name === 'main') as Route;
    expect(main.route[1]?.headers).toEqual({ response: { add: { 'set-cookie': 'cg=canary; Max-Age=600; Path=/' } } });
    const regex = new RegExp((sticky.match?.[0] as { headers: { cookie: { regex: string } } }).headers.cookie.regex);
    expect(regex.test('a=1; cg=canary; b=2')).toBe(true);
    expect(regex.test('cg=canary')).toBe(true);
    expect(regex.test('cg=stable')).toBe(false);
    expect(regex.test('xcg=canary')).toBe(false);
    await router.reset();
    expect(vs().spec.http.some((r) => r.name === 'canary-gate-sticky-main')).toBe(false);
    expect(router.notes?.().join(' ')).toMatch(/consistentHash would only pin a user to a pod/);
  });

  it('restores the user route exactly and keeps subsets the user wrote (even with the same names)', async () => {
    const userVs = virtualService();
    (userVs.spec as { http: Route[] }).http[1]!.route = [{ destination: { host: 'web', subset: 'stable' }, weight: 100 }];
    const userDr: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'prod' },
      spec: {
        host: 'web',
        subsets: [
          { name: 'stable', labels: { 'canary-gate.io/track': 'stable' } },
          { name: 'canary', labels: { 'canary-gate.io/track': 'canary' } },
        ],
      },
    };
    const { router, vs, dr, kube } = setup({ objects: [stableDeployment(), userService(), userVs, userDr] });
    const before = { vs: vs().spec, dr: dr()?.spec };
    await router.verify();
    kube.calls.length = 0;
    await router.prepare?.();
    // One write: the canary destination at weight 0 plus the record of the original route.
    expect(kube.writes().filter((c) => c.kind === 'VirtualService')).toHaveLength(1);
    await router.setWeight(40);
    expect(vs().metadata.annotations?.['canary-gate.io/original']).toBeDefined();
    await router.reset();
    await router.cleanup?.();
    expect(vs().spec).toEqual(before.vs);
    expect(vs().metadata.annotations?.['canary-gate.io/original']).toBeUndefined();
    expect(dr()?.spec).toEqual(before.dr);
  });

  it('records the original route in the same write that first changes it', async () => {
    const { router, vs, kube } = setup();
    await router.prepare?.();
    const vsWrites = kube.writes().filter((c) => c.kind === 'VirtualService');
    expect(vsWrites).toHaveLength(1);
    expect(JSON.parse(vs().metadata.annotations?.['canary-gate.io/original'] ?? '{}')).toEqual({
      'http:main': [{ destination: { host: 'web', port: { number: 80 } } }],
    });
  });

  it('a VirtualService never prepared is left untouched by reset', async () => {
    const { router, kube } = setup();
    await router.reset();
    expect(kube.writes()).toEqual([]);
  });

  it('weights sum to 100 at every step', async () => {
    const { router, vs } = setup();
    for (const w of [0, 1, 7, 50, 93, 100]) {
      await router.setWeight(w);
      const sum = (vs().spec.http[1] as Route).route.reduce((s, d) => s + (d.weight ?? 0), 0);
      expect(sum).toBe(100);
    }
  });
});

describe('cookieRegex', () => {
  it('escapes regex characters in names and values', () => {
    const re = new RegExp(cookieRegex('a.b', 'x+y'));
    expect(re.test('a.b=x+y')).toBe(true);
    expect(re.test('aXb=xxy')).toBe(false);
  });
});

describe('a weighted route behind a catch-all route (issue 11 item 8)', () => {
  /** `default` matches every request and comes first; routing.route names `main`, the one canary-gate weights. */
  function shadowed(): KubeObject {
    return {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'prod' },
      spec: {
        hosts: ['web'],
        http: [
          { name: 'default', route: [{ destination: { host: 'web' } }] },
          { name: 'main', route: [{ destination: { host: 'web' } }] },
        ],
      },
    };
  }
  const objects = () => [stableDeployment(), canaryDeployment({ replicas: 2 }), userService(), shadowed()];

  it('verify() refuses it, naming both routes and what to do', async () => {
    const { router, kube } = setup({ options: { routes: ['main'] }, objects: objects() });
    await expect(router.verify()).rejects.toThrow(
      /route main is never reached: route default before it matches every request, and Istio uses the first matching route.*move the weighted route above it/,
    );
    expect(kube.writes()).toEqual([]);
  });

  it('is what the independent data plane sees: the router would report 10 %, the first-match model 33 %', async () => {
    const { router, kube } = setup({ options: { routes: ['main'] }, objects: objects() });
    await router.prepare?.(); // without verify(), as the old code effectively did
    await router.setWeight(10);
    expect(await router.getWeight()).toBe(10);
    // The first route catches everything and sends it to the Service: 2 canary pods of 6.
    expect(routeRequest(kube.reader(), 'istio', TARGET, {}, { routes: ['main'] }).canaryPercent).toBeCloseTo(100 / 3, 6);
  });

  it('a route before ours that matches only some requests does not shadow it', async () => {
    const vs = shadowed() as VS;
    vs.spec.http[0] = { name: 'beta', match: [{ headers: { 'x-beta': { exact: '1' } } }], route: [{ destination: { host: 'web' } }] };
    const { router } = setup({ options: { routes: ['main'] }, objects: [stableDeployment(), canaryDeployment({ replicas: 2 }), userService(), vs] });
    await expect(router.verify()).resolves.toBeUndefined();
  });
});
