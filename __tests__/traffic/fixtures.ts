/** Cluster fixtures per router kind: the user's objects as they exist before the first rollout. */
import type { KubeObject } from '../../src/kube/types.ts';
import type { RouterKind, RouterOptions } from '../../src/traffic/config.ts';
import { FakeKube, canaryDeployment, stableDeployment, userService } from './fake-kube.ts';

export function virtualService(apiVersion = 'networking.istio.io/v1'): KubeObject {
  return {
    apiVersion,
    kind: 'VirtualService',
    metadata: { name: 'web', namespace: 'prod' },
    spec: {
      hosts: ['web.example.com'],
      gateways: ['public'],
      http: [
        { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin' } }] },
        { name: 'main', route: [{ destination: { host: 'web', port: { number: 80 } } }], timeout: '5s' },
      ],
    },
  };
}

export function httpRoute(): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'prod' },
    spec: {
      parentRefs: [{ name: 'public' }],
      hostnames: ['web.example.com'],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'admin', port: 80 }] },
        { name: 'main', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] },
      ],
    },
  };
}

export function stableIngress(name = 'web'): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'prod', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      rules: [
        {
          host: 'web.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
              { path: '/admin', pathType: 'Prefix', backend: { service: { name: 'admin', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  };
}

export function traefikService(): KubeObject {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: 'web', namespace: 'prod' },
    spec: { weighted: { services: [{ name: 'web', port: 80 }] } },
  };
}

export const SERVED: Record<RouterKind, string[]> = {
  istio: ['networking.istio.io/v1|VirtualService', 'networking.istio.io/v1|DestinationRule'],
  'gateway-api': ['gateway.networking.k8s.io/v1|HTTPRoute'],
  nginx: [],
  traefik: ['traefik.io/v1alpha1|TraefikService'],
  smi: ['split.smi-spec.io/v1alpha4|TrafficSplit', 'split.smi-spec.io/v1alpha1|TrafficSplit'],
  replicas: [],
};

/** A cluster where router `kind` can run: stable rolled out with the track label, the user's objects. */
export function clusterFor(kind: RouterKind): { kube: FakeKube; options: RouterOptions } {
  const base = [stableDeployment(), canaryDeployment({ replicas: 2 }), userService()];
  const extra: Record<RouterKind, KubeObject[]> = {
    istio: [virtualService()],
    'gateway-api': [httpRoute()],
    nginx: [stableIngress()],
    traefik: [traefikService()],
    smi: [],
    replicas: [],
  };
  const options: RouterOptions = kind === 'replicas' ? { stableReplicas: 4 } : {};
  const kube = new FakeKube([...base, ...extra[kind]], SERVED[kind]);
  if (kind === 'replicas') {
    // The replicas router owns the canary's replica count: it starts at 0.
    kube.put(canaryDeployment({ replicas: 0 }));
  }
  return { kube, options: { ...options, conflictRetry: { attempts: 4, baseDelayMs: 1 } } };
}
