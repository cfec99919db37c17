/**
 * What each data plane exports for the traffic the generator produced, in Prometheus text format.
 * The metric names, labels and the way each data plane marks the canary's and the stable's requests
 * follow the table in docs/metrics.md, which cites each data plane's own documentation or source —
 * never the built-in queries of src/metrics. Series are split the way a real scrape sees them: one
 * per proxy/controller pod and per extra label value (source workload, method, status), so every
 * query must aggregate.
 *
 * Splitting keeps every series a monotonic counter: slot i of k gets floor((c + i) / k) of a
 * cumulative count c (Hermite's identity: the slots sum to c), applied separately to successes,
 * errors and each histogram bucket.
 */
import type { TrafficSnapshot, VersionCounters } from './traffic.ts';
import { LATENCY_BOUNDS_MS } from './traffic.ts';

/** The families the generator can emit (docs/metrics.md, "The table"). */
export type EmittedDataPlane = 'istio' | 'nginx' | 'linkerd' | 'contour' | 'envoy-gateway';
export const EMITTED_DATA_PLANES: readonly EmittedDataPlane[] = ['istio', 'nginx', 'linkerd', 'contour', 'envoy-gateway'];

export interface MetricShapeOptions {
  namespace: string;
  /** Deployments (= Istio destination_workload, Linkerd deployment). */
  stable: string;
  canary: string;
  /** The Service each version's requests were sent to (web-stable / web-canary for Service-backed routers). */
  stableService: string;
  canaryService: string;
  /** The user's Ingress (ingress-nginx `ingress` label: the main Ingress of the location). */
  ingress: string;
  /** The HTTPRoute (Envoy Gateway cluster stat name). */
  httpRoute: string;
  servicePort: number;
  /** Pods per version, for the per-pod series of sidecars (default stable 2, canary 1). */
  pods?: { stable: number; canary: number };
  dataPlanes?: readonly EmittedDataPlane[];
}

type Labels = Record<string, string>;

const split = (c: number, i: number, k: number): number => Math.floor((c + i) / k);

function fmt(l: Labels): string {
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',')}}`;
}

/** Deterministic pod names and IPs (a ReplicaSet hash and a suffix, as Kubernetes names them). */
function pods(workload: string, n: number, seed: number): Array<{ name: string; ip: string; hash: string }> {
  const hash = (5_000_000 + ((seed * 7919 + workload.length * 104_729) % 4_000_000)).toString(36).slice(0, 9);
  return Array.from({ length: n }, (_, i) => ({
    name: `${workload}-${hash}-${(i * 36_481 + 11_111).toString(36).slice(0, 5).padEnd(5, 'x')}`,
    ip: `10.${(seed % 200) + 20}.${i + 1}.${(workload.length * 13 + i * 7) % 250}`,
    hash,
  }));
}

/** Collects series per metric family: the exposition format wants a family's lines together. */
class Writer {
  private readonly families = new Map<string, string[]>();

  type(name: string, kind: 'counter' | 'histogram', help: string): void {
    if (!this.families.has(name)) this.families.set(name, [`# HELP ${name} ${help || name}`, `# TYPE ${name} ${kind}`]);
  }

  private family(name: string): string[] {
    return this.families.get(name)!;
  }

  text(): string {
    return `${[...this.families.values()].flat().join('\n')}\n`;
  }

  /** A counter split over slots, one series per slot and status: successes and errors separately. */
  counter(name: string, slots: Labels[], c: VersionCounters, ok: Labels, failed: Labels): void {
    const k = slots.length;
    const out = this.family(name);
    slots.forEach((slot, i) => {
      out.push(`${name}${fmt({ ...slot, ...ok })} ${split(c.requests - c.errors, i, k)}`);
      // A series appears with its first increment, as in client libraries.
      if (c.errors > 0) out.push(`${name}${fmt({ ...slot, ...failed })} ${split(c.errors, i, k)}`);
    });
  }

  /** A cumulative histogram split over slots; `scale` converts the generator's ms to the unit. */
  histogram(name: string, slots: Labels[], c: VersionCounters, scale: number): void {
    const k = slots.length;
    const out = this.family(name);
    slots.forEach((slot, i) => {
      LATENCY_BOUNDS_MS.forEach((b, j) => out.push(`${name}_bucket${fmt({ ...slot, le: String(b * scale) })} ${split(c.buckets[j]!, i, k)}`));
      out.push(`${name}_bucket${fmt({ ...slot, le: '+Inf' })} ${split(c.requests, i, k)}`);
      out.push(`${name}_sum${fmt(slot)} ${(c.sumMs * scale) / k}`);
      out.push(`${name}_count${fmt(slot)} ${split(c.requests, i, k)}`);
    });
  }
}

interface Version {
  role: 'stable' | 'canary';
  workload: string;
  service: string;
  counters: VersionCounters;
  pods: Array<{ name: string; ip: string; hash: string }>;
}

