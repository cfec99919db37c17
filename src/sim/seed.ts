/**
 * A realistic sample application in the simulator: a stable Deployment (no canary-gate labels — the
 * action must cope with that), its Service and the user's routing objects for one router kind:
 * - istio: a VirtualService sending all traffic to the Service's host (no subset: the seeded stable
 *   pods carry no track label, so a route pinned to subset `stable` would have no endpoints) and a
 *   DestinationRule with stable/canary subsets selecting the track label;
 * - nginx: an Ingress (class nginx, TLS) for web.example.com, path / → Service <name>:80 and
 *   /admin → <name>-admin:8080;
 * - gateway-api: an HTTPRoute attached to Gateway `public` (a reference: the simulator serves no
 *   Gateway kind) with a rule /admin → <name>-admin:8080 and a rule / → <name>:80;
 * - traefik: a TraefikService weighting one service, <name>:80 (the user's IngressRoute would name it);
 * - smi: nothing beyond the Service — the router creates the TrafficSplit (a user TrafficSplit with
 *   backend <name> would be refused by verify(), see docs/routers.md);
 * - replicas / none: nothing beyond the Service.
 * Plus `currentCanaryWeight`, the share of plain requests that reach the canary as the simulator's
 * data plane routes them (traffic-routing.ts), for the traffic generator and tests.
 */
import type { RouterKind } from '../traffic/config.ts';
import type { KubeSimulator } from './kube-server.ts';
import type { KubeObject } from './kube-store.ts';
import { routeRequest, type ObjectReader } from './traffic-routing.ts';

const TRACK_LABEL = 'canary-gate.io/track';

const SEED_ROUTERS = ['istio', 'nginx', 'gateway-api', 'traefik', 'smi', 'replicas', 'none'] as const;
export type SeedRouter = (typeof SEED_ROUTERS)[number];

export interface SampleAppOptions {
  namespace: string;
  name: string;
  image: string;
  replicas: number;
  router: SeedRouter;
  /** Extra labels on the Deployment and its pod template. */
  labels?: Record<string, string>;
  /** Wait until the stable pods are ready (default true). */
  waitReady?: boolean;
  timeoutMs?: number;
}

export interface SampleApp {
  deployment: KubeObject;
  service: KubeObject;
  virtualService?: KubeObject;
  destinationRule?: KubeObject;
  ingress?: KubeObject;
  httpRoute?: KubeObject;
  traefikService?: KubeObject;
}

export async function seedSampleApp(sim: KubeSimulator, opts: SampleAppOptions): Promise<SampleApp> {
  const { namespace, name } = opts;
  const labels = { app: name, ...(opts.labels ?? {}) };
  const deployment = sim.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name,
              image: opts.image,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            },
          ],
        },
      },
    },
  });
  const service = sim.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const app: SampleApp = { deployment, service };
  if (opts.router === 'istio') {
    app.virtualService = sim.create({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace },
      spec: {
        hosts: [name],
        http: [{ name: 'primary', route: [{ destination: { host: name } }] }],
      },
    });
    app.destinationRule = sim.create({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name, namespace },
      spec: {
        host: name,
        subsets: [
          { name: 'stable', labels: { [TRACK_LABEL]: 'stable' } },
          { name: 'canary', labels: { [TRACK_LABEL]: 'canary' } },
        ],
      },
    });
  }
  if (opts.router === 'nginx') {
    // As users write them: TLS, an annotation of their own, and a second path to another Service
    // that canary-gate must leave alone.
    app.ingress = sim.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace, labels: { app: name }, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [`${name}.example.com`], secretName: `${name}-tls` }],
        rules: [
          {
            host: `${name}.example.com`,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } },
                { path: '/admin', pathType: 'Prefix', backend: { service: { name: `${name}-admin`, port: { number: 8080 } } } },
              ],
            },
          },
        ],
      },
    });
  }
  if (opts.router === 'gateway-api') {
    // One rule to the app (with a timeout) and one to another Service that canary-gate must leave alone.
    app.httpRoute = sim.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name, namespace, labels: { app: name } },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateway-system' }],
        hostnames: [`${name}.example.com`],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: `${name}-admin`, port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name, port: 80 }], timeouts: { request: '10s' } },
        ],
      },
    });
  }
  if (opts.router === 'traefik') {
    app.traefikService = sim.create({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: { name, namespace, labels: { app: name } },
      spec: { weighted: { services: [{ name, port: 80 }] } },
    });
  }
  if (opts.waitReady ?? true) await waitForDeploymentReady(sim, namespace, name, opts.timeoutMs ?? 10_000);
  return app;
}

