/**
 * The simulator's data plane: given one request's headers and cookies, which share of such requests
 * the routing objects in the store send to the canary and to stable — read as each proxy reads them,
 * never through the routers' own code (so a router bug cannot agree with itself):
 * - istio: the first VirtualService http route whose match (any of its entries, all conditions of
 *   an entry) fits the request (Istio: "the first rule matching an incoming request is used"),
 *   header conditions `exact` / `prefix` / `regex` (RE2 full match); a destination is a host (a
 *   Service) and optionally a subset, whose labels come from the DestinationRule for that host;
 * - gateway-api: among every rule's matches that fit, the one with the most header conditions
 *   (Gateway API precedence after the path, which is `/` here), earlier rule on ties; backendRefs
 *   name Services;
 * - nginx: the Ingress names the stable backend; the canary is whichever Ingress in the namespace
 *   carries `nginx.ingress.kubernetes.io/canary: "true"` for the same host and path (ingress-nginx
 *   merges them by host/path, not by name), and its backend is the Service it names; then
 *   `canary-by-header` (`-value`, or `always`/`never`), `canary-by-cookie`, `canary-weight`;
 * - traefik: the weighted services of the TraefikService; smi: the TrafficSplit whose apex is the
 *   Service (the mesh matches by `spec.service`); replicas: the Service itself.
 * A Service spreads requests over its endpoints, as kube-proxy does: the ready pods its selector
 * (and a subset's labels) select. A pod is the canary's when it belongs to the canary Deployment
 * (its ReplicaSet is `<deployment>-<pod-template-hash>`). A share with no endpoint fails (503): it
 * counts neither as canary nor as stable.
 * Served versions come from the reader: the simulator's are those of the CRDs it loads.
 */
import type { RouterKind, RouterOptions } from '../traffic/config.ts';
import type { RouterTarget } from '../traffic/router.ts';

/** Any stored object, as the data plane reads it (the simulator's store and test readers both fit). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    deletionTimestamp?: unknown;
  };
  [key: string]: unknown;
}

/** Synchronous read access to cluster objects, and the version the cluster serves a kind in. */
export interface ObjectReader {
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** A version the cluster serves `group`/`kind` in (the simulator: from the CRDs it loaded); undefined when none. */
  servedVersion(group: string, kind: string): string | undefined;
}

export interface RequestFacts {
  /** Header names are matched case-insensitively. */
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

export interface RouteDecision {
  /** Share (0..100) of requests like this one that reach the canary. */
  canaryPercent: number;
  /** Share (0..100) that reach stable; the rest (if any) found no endpoint. */
  stablePercent: number;
  /** The request matched a rule that sends it to one version whatever the weights. */
  forced: boolean;
  /** Which route/rule/annotation decided, for messages. */
  via: string;
}

/** A backend's weight and the shares of its requests that reach canary and stable pods. */
type Backend = { weight: number; canary: number; stable: number };

const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function customObject(reader: ObjectReader, group: string, kind: string, ns: string, name: string): KubeObject | undefined {
  const version = reader.servedVersion(group, kind);
  return version === undefined ? undefined : reader.get(`${group}/${version}`, kind, ns, name);
}

function customObjects(reader: ObjectReader, group: string, kind: string, ns: string): KubeObject[] {
  const version = reader.servedVersion(group, kind);
  return version === undefined ? [] : reader.list(`${group}/${version}`, kind, ns);
}

/** Header map with lower-case names; the cookies are joined into a Cookie header as a browser does. */
function headerMap(req: RequestFacts): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers ?? {})) map.set(k.toLowerCase(), v);
  const cookies = Object.entries(req.cookies ?? {}).map(([k, v]) => `${k}=${v}`);
  if (cookies.length > 0) map.set('cookie', [map.get('cookie'), ...cookies].filter(Boolean).join('; '));
  return map;
}

