/**
 * The per-request routing model (src/sim/traffic-routing.ts) on hand-written routing objects: the
 * matching rules of each layer that the end-to-end tests rely on, including the cases where a naive
 * model would route differently (route order in Istio, header count in Gateway API, header before
 * cookie in ingress-nginx, full-match regexes).
 */
import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../src/kube/types.ts';
import { pickVersion, routeRequest } from '../../src/sim/traffic-routing.ts';
import type { ObjectReader } from '../../src/sim/traffic-routing.ts';

const NS = 'shop';
const target = { namespace: NS, stable: 'web', canary: 'web-canary' };

function reader(objects: KubeObject[]): ObjectReader {
  const key = (a: string, k: string, ns: string | undefined, n: string) => `${a}|${k}|${ns ?? ''}|${n}`;
  const map = new Map(objects.map((o) => [key(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name ?? ''), o]));
  return {
    get: (a, k, ns, n) => map.get(key(a, k, ns, n)),
    list: (a, k, ns) => objects.filter((o) => o.apiVersion === a && o.kind === k && (ns === undefined || o.metadata.namespace === ns)),
    servedVersion: (g, k) => objects.find((o) => o.kind === k && o.apiVersion.startsWith(`${g}/`))?.apiVersion.slice(g.length + 1) ?? (g === '' || g === 'networking.k8s.io' ? 'v1' : undefined),
  };
}

/** Ready pods of one Deployment, owned by its ReplicaSet `<deployment>-<hash>` as the controllers make them. */
function pods(deployment: string, track: string, ready: number): KubeObject[] {
  return Array.from({ length: ready }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment}-abc12-${i}`,
      namespace: NS,
      labels: { app: 'web', 'canary-gate.io/track': track, 'pod-template-hash': 'abc12' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-abc12`, uid: deployment, controller: true }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  }));
}

/** web (both versions), web-stable, web-canary; 3 stable pods and 1 canary pod ready; the DestinationRule's subsets. */
function cluster(): KubeObject[] {
  const svc = (name: string, selector: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { selector } });
  return [
    ...pods('web', 'stable', 3),
    ...pods('web-canary', 'canary', 1),
    svc('web', { app: 'web' }),
    svc('web-stable', { app: 'web', 'canary-gate.io/track': 'stable' }),
    svc('web-canary', { app: 'web', 'canary-gate.io/track': 'canary' }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: NS },
      spec: {
        host: 'web',
        subsets: [
          { name: 'stable', labels: { 'canary-gate.io/track': 'stable' } },
          { name: 'canary', labels: { 'canary-gate.io/track': 'canary' } },
        ],
      },
    },
  ];
}

const cookieRe = (name: string, value: string) => `^(.*?;\\s*)?(${name}=${value})(;.*)?$`;

describe('istio', () => {
  const vs = (http: unknown[]): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: NS }, spec: { hosts: ['web'], http } });
  const weighted = { name: 'primary', route: [{ destination: { host: 'web', subset: 'stable' }, weight: 80 }, { destination: { host: 'web', subset: 'canary' }, weight: 20 }] };
  const forced = { name: 'canary-gate-forced-primary', match: [{ headers: { 'x-canary': { exact: 'true' } } }, { headers: { cookie: { regex: cookieRe('canary', 'always') } } }], route: [{ destination: { host: 'web', subset: 'canary' } }] };

  test('the first fitting route decides: forced before weighted reaches the canary, after it does not', () => {
    const before = reader([...cluster(), vs([forced, weighted])]);
    expect(routeRequest(before, 'istio', target, { headers: { 'X-Canary': 'true' } })).toMatchObject({ canaryPercent: 100, stablePercent: 0, forced: true });
    expect(routeRequest(before, 'istio', target, {})).toMatchObject({ canaryPercent: 20, stablePercent: 80, forced: false });
    const after = reader([...cluster(), vs([weighted, forced])]);
    expect(routeRequest(after, 'istio', target, { headers: { 'x-canary': 'true' } }).canaryPercent).toBe(20);
  });

  test('cookie regexes match the whole Cookie header, among other cookies, and not a longer value', () => {
    const r = reader([...cluster(), vs([forced, weighted])]);
    expect(routeRequest(r, 'istio', target, { cookies: { a: '1', canary: 'always', b: '2' } }).canaryPercent).toBe(100);
    expect(routeRequest(r, 'istio', target, { cookies: { canary: 'alwaysnot' } }).canaryPercent).toBe(20);
    expect(routeRequest(r, 'istio', target, { cookies: { xcanary: 'always' } }).canaryPercent).toBe(20);
  });

  test('a destination without a subset is the Service: its ready-pod ratio (the leak before prepare)', () => {
    const r = reader([...cluster(), vs([{ name: 'primary', route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }])]);
    expect(routeRequest(r, 'istio', target, {})).toMatchObject({ canaryPercent: 25, stablePercent: 75 });
  });
});