/** `name=web,namespace=demo,router=istio[,image=...,replicas=3]`, as the CLI's --seed takes it. */
export function parseSeed(spec: string): SampleAppOptions {
  const fields = new Map<string, string>();
  for (const part of spec.split(',').filter((p) => p.trim())) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`--seed: expected key=value pairs separated by commas, found "${part}"`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const name = fields.get('name');
  if (!name) throw new Error(`--seed: name is required (e.g. --seed name=web,namespace=demo,router=istio), found "${spec}"`);
  const router = fields.get('router') ?? 'none';
  if (!(SEED_ROUTERS as readonly string[]).includes(router)) {
    throw new Error(`--seed: router must be istio or none (or one of ${SEED_ROUTERS.filter((r) => r !== 'istio' && r !== 'none').join(', ')}), found "${router}"`);
  }
  const replicas = Number(fields.get('replicas') ?? '3');
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`--seed: replicas must be a non-negative integer, found "${fields.get('replicas') ?? ''}"`);
  return {
    name,
    namespace: fields.get('namespace') ?? 'default',
    image: fields.get('image') ?? `ghcr.io/acme/${name}:1.0.0`,
    replicas,
    router: router as SeedRouter,
  };
}

/** Resolves when every desired replica of the deployment's current template is ready. */
export async function waitForDeploymentReady(sim: KubeSimulator, namespace: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = sim.store.get('apps/v1', 'Deployment', namespace, name);
    const spec = (d?.spec ?? {}) as { replicas?: number };
    const status = (d?.status ?? {}) as { observedGeneration?: number; updatedReplicas?: number; readyReplicas?: number; replicas?: number };
    const desired = spec.replicas ?? 1;
    if (
      d &&
      status.observedGeneration === d.metadata.generation &&
      (status.updatedReplicas ?? 0) === desired &&
      (status.readyReplicas ?? 0) >= desired &&
      (status.replicas ?? 0) === desired
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`deployment ${namespace}/${name} not ready after ${timeoutMs} ms: status ${JSON.stringify(d?.status ?? null)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The kinds whose object, named after the app, says it is routed by that router (docs/routers.md). */
const ROUTING_OBJECT: Record<Exclude<RouterKind, 'replicas'>, { group: string; kind: string }> = {
  istio: { group: 'networking.istio.io', kind: 'VirtualService' },
  'gateway-api': { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
  nginx: { group: 'networking.k8s.io', kind: 'Ingress' },
  traefik: { group: 'traefik.io', kind: 'TraefikService' },
  smi: { group: 'split.smi-spec.io', kind: 'TrafficSplit' },
};

function routedBy(reader: ObjectReader, namespace: string, stableName: string): RouterKind {
  for (const [kind, o] of Object.entries(ROUTING_OBJECT) as [Exclude<RouterKind, 'replicas'>, { group: string; kind: string }][]) {
    const version = reader.servedVersion(o.group, o.kind);
    if (version === undefined) continue;
    const objects = reader.list(o.group ? `${o.group}/${version}` : version, o.kind, namespace);
    const found = kind === 'smi' ? objects.some((t) => (t.spec as { service?: string } | undefined)?.service === stableName) : objects.some((x) => x.metadata.name === stableName);
    if (found) return kind;
  }
  return 'replicas';
}

/**
 * The canary's share of plain requests (no forced header/cookie), 0..100, as the simulator's data
 * plane (traffic-routing.ts) routes them: by `kind` when given, else by the first router kind that
 * has objects for this app, else by the endpoints of the user's Service.
 */
export function currentCanaryWeight(sim: KubeSimulator, namespace: string, stableName: string, kind?: RouterKind): number {
  const target = { namespace, stable: stableName, canary: `${stableName}-canary` };
  return routeRequest(sim.reader, kind ?? routedBy(sim.reader, namespace, stableName), target).canaryPercent;
}
