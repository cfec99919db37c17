/**
 * A realistic sample application in the simulator: a stable Deployment (no canary-gate labels — the
 * action must cope with that), its Service and, for Istio, a VirtualService sending all traffic to
 * the stable subset and a DestinationRule with stable/canary subsets. Plus `currentCanaryWeight`,
 * which reads the share the router gives the canary, one small reader per router kind.
 */
import type { KubeSimulator } from './kube-server.ts';
import type { KubeObject, KubeStore } from './kube-store.ts';

export const TRACK_LABEL = 'canary-gate.io/track';

export interface SampleAppOptions {
  namespace: string;
  name: string;
  image: string;
  replicas: number;
  router: 'istio' | 'none';
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
        http: [{ name: 'primary', route: [{ destination: { host: name, subset: 'stable' }, weight: 100 }] }],
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
  if (router !== 'istio' && router !== 'none') throw new Error(`--seed: router must be istio or none, found "${router}"`);
  const replicas = Number(fields.get('replicas') ?? '3');
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`--seed: replicas must be a non-negative integer, found "${fields.get('replicas') ?? ''}"`);
  return {
    name,
    namespace: fields.get('namespace') ?? 'default',
    image: fields.get('image') ?? `ghcr.io/acme/${name}:1.0.0`,
    replicas,
    router,
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

/** Reads the canary's share (0..100) from one kind of router object; undefined when it has none. */
export type CanaryWeightReader = (store: KubeStore, namespace: string, stableName: string) => number | undefined;

interface HttpRoute {
  match?: unknown[];
  route?: { destination?: { host?: string; subset?: string }; weight?: number }[];
}

/** Istio: the default (match-less) HTTP route of the VirtualService for the stable host. */
export const istioCanaryWeight: CanaryWeightReader = (store, namespace, stableName) => {
  const services = [...store.list('networking.istio.io/v1', 'VirtualService', namespace)];
  const vs =
    services.find((v) => v.metadata.name === stableName) ??
    services.find((v) => ((v.spec as { hosts?: string[] }).hosts ?? []).some((h) => h === stableName || h.startsWith(`${stableName}.`)));
  if (!vs) return undefined;
  const http = ((vs.spec as { http?: HttpRoute[] }).http ?? []) as HttpRoute[];
  const route = http.find((r) => !r.match || r.match.length === 0) ?? http[http.length - 1];
  const destinations = route?.route ?? [];
  const isCanary = (d: { host?: string; subset?: string } | undefined) => d?.subset === 'canary' || d?.host === `${stableName}-canary`;
  // A lone destination without a weight takes all traffic.
  const weightOf = (r: { weight?: number }) => r.weight ?? (destinations.length === 1 ? 100 : 0);
  return destinations.filter((r) => isCanary(r.destination)).reduce((sum, r) => sum + weightOf(r), 0);
};

/** Readers tried in order; add one per router kind. */
export const CANARY_WEIGHT_READERS: Record<string, CanaryWeightReader> = {
  istio: istioCanaryWeight,
};

/** The canary's traffic share according to the first router that has objects for this app; 0 if none. */
export function currentCanaryWeight(sim: KubeSimulator, namespace: string, stableName: string): number {
  for (const read of Object.values(CANARY_WEIGHT_READERS)) {
    const weight = read(sim.store, namespace, stableName);
    if (weight !== undefined) return weight;
  }
  return 0;
}
