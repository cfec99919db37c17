/**
 * Built-in PromQL for the common case, per data plane, so a user writes no query to gate on
 * success rate, p99 latency and the canary's share of traffic. The metric names, labels and the way
 * each data plane tells the canary's requests from the stable's are in docs/metrics.md, with the
 * data plane's own documentation or source for each; this file encodes that table and nothing else.
 *
 * Each query is a template rendered once per version: the role (canary / stable) picks the label
 * matchers; {{target}} is that version's workload, {{stable-service}} / {{canary-service}} the
 * Services the Service-backed routers send each version's traffic to.
 */

export type VersionRole = 'canary' | 'stable';

/** Data planes with built-in queries (docs/metrics.md, "The table"). */
export const DATA_PLANES = ['istio', 'nginx', 'linkerd', 'istio-gateway', 'contour'] as const;
export type DataPlane = (typeof DATA_PLANES)[number];

export interface RouterFamily {
  dataPlane: DataPlane;
  /** Label matchers selecting one version's traffic (without braces). */
  selector(role: VersionRole): string;
  /**
   * Matchers that select every request of the workload's traffic whatever the version (the
   * preflight lists label values under it when a version's selector finds nothing).
   */
  scope: string;
  /** The labels that tell the versions apart (what the preflight lists values of). */
  versionLabels: readonly string[];
  /** Counter of requests. */
  requests: string;
  /** Extra matcher that selects failed requests. */
  errorMatcher: string;
  /** Histogram (name without _bucket) of request durations. */
  histogram: string;
  /** Multiply the histogram's `le` by this to get milliseconds. */
  histogramToMs: number;
}

// Istio standard metrics: the server-side sidecar (reporter="destination") names the workload that
// served the request.
const ISTIO: RouterFamily = {
  dataPlane: 'istio',
  selector: () => 'reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload="{{target}}"',
  scope: 'reporter="destination",destination_workload_namespace="{{namespace}}"',
  versionLabels: ['destination_workload'],
  requests: 'istio_requests_total',
  errorMatcher: 'response_code=~"5.."',
  histogram: 'istio_request_duration_milliseconds',
  histogramToMs: 1,
};

// ingress-nginx (monitor.lua, balancer.lua): `ingress` is the main Ingress of the location (canary
// Ingresses are merged into it); `canary` is the alternative upstream `<ns>-<service>-<port>` when the
// canary backend served the request, "" otherwise.
const NGINX: RouterFamily = {
  dataPlane: 'nginx',
  selector: (role) =>
    `namespace="{{namespace}}",ingress="{{ingress}}",` +
    (role === 'canary' ? 'canary=~"{{namespace}}-{{canary-service}}-.+"' : 'canary=""'),
  scope: 'namespace="{{namespace}}"',
  versionLabels: ['ingress', 'canary'],
  requests: 'nginx_ingress_controller_requests',
  errorMatcher: 'status=~"5.."',
  histogram: 'nginx_ingress_controller_response_duration_seconds',
  histogramToMs: 1000,
};

// Linkerd proxy metrics: the inbound side of each pod; linkerd-viz's scrape adds `deployment`.
const LINKERD: RouterFamily = {
  dataPlane: 'linkerd',
  selector: () => 'direction="inbound",namespace="{{namespace}}",deployment="{{target}}"',
  scope: 'direction="inbound",namespace="{{namespace}}"',
  versionLabels: ['deployment'],
  requests: 'response_total',
  errorMatcher: 'classification="failure"',
  histogram: 'response_latency_ms',
  histogramToMs: 1,
};

// Istio as a Gateway API implementation: the gateway is a client-side proxy (reporter="source") and
// names the Service it sent the request to — the router's web-stable / web-canary.
const ISTIO_GATEWAY: RouterFamily = {
  dataPlane: 'istio-gateway',
  selector: (role) =>
    `reporter="source",destination_service_namespace="{{namespace}}",destination_service_name="{{${role}-service}}"`,
  scope: 'reporter="source",destination_service_namespace="{{namespace}}"',
  versionLabels: ['destination_service_name'],
  requests: 'istio_requests_total',
  errorMatcher: 'response_code=~"5.."',
  histogram: 'istio_request_duration_milliseconds',
  histogramToMs: 1,
};

// Contour: one Envoy cluster per Service port, stats named `<namespace>_<service>_<port>`.
const CONTOUR: RouterFamily = {
  dataPlane: 'contour',
  selector: (role) => `envoy_cluster_name=~"{{namespace}}_{{${role}-service}}_[0-9]+"`,
  scope: 'envoy_cluster_name=~"{{namespace}}_.+"',
  versionLabels: ['envoy_cluster_name'],
  requests: 'envoy_cluster_upstream_rq',
  errorMatcher: 'envoy_response_code=~"5.."',
  histogram: 'envoy_cluster_upstream_rq_time',
  histogramToMs: 1,
};

export const DATA_PLANE_FAMILIES: Readonly<Record<DataPlane, RouterFamily>> = {
  istio: ISTIO,
  nginx: NGINX,
  linkerd: LINKERD,
  'istio-gateway': ISTIO_GATEWAY,
  contour: CONTOUR,
};

/** The data plane a router implies on its own; gateway-api depends on the implementation. */
export const ROUTER_DATA_PLANE: Readonly<Record<string, DataPlane>> = {
  istio: 'istio',
  nginx: 'nginx',
  smi: 'linkerd',
};