describe('gateway-api', () => {
  const route = (rules: unknown[]): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: NS }, spec: { rules } });
  const plain = { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web-stable', weight: 70 }, { name: 'web-canary', weight: 30 }] };
  const byHeader = {
    name: 'canary-gate-header-0',
    matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-canary', value: 'true' }] }],
    backendRefs: [{ name: 'web-canary', weight: 1 }],
  };
  const admin = { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'web-canary' }] };

  test('the match with more header conditions wins wherever its rule is; other paths do not fit /', () => {
    for (const rules of [[plain, byHeader], [byHeader, plain], [admin, plain, byHeader]]) {
      const r = reader([...cluster(), route(rules)]);
      expect(routeRequest(r, 'gateway-api', target, { headers: { 'x-canary': 'true' } })).toMatchObject({ canaryPercent: 100, forced: true });
      expect(routeRequest(r, 'gateway-api', target, {})).toMatchObject({ canaryPercent: 30, stablePercent: 70, forced: false });
    }
  });
});

describe('nginx', () => {
  const stableIngress: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: NS },
    spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-stable', port: { number: 80 } } } }] } }] },
  };
  const canaryIngress = (annotations: Record<string, string>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web-canary',
      namespace: NS,
      annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '40', 'nginx.ingress.kubernetes.io/canary-weight-total': '100', ...annotations },
    },
    // ingress-nginx pairs a canary Ingress with the main one by host and path, not by name.
    spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-canary', port: { number: 80 } } } }] } }] },
  });
  const N = 'nginx.ingress.kubernetes.io/';

  test('canary-by-header without a value: always / never / anything else follows the weight', () => {
    const r = reader([...cluster(), stableIngress, canaryIngress({ [`${N}canary-by-header`]: 'x-canary' })]);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'always' } }).canaryPercent).toBe(100);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'never' } }).canaryPercent).toBe(0);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'yes' } }).canaryPercent).toBeCloseTo(40, 9);
  });

  test('the header is looked at before the cookie; with a header value only that value forces', () => {
    const r = reader([
      ...cluster(),
      stableIngress,
      canaryIngress({ [`${N}canary-by-header`]: 'x-canary', [`${N}canary-by-header-value`]: 'true', [`${N}canary-by-cookie`]: 'canary' }),
    ]);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'true' }, cookies: { canary: 'never' } }).canaryPercent).toBe(100);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'false' }, cookies: { canary: 'always' } }).canaryPercent).toBe(100);
    expect(routeRequest(r, 'nginx', target, { cookies: { canary: 'never' } })).toMatchObject({ canaryPercent: 0, stablePercent: 100, forced: true });
    expect(routeRequest(r, 'nginx', target, {})).toMatchObject({ canaryPercent: 40, stablePercent: 60 });
  });

  test('a canary Ingress without canary: "true" is ignored; a stable Ingress still on web leaks by pod ratio', () => {
    const onWeb = { ...stableIngress, spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'web' } } }] } }] } };
    const r = reader([...cluster(), onWeb, { ...canaryIngress({}), metadata: { name: 'web-canary', namespace: NS, annotations: {} } }]);
    expect(routeRequest(r, 'nginx', target, { headers: { 'x-canary': 'always' } }).canaryPercent).toBeCloseTo(25, 9);
  });
});

test('traefik and smi split by weight (SMI v1alpha1 quantities too); replicas by pods', () => {
  const traefik: KubeObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: 'web', namespace: NS },
    spec: { weighted: { services: [{ name: 'web-stable', weight: 95 }, { name: 'web-canary', weight: 5 }] } },
  };
  const smi: KubeObject = {
    apiVersion: 'split.smi-spec.io/v1alpha1',
    kind: 'TrafficSplit',
    metadata: { name: 'web', namespace: NS },
    spec: { service: 'web', backends: [{ service: 'web-stable', weight: '750m' }, { service: 'web-canary', weight: '250m' }] },
  };
  const r = reader([...cluster(), traefik, smi]);
  expect(routeRequest(r, 'traefik', target, { headers: { 'x-canary': 'true' } })).toMatchObject({ canaryPercent: 5, stablePercent: 95, forced: false });
  expect(routeRequest(r, 'smi', target, {}).canaryPercent).toBeCloseTo(25, 9);
  expect(routeRequest(r, 'replicas', target, {}).canaryPercent).toBeCloseTo(25, 9);
});

test('pickVersion sends exactly the canary share of uniform draws to the canary', () => {
  const d = { canaryPercent: 30, stablePercent: 70, forced: false, via: 'test' };
  const draws = Array.from({ length: 1000 }, (_, i) => i / 1000);
  expect(draws.filter((u) => pickVersion(d, u) === 'canary')).toHaveLength(300);
  expect(pickVersion({ ...d, canaryPercent: 0 }, 0)).toBe('stable');
  expect(pickVersion({ ...d, canaryPercent: 100 }, 0.999)).toBe('canary');
});