function cookieValue(req: RequestFacts, name: string): string | undefined {
  const header = headerMap(req).get('cookie') ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const fullMatch = (re: string, value: string): boolean => new RegExp(`^(?:${re})$`).test(value);

function split(backends: Backend[], via: string, forced = false): RouteDecision | undefined {
  const total = backends.reduce((s, b) => s + b.weight, 0);
  if (!(total > 0)) return undefined;
  const canary = backends.reduce((s, b) => s + b.weight * b.canary, 0);
  const stable = backends.reduce((s, b) => s + b.weight * b.stable, 0);
  return { canaryPercent: (100 * canary) / total, stablePercent: (100 * stable) / total, forced, via };
}

function isReadyPod(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const conditions = asList<{ type?: string; status?: string }>(asRecord(pod.status).conditions);
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The Deployment a pod belongs to: its controlling ReplicaSet is `<deployment>-<pod-template-hash>`. */
function deploymentOfPod(pod: KubeObject): string | undefined {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const rs = asList<{ kind?: string; name?: string; controller?: boolean }>(pod.metadata.ownerReferences).find((o) => o.kind === 'ReplicaSet' && o.controller);
  if (!hash || !rs?.name?.endsWith(`-${hash}`)) return undefined;
  return rs.name.slice(0, -(hash.length + 1));
}

/** How a Service (narrowed by `extra` labels: an Istio subset) spreads requests over its ready endpoints. */
function serviceShares(
  reader: ObjectReader,
  ns: string,
  service: string,
  target: RouterTarget,
  extra: Record<string, string> = {},
  pods: () => KubeObject[] = () => reader.list('v1', 'Pod', ns),
): { canary: number; stable: number } {
  const selector = asRecord(asRecord(reader.get('v1', 'Service', ns, service)?.spec).selector) as Record<string, string>;
  if (Object.keys(selector).length === 0) return { canary: 0, stable: 0 };
  const wanted = { ...selector, ...extra };
  const endpoints = pods()
    .filter((p) => isReadyPod(p) && Object.entries(wanted).every(([k, v]) => p.metadata.labels?.[k] === v));
  if (endpoints.length === 0) return { canary: 0, stable: 0 };
  const canary = endpoints.filter((p) => deploymentOfPod(p) === target.canary).length;
  const stable = endpoints.filter((p) => deploymentOfPod(p) === target.stable).length;
  return { canary: canary / endpoints.length, stable: stable / endpoints.length };
}

function viaService(reader: ObjectReader, ns: string, service: string, target: RouterTarget, why: string): RouteDecision {
  const s = serviceShares(reader, ns, service, target);
  return { canaryPercent: 100 * s.canary, stablePercent: 100 * s.stable, forced: false, via: `${why}: Service ${ns}/${service} endpoints` };
}

interface IstioStringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

function istioHeaderFits(m: IstioStringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return fullMatch(m.regex, value);
  return true;
}

/** Istio match entry: only header conditions are evaluated; a uri condition fits `/` only if it is prefix `/`. */
function istioMatchFits(match: Record<string, unknown>, headers: Map<string, string>): boolean {
  const uri = match.uri as IstioStringMatch | undefined;
  if (uri && !(uri.prefix === '/' || uri.regex === '.*')) return false;
  const wanted = (match.headers ?? {}) as Record<string, IstioStringMatch>;
  return Object.entries(wanted).every(([name, m]) => istioHeaderFits(m, headers.get(name.toLowerCase())));
}

/** `web`, `web.ns`, `web.ns.svc`, `web.ns.svc.cluster.local` → Service and namespace. */
function hostService(host: string, ns: string): { name: string; namespace: string } {
  const [name = host, namespace = ns] = host.split('.');
  return { name, namespace };
}

/** The labels of `subset` in the DestinationRule whose host is that Service (undefined: no such subset). */
function subsetLabels(reader: ObjectReader, ns: string, service: string, subset: string): Record<string, string> | undefined {
  for (const dr of customObjects(reader, 'networking.istio.io', 'DestinationRule', ns)) {
    const spec = asRecord(dr.spec);
    if (hostService(String(spec.host ?? ''), ns).name !== service) continue;
    const found = asList<{ name?: string; labels?: Record<string, string> }>(spec.subsets).find((s) => s.name === subset);
    if (found) return found.labels ?? {};
  }
  return undefined;
}

interface GatewayHeaderMatch {
  type?: string;
  name: string;
  value: string;
}

function gatewayMatchFits(match: { path?: { type?: string; value?: string }; headers?: GatewayHeaderMatch[] }, headers: Map<string, string>): boolean {
  const path = match.path;
  if (path && !(path.value === '/' && (path.type ?? 'PathPrefix') === 'PathPrefix')) return false;
  return asList<GatewayHeaderMatch>(match.headers).every((h) => {
    const value = headers.get(h.name.toLowerCase());
    if (value === undefined) return false;
    return h.type === 'RegularExpression' ? fullMatch(h.value, value) : value === h.value;
  });
}

const NGINX = 'nginx.ingress.kubernetes.io';

/** host|path keys an Ingress serves, with the Service each names. */
function ingressPaths(ing: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of asList<{ host?: string; http?: { paths?: unknown } }>(asRecord(ing.spec).rules)) {
    for (const p of asList<{ path?: string; backend?: { service?: { name?: string } } }>(r.http?.paths)) {
      const svc = p.backend?.service?.name;
      if (svc) out.set(`${r.host ?? '*'}|${p.path ?? '/'}`, svc);
    }
  }
  return out;
}

/**
 * The entry objects are named as docs/routers.md says (the user's Service, defaulting to the stable
 * Deployment's name); everything behind them is followed as the proxy follows it.
 */
export function routeRequest(reader: ObjectReader, kind: RouterKind, target: RouterTarget, req: RequestFacts = {}, options: RouterOptions = {}): RouteDecision {
  const ns = target.namespace;
  const service = options.service ?? target.stable;
  const headers = headerMap(req);
  // One read of the namespace's pods per request, however many backends the route names.
  let podList: KubeObject[] | undefined;
  const pods = (): KubeObject[] => (podList ??= reader.list('v1', 'Pod', ns));
  const shares = (svc: string, extra?: Record<string, string>) => serviceShares(reader, ns, svc, target, extra, pods);

  switch (kind) {
    case 'istio': {
      const name = options.virtualService ?? service;
      const vs = customObject(reader, 'networking.istio.io', 'VirtualService', ns, name);
      const http = asList<{ name?: string; match?: Record<string, unknown>[]; route?: { destination?: { host?: string; subset?: string }; weight?: number }[] }>(
        asRecord(vs?.spec).http,
      );
      const index = http.findIndex((r) => asList(r.match).length === 0 || asList<Record<string, unknown>>(r.match).some((m) => istioMatchFits(m, headers)));
      const route = http[index];
      if (!vs || !route) return viaService(reader, ns, service, target, 'no matching VirtualService route');
      const dests = asList<{ destination?: { host?: string; subset?: string }; weight?: number }>(route.route);
      const decision = split(
        dests.map((d) => {
          const host = hostService(d.destination?.host ?? service, ns);
          const subset = d.destination?.subset;
          const labels = subset === undefined ? {} : subsetLabels(reader, ns, host.name, subset);
          const s = labels === undefined ? { canary: 0, stable: 0 } : shares(host.name, labels);
          return { weight: typeof d.weight === 'number' ? d.weight : dests.length === 1 ? 100 : 0, ...s };
        }),
        `VirtualService ${ns}/${name} route ${route.name ?? index}`,
        asList(route.match).length > 0,
      );
      return decision ?? viaService(reader, ns, service, target, 'VirtualService route without weights');
    }

    case 'gateway-api': {
      const name = options.httpRoute ?? service;
      const hr = customObject(reader, 'gateway.networking.k8s.io', 'HTTPRoute', ns, name);
      const rules = asList<{ name?: string; matches?: { headers?: GatewayHeaderMatch[] }[]; backendRefs?: { name: string; weight?: number }[] }>(asRecord(hr?.spec).rules);
      let best: { rule: (typeof rules)[number]; index: number; headerCount: number } | undefined;
      rules.forEach((rule, index) => {
        const matches = asList<{ headers?: GatewayHeaderMatch[] }>(rule.matches);
        for (const m of matches.length > 0 ? matches : [{}]) {
          if (!gatewayMatchFits(m, headers)) continue;
          const headerCount = asList(m.headers).length;
          if (!best || headerCount > best.headerCount) best = { rule, index, headerCount };
        }
      });
      if (!hr || !best) return viaService(reader, ns, service, target, 'no matching HTTPRoute rule');
      const decision = split(
        asList<{ name: string; weight?: number }>(best.rule.backendRefs).map((b) => ({ weight: typeof b.weight === 'number' ? b.weight : 1, ...shares(b.name) })),
        `HTTPRoute ${ns}/${name} rule ${best.rule.name ?? best.index}`,
        best.headerCount > 0,
      );
      return decision ?? viaService(reader, ns, service, target, 'HTTPRoute rule with zero weights');
    }

    case 'nginx': {
      const name = options.ingress ?? service;
      const main = reader.get('networking.k8s.io/v1', 'Ingress', ns, name);
      if (!main || main.metadata.annotations?.[`${NGINX}/canary`] === 'true') return viaService(reader, ns, service, target, 'no stable Ingress');
      const mainPaths = ingressPaths(main);
      const [key, stableBackend] = [...mainPaths.entries()].find(([, svc]) => svc === service || svc.startsWith(`${service}-`)) ?? [...mainPaths.entries()][0] ?? [];
      if (!key || !stableBackend) return viaService(reader, ns, service, target, 'stable Ingress without a Service backend');
      const canaryIng = reader
        .list('networking.k8s.io/v1', 'Ingress', ns)
        .filter((i) => i.metadata.annotations?.[`${NGINX}/canary`] === 'true' && ingressPaths(i).has(key))
        .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
      const stableSide = { weight: 1, ...shares(stableBackend) };
      if (!canaryIng) return split([stableSide], `Ingress ${ns}/${name} → ${stableBackend}`)!;
      const a = canaryIng.metadata.annotations ?? {};
      const canarySide = { weight: 1, ...shares(ingressPaths(canaryIng).get(key) ?? '') };
      const where = `Ingress ${ns}/${canaryIng.metadata.name ?? ''}`;
      const byHeader = a[`${NGINX}/canary-by-header`];
      const headerValue = byHeader ? headers.get(byHeader.toLowerCase()) : undefined;
      if (byHeader && headerValue !== undefined) {
        const wanted = a[`${NGINX}/canary-by-header-value`];
        if (wanted !== undefined ? headerValue === wanted : headerValue === 'always') return split([canarySide], `${where} canary-by-header`, true)!;
        if (wanted === undefined && headerValue === 'never') return split([stableSide], `${where} canary-by-header never`, true)!;
      }
      const byCookie = a[`${NGINX}/canary-by-cookie`];
      const cookie = byCookie ? cookieValue(req, byCookie) : undefined;
      if (cookie === 'always') return split([canarySide], `${where} canary-by-cookie`, true)!;
      if (cookie === 'never') return split([stableSide], `${where} canary-by-cookie never`, true)!;
      const w = Number(a[`${NGINX}/canary-weight`] ?? '0') / Number(a[`${NGINX}/canary-weight-total`] ?? '100');
      const share = Number.isFinite(w) ? Math.min(1, Math.max(0, w)) : 0;
      return split(
        [
          { ...canarySide, weight: share },
          { ...stableSide, weight: 1 - share },
        ],
        `${where} canary-weight ${a[`${NGINX}/canary-weight`] ?? 'none'} + Ingress ${ns}/${name} → ${stableBackend}`,
      )!;
    }

    case 'traefik': {
      const name = options.traefikService ?? service;
      const ts =
        customObject(reader, 'traefik.io', 'TraefikService', ns, name) ?? customObject(reader, 'traefik.containo.us', 'TraefikService', ns, name);
      const services = asList<{ name: string; kind?: string; weight?: number }>(asRecord(asRecord(ts?.spec).weighted).services);
      return (
        split(
          services.map((s) => ({ weight: typeof s.weight === 'number' ? s.weight : 1, ...((s.kind ?? 'Service') === 'Service' ? shares(s.name) : { canary: 0, stable: 0 }) })),
          `TraefikService ${ns}/${name}`,
        ) ?? viaService(reader, ns, service, target, 'no TraefikService weights')
      );
    }

    case 'smi': {
      const ts = customObjects(reader, 'split.smi-spec.io', 'TrafficSplit', ns)
        .filter((t) => asRecord(t.spec).service === service)
        .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
      const backends = asList<{ service: string; weight: number | string }>(asRecord(ts?.spec).backends);
      return (
        split(
          backends.map((b) => ({ weight: quantity(b.weight), ...shares(b.service) })),
          `TrafficSplit ${ns}/${ts?.metadata.name ?? ''}`,
        ) ?? viaService(reader, ns, service, target, 'no TrafficSplit')
      );
    }

    case 'replicas':
      return viaService(reader, ns, service, target, 'replicas');
  }
}

/** SMI weights: integers (v1alpha2+) or quantities like "750m" (v1alpha1). */
function quantity(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return 0;
  return Number(m[1]) / (m[2] === 'm' ? 1000 : 1);
}

/** Which version one request reaches, given a uniform random number `u` in [0, 1). */
export function pickVersion(decision: RouteDecision, u: number): 'canary' | 'stable' {
  return u * 100 < decision.canaryPercent ? 'canary' : 'stable';
}