function istio(w: Writer, o: MetricShapeOptions, versions: Version[]): void {
  // Istio standard metrics (istio.io/latest/docs/reference/config/metrics): every request is
  // reported by the client proxy (reporter="source") and the server's sidecar (reporter="destination").
  const gatewayPods = pods('istio-ingressgateway', 2, 1);
  const sources: Labels[] = [
    { source_workload: 'istio-ingressgateway', source_workload_namespace: 'istio-system', source_app: 'istio-ingressgateway', source_canonical_service: 'istio-ingressgateway' },
    { source_workload: 'frontend', source_workload_namespace: o.namespace, source_app: 'frontend', source_canonical_service: 'frontend' },
  ];
  w.type('istio_requests_total', 'counter', 'Requests handled by an Istio proxy.');
  w.type('istio_request_duration_milliseconds', 'histogram', 'Duration of requests.');
  for (const v of versions) {
    const dest: Labels = {
      destination_workload: v.workload,
      destination_workload_namespace: o.namespace,
      destination_app: o.stable,
      destination_version: 'unknown',
      destination_canonical_service: o.stable,
      destination_canonical_revision: 'latest',
      destination_service: `${v.service}.${o.namespace}.svc.cluster.local`,
      destination_service_name: v.service,
      destination_service_namespace: o.namespace,
      destination_cluster: 'Kubernetes',
      request_protocol: 'http',
      response_flags: '-',
    };
    const server = v.pods.flatMap((p) =>
      sources.map((s) => ({ job: 'kubernetes-pods', instance: `${p.ip}:15020`, namespace: o.namespace, pod: p.name, reporter: 'destination', ...s, ...dest, connection_security_policy: 'mutual_tls' })),
    );
    const client = gatewayPods.map((p) => ({
      job: 'kubernetes-pods',
      instance: `${p.ip}:15020`,
      namespace: 'istio-system',
      pod: p.name,
      reporter: 'source',
      ...sources[0]!,
      ...dest,
      connection_security_policy: 'unknown',
    }));
    for (const slots of [server, client]) {
      w.counter('istio_requests_total', slots, v.counters, { response_code: '200' }, { response_code: '500', response_flags: '-' });
      w.histogram('istio_request_duration_milliseconds', slots.map((s) => ({ ...s, response_code: '200' })), v.counters, 1);
    }
  }
}

function nginx(w: Writer, o: MetricShapeOptions, versions: Version[]): void {
  // ingress-nginx socket.go / monitor.lua: one series per controller pod (const labels) and
  // status/method/path; `ingress` and `service` are the main Ingress location's — during a rollout its
  // backend is the stable-only Service — and `canary` is the alternative upstream
  // <namespace>-<service>-<port> when the canary served the request (balancer.lua), "" otherwise.
  const controllers = pods('ingress-nginx-controller', 2, 2);
  w.type('nginx_ingress_controller_requests', 'counter', 'The total number of client requests');
  w.type('nginx_ingress_controller_response_duration_seconds', 'histogram', 'The time spent on receiving the response from the upstream server');
  for (const v of versions) {
    const slots = controllers.flatMap((p) =>
      ['GET', 'POST'].map((method) => ({
        job: 'ingress-nginx-controller-metrics',
        instance: `${p.ip}:10254`,
        controller_class: 'k8s.io/ingress-nginx',
        controller_namespace: 'ingress-nginx',
        controller_pod: p.name,
        namespace: o.namespace,
        ingress: o.ingress,
        service: o.stableService,
        canary: v.role === 'canary' ? `${o.namespace}-${o.canaryService}-${o.servicePort}` : '',
        method,
        path: '/',
      })),
    );
    w.counter('nginx_ingress_controller_requests', slots, v.counters, { status: '200' }, { status: '500' });
    w.histogram('nginx_ingress_controller_response_duration_seconds', slots.map((s) => ({ ...s, status: '200' })), v.counters, 0.001);
  }
}