/**
 * The data plane of a Gateway API implementation, from the controllerName of its GatewayClass (or
 * of the HTTPRoute's parent status). Undefined when built-ins cannot tell the versions apart there —
 * Envoy Gateway puts every backendRef of a rule in one cluster — or the implementation is unknown.
 */
export function dataPlaneOfController(controllerName: string): DataPlane | undefined {
  if (controllerName.startsWith('istio.io/')) return 'istio-gateway';
  if (controllerName.startsWith('projectcontour.io/')) return 'contour';
  if (controllerName.startsWith('linkerd.io/')) return 'linkerd';
  return undefined;
}

/** Why a controller has no built-ins (for the error that asks for data-plane: or query:). */
export function whyNoBuiltins(controllerName: string): string {
  if (controllerName.startsWith('gateway.envoyproxy.io/')) {
    return 'Envoy Gateway puts every backendRef of a rule in one Envoy cluster, so its stats sum the canary and the stable';
  }
  return `canary-gate has no built-in queries for the Gateway API implementation "${controllerName}"`;
}

export interface BuiltinQueries {
  /** The judged value over the window. */
  value: string;
  /** Requests in the window (min-requests). */
  windowRequests: string;
  /** Cumulative counters and histogram, for sequential judges. */
  requests: string;
  errors: string;
  buckets: string;
}

export interface BuiltinMetric {
  description: string;
  unit: string;
  direction: 'lower-is-better' | 'higher-is-better';
  /** The sequential judge that fits this metric. */
  sequentialKind: 'error-rate' | 'latency';
  quantile?: number;
  queries(family: RouterFamily, role: VersionRole): BuiltinQueries;
  /** Datadog v2: named sub-queries and the formula over them (docs/metrics.md, "Datadog (APM)"). */
  datadog: { queries: Record<string, string>; formula: string };
}

/**
 * Datadog APM trace metrics (docs.datadoghq.com/tracing/metrics/metrics_namespace):
 * trace.<SPAN_NAME>.hits / .errors counts and the trace.<SPAN_NAME> latency distribution (seconds),
 * tagged with the unified service tags; `version` tells the versions apart ({{version}} is each
 * version's image tag).
 */
const DD_SELECTOR = '{service:{{dd-service}},version:{{version}}}';
const ddHits = `sum:trace.{{span-name}}.hits${DD_SELECTOR}.as_count()`;
const ddErrors = `sum:trace.{{span-name}}.errors${DD_SELECTOR}.as_count()`;

function common(f: RouterFamily, role: VersionRole): Omit<BuiltinQueries, 'value'> {
  const sel = f.selector(role);
  return {
    windowRequests: `sum(increase(${f.requests}{${sel}}[{{interval}}]))`,
    requests: `sum(${f.requests}{${sel}})`,
    errors: `sum(${f.requests}{${sel},${f.errorMatcher}}) or vector(0)`,
    buckets: `sum by (le) (${f.histogram}_bucket{${sel}})`,
  };
}

export const BUILTIN_METRICS: Readonly<Record<string, BuiltinMetric>> = {
  'request-success-rate': {
    description: 'percentage of requests that did not fail (5xx) over the interval',
    unit: '%',
    direction: 'higher-is-better',
    sequentialKind: 'error-rate',
    datadog: { queries: { a: ddHits, b: ddErrors }, formula: '100 * (a - b) / a' },
    queries: (f, role) => {
      const sel = f.selector(role);
      return {
        ...common(f, role),
        // No errors at all is a missing series, hence `or vector(0)`; no requests stays empty
        // (no data), never 100 %.
        value:
          `100 * (1 - ((sum(rate(${f.requests}{${sel},${f.errorMatcher}}[{{interval}}])) or vector(0))` +
          ` / sum(rate(${f.requests}{${sel}}[{{interval}}]))))`,
      };
    },
  },
  'request-error-rate': {
    description: 'percentage of requests that failed (5xx) over the interval',
    unit: '%',
    direction: 'lower-is-better',
    sequentialKind: 'error-rate',
    datadog: { queries: { a: ddHits, b: ddErrors }, formula: '100 * b / a' },
    queries: (f, role) => {
      const sel = f.selector(role);
      return {
        ...common(f, role),
        value:
          `100 * ((sum(rate(${f.requests}{${sel},${f.errorMatcher}}[{{interval}}])) or vector(0))` +
          ` / sum(rate(${f.requests}{${sel}}[{{interval}}])))`,
      };
    },
  },
  'request-latency-p99': {
    description: '99th percentile request duration in milliseconds over the interval',
    unit: 'ms',
    direction: 'lower-is-better',
    sequentialKind: 'latency',
    quantile: 0.99,
    datadog: { queries: { a: `p99:trace.{{span-name}}${DD_SELECTOR}` }, formula: '1000 * a' },
    queries: (f, role) => {
      const sel = f.selector(role);
      const scale = f.histogramToMs === 1 ? '' : ` * ${f.histogramToMs}`;
      return {
        ...common(f, role),
        value: `histogram_quantile(0.99, sum by (le) (rate(${f.histogram}_bucket{${sel}}[{{interval}}])))${scale}`,
      };
    },
  },
};
