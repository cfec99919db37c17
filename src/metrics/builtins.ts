/**
 * Built-in PromQL for the common case, per traffic router, so a user writes no query to gate on
 * success rate and p99 latency. Each query is a template rendered once per version: the role
 * (canary / stable) picks the label matcher, {{target}} is that version's workload.
 */

export type VersionRole = 'canary' | 'stable';

export interface RouterFamily {
  /** Label matchers selecting one version's traffic (without braces). */
  selector(role: VersionRole): string;
  /** Counter of requests. */
  requests: string;
  /** Extra matcher that selects failed requests. */
  errorMatcher: string;
  /** Histogram (name without _bucket) of request durations. */
  histogram: string;
  /** Multiply the histogram's `le` by this to get milliseconds. */
  histogramToMs: number;
}

const ISTIO: RouterFamily = {
  selector: () =>
    'reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload="{{target}}"',
  requests: 'istio_requests_total',
  errorMatcher: 'response_code=~"5.."',
  histogram: 'istio_request_duration_milliseconds',
  histogramToMs: 1,
};

// ingress-nginx labels each request with the canary upstream's name, or "" when the main backend
// served it: the label's emptiness tells the versions apart.
const NGINX: RouterFamily = {
  selector: (role) => `namespace="{{namespace}}",ingress="{{ingress}}",canary${role === 'canary' ? '!=' : '='}""`,
  requests: 'nginx_ingress_controller_requests',
  errorMatcher: 'status=~"5.."',
  histogram: 'nginx_ingress_controller_response_duration_seconds',
  histogramToMs: 1000,
};

// Envoy (Envoy Gateway, Contour and other Gateway API implementations) names upstream clusters
// namespace_service_port.
const ENVOY: RouterFamily = {
  selector: () => 'envoy_cluster_name=~"{{namespace}}_{{target}}_[0-9]+"',
  requests: 'envoy_cluster_upstream_rq',
  errorMatcher: 'envoy_response_code=~"5.."',
  histogram: 'envoy_cluster_upstream_rq_time',
  histogramToMs: 1,
};

const LINKERD: RouterFamily = {
  selector: () => 'namespace="{{namespace}}",deployment="{{target}}",direction="inbound"',
  requests: 'response_total',
  errorMatcher: 'classification="failure"',
  histogram: 'response_latency_ms',
  histogramToMs: 1,
};

export const ROUTER_FAMILIES: Readonly<Record<string, RouterFamily>> = {
  istio: ISTIO,
  nginx: NGINX,
  'gateway-api': ENVOY,
  envoy: ENVOY,
  linkerd: LINKERD,
  smi: LINKERD,
};

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
}

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