function linkerd(w: Writer, o: MetricShapeOptions, versions: Version[]): void {
  // Linkerd proxy metrics (linkerd.io/2/reference/proxy-metrics): the inbound side of each pod's proxy;
  // linkerd-viz's scrape config adds namespace, pod and deployment from the pod.
  const frontend = pods('frontend', 1, 3)[0]!;
  w.type('response_total', 'counter', 'Total count of HTTP responses.');
  w.type('response_latency_ms', 'histogram', 'Elapsed times between a request\'s headers being received and its response stream completing');
  for (const v of versions) {
    const authority = `${v.service}.${o.namespace}.svc.cluster.local:${o.servicePort}`;
    const inbound = v.pods.map((p) => ({
      job: 'linkerd-proxy',
      instance: `${p.ip}:4191`,
      control_plane_ns: 'linkerd',
      namespace: o.namespace,
      pod: p.name,
      deployment: v.workload,
      pod_template_hash: p.hash,
      direction: 'inbound',
      authority,
      tls: 'true',
      client_id: `frontend.${o.namespace}.serviceaccount.identity.linkerd.cluster.local`,
      srv_kind: 'default',
      srv_name: 'all-unauthenticated',
      target_addr: `${p.ip}:8080`,
    }));
    // The calling pod's outbound side sees the same requests under its own deployment.
    const outbound = [
      {
        job: 'linkerd-proxy',
        instance: `${frontend.ip}:4191`,
        control_plane_ns: 'linkerd',
        namespace: o.namespace,
        pod: frontend.name,
        deployment: 'frontend',
        pod_template_hash: frontend.hash,
        direction: 'outbound',
        authority,
        tls: 'true',
        dst_deployment: v.workload,
        dst_namespace: o.namespace,
        dst_service: v.service,
      },
    ];
    for (const slots of [inbound, outbound]) {
      w.counter('response_total', slots, v.counters, { classification: 'success', status_code: '200' }, { classification: 'failure', status_code: '500' });
      w.histogram('response_latency_ms', slots.map((s) => ({ ...s, status_code: '200' })), v.counters, 1);
    }
  }
}

function envoyLabels(instance: { ip: string; name: string }, namespace: string): Labels {
  return { job: 'envoy-stats', instance: `${instance.ip}:8002`, namespace, pod: instance.name };
}

function contour(w: Writer, o: MetricShapeOptions, versions: Version[]): void {
  // Contour (internal/envoy/v3 cluster alt_stat_name): one cluster per Service port, stats named
  // <namespace>_<service>_<port>; Envoy's Prometheus output puts it in envoy_cluster_name.
  const envoys = pods('envoy', 2, 4);
  w.type('envoy_cluster_upstream_rq', 'counter', '');
  w.type('envoy_cluster_upstream_rq_time', 'histogram', '');
  for (const v of versions) {
    const slots = envoys.map((p) => ({ ...envoyLabels(p, 'projectcontour'), envoy_cluster_name: `${o.namespace}_${v.service}_${o.servicePort}` }));
    w.counter('envoy_cluster_upstream_rq', slots, v.counters, { envoy_response_code: '200' }, { envoy_response_code: '500' });
    w.histogram('envoy_cluster_upstream_rq_time', slots, v.counters, 1);
  }
}

function envoyGateway(w: Writer, o: MetricShapeOptions, versions: Version[]): void {
  // Envoy Gateway (EnvoyProxy clusterStatName default %ROUTE_KIND%/%ROUTE_NAMESPACE%/%ROUTE_NAME%/rule/
  // %ROUTE_RULE_NUMBER%): one cluster per route rule holding both backendRefs, so one series sums them.
  const envoys = pods('envoy-default-eg', 2, 5);
  const sum: VersionCounters = {
    requests: versions.reduce((s, v) => s + v.counters.requests, 0),
    errors: versions.reduce((s, v) => s + v.counters.errors, 0),
    buckets: LATENCY_BOUNDS_MS.map((_, j) => versions.reduce((s, v) => s + v.counters.buckets[j]!, 0)).concat([versions.reduce((s, v) => s + v.counters.requests, 0)]),
    sumMs: versions.reduce((s, v) => s + v.counters.sumMs, 0),
  };
  if (sum.requests === 0) return;
  const slots = envoys.map((p) => ({ ...envoyLabels(p, 'envoy-gateway-system'), envoy_cluster_name: `httproute/${o.namespace}/${o.httpRoute}/rule/0` }));
  w.type('envoy_cluster_upstream_rq', 'counter', '');
  w.type('envoy_cluster_upstream_rq_time', 'histogram', '');
  w.counter('envoy_cluster_upstream_rq', slots, sum, { envoy_response_code: '200' }, { envoy_response_code: '500' });
  w.histogram('envoy_cluster_upstream_rq_time', slots, sum, 1);
}

/** Prometheus text exposition of the selected families for both versions. */
export function renderDataPlaneMetrics(o: MetricShapeOptions, snap: TrafficSnapshot): string {
  const n = o.pods ?? { stable: 2, canary: 1 };
  const versions: Version[] = (
    [
      { role: 'stable', workload: o.stable, service: o.stableService, counters: snap.stable, pods: pods(o.stable, n.stable, 11) },
      { role: 'canary', workload: o.canary, service: o.canaryService, counters: snap.canary, pods: pods(o.canary, n.canary, 12) },
    ] as Version[]
  ).filter((v) => v.counters.requests > 0);
  const w = new Writer();
  const planes = new Set(o.dataPlanes ?? EMITTED_DATA_PLANES);
  if (planes.has('istio')) istio(w, o, versions);
  if (planes.has('nginx')) nginx(w, o, versions);
  if (planes.has('linkerd')) linkerd(w, o, versions);
  if (planes.has('contour')) contour(w, o, versions);
  if (planes.has('envoy-gateway')) envoyGateway(w, o, versions);
  return w.text();
}
