/**
 * Per-request routing in the simulator: given one request's headers and cookies, which share of such
 * requests the routing objects in the store send to the canary and to stable — the data plane's
 * matching rules as each layer documents them:
 * - istio: the first VirtualService http route whose match (any of its entries, all conditions of
 *   an entry) fits the request, header conditions `exact` / `prefix` / `regex` (RE2 full match);
 * - gateway-api: among every rule's matches that fit, the one with the most header conditions
 *   (Gateway API precedence after the path, which is `/` here), earlier rule on ties;
 * - nginx: the canary Ingress's `canary-by-header` (`-value`, or `always`/`never`) first, then
 *   `canary-by-cookie` (`always`/`never`), then `canary-weight`;
 * - traefik, smi, replicas: no request matching, the weights (and pod ratios) only.
 * A backend that is the user's Service (both versions) contributes its share of ready canary pods.
 * Pure over a synchronous object reader (the simulator's KubeStore fits).
 */
import type { KubeObject } from '../kube/types.ts';
import { resolveNames, type RouterKind, type RouterOptions } from '../traffic/config.ts';
import { A } from '../traffic/nginx.ts';
import { serviceCanaryFraction, type ObjectReader } from '../traffic/observe.ts';
import type { RouterTarget } from '../traffic/router.ts';

export interface RequestFacts {
  /** Header names are matched case-insensitively. */
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

export interface RouteDecision {
  /** Share (0..100) of requests like this one that reach the canary. */
  canaryPercent: number;
  /** Share (0..100) that reach stable; canaryPercent + stablePercent = 100 whenever a backend exists. */
  stablePercent: number;
  /** The request matched a rule that sends it to one version whatever the weights. */
  forced: boolean;
  /** Which route/rule/annotation decided, for messages. */
  via: string;
}

type Backend = { weight: number; fraction: number };

const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function firstServed(reader: ObjectReader, versions: string[], kind: string, ns: string, name: string): KubeObject | undefined {
  for (const v of versions) {
    const o = reader.get(v, kind, ns, name);
    if (o) return o;
  }
  return undefined;
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
  const canary = backends.reduce((s, b) => s + b.weight * b.fraction, 0);
  const stable = backends.reduce((s, b) => s + b.weight * (1 - b.fraction), 0);
  return { canaryPercent: (100 * canary) / total, stablePercent: (100 * stable) / total, forced, via };
}

function viaService(reader: ObjectReader, ns: string, service: string, why: string): RouteDecision {
  const f = serviceCanaryFraction(reader, ns, service);
  return { canaryPercent: 100 * f, stablePercent: 100 * (1 - f), forced: false, via: `${why}: Service ${ns}/${service} pod ratio` };
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

/**
 * How the routing objects of router `kind` for `target` treat one request. `options` names the
 * objects like the router's own (defaults from the stable Deployment's name).
 */
export function routeRequest(reader: ObjectReader, kind: RouterKind, target: RouterTarget, req: RequestFacts = {}, options: RouterOptions = {}): RouteDecision {
  const ns = target.namespace;
  const names = resolveNames(target.stable, options);
  const headers = headerMap(req);
  const fraction = (service: string) => serviceCanaryFraction(reader, ns, service);

  switch (kind) {
    case 'istio': {
      const vs = firstServed(reader, ['networking.istio.io/v1', 'networking.istio.io/v1beta1'], 'VirtualService', ns, names.virtualService);
      const http = asList<{ name?: string; match?: Record<string, unknown>[]; route?: { destination?: { host?: string; subset?: string }; weight?: number }[] }>(
        (vs?.spec as { http?: unknown } | undefined)?.http,
      );
      const index = http.findIndex((r) => asList(r.match).length === 0 || asList<Record<string, unknown>>(r.match).some((m) => istioMatchFits(m, headers)));
      const route = http[index];
      if (!vs || !route) return viaService(reader, ns, names.service, 'no matching VirtualService route');
      const dests = asList<{ destination?: { host?: string; subset?: string }; weight?: number }>(route.route);
      const decision = split(
        dests.map((d) => ({
          weight: typeof d.weight === 'number' ? d.weight : dests.length === 1 ? 100 : 0,
          fraction: d.destination?.subset === 'canary' ? 1 : d.destination?.subset === 'stable' ? 0 : fraction((d.destination?.host ?? names.service).split('.')[0] ?? names.service),
        })),
        `VirtualService ${ns}/${names.virtualService} route ${route.name ?? index}`,
        asList(route.match).length > 0,
      );
      return decision ?? viaService(reader, ns, names.service, 'VirtualService route without weights');
    }

    case 'gateway-api': {
      const hr = firstServed(reader, ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], 'HTTPRoute', ns, names.httpRoute);
      const rules = asList<{ name?: string; matches?: { headers?: GatewayHeaderMatch[] }[]; backendRefs?: { name: string; weight?: number }[] }>(
        (hr?.spec as { rules?: unknown } | undefined)?.rules,
      );
      let best: { rule: (typeof rules)[number]; index: number; headerCount: number } | undefined;
      rules.forEach((rule, index) => {
        const matches = asList<{ headers?: GatewayHeaderMatch[] }>(rule.matches);
        for (const m of matches.length > 0 ? matches : [{}]) {
          if (!gatewayMatchFits(m, headers)) continue;
          const headerCount = asList(m.headers).length;
          if (!best || headerCount > best.headerCount) best = { rule, index, headerCount };
        }
      });
      if (!hr || !best) return viaService(reader, ns, names.service, 'no matching HTTPRoute rule');
      const decision = split(
        asList<{ name: string; weight?: number }>(best.rule.backendRefs).map((b) => ({ weight: typeof b.weight === 'number' ? b.weight : 1, fraction: fraction(b.name) })),
        `HTTPRoute ${ns}/${names.httpRoute} rule ${best.rule.name ?? best.index}`,
        best.headerCount > 0,
      );
      return decision ?? viaService(reader, ns, names.service, 'HTTPRoute rule with zero weights');
    }

    case 'nginx': {
      const stable = reader.get('networking.k8s.io/v1', 'Ingress', ns, names.ingress);
      if (!stable) return viaService(reader, ns, names.service, 'no stable Ingress');
      let stableBackend = names.service;
      for (const r of asList<{ http?: { paths?: unknown } }>((stable.spec as { rules?: unknown } | undefined)?.rules)) {
        for (const p of asList<{ backend?: { service?: { name?: string } } }>(r.http?.paths)) {
          const n = p.backend?.service?.name;
          if (n === names.service || n === names.stableService) stableBackend = n;
        }
      }
      const canaryIng = reader.get('networking.k8s.io/v1', 'Ingress', ns, names.canaryIngress);
      const a = canaryIng?.metadata.annotations ?? {};
      const stableSide = { weight: 1, fraction: fraction(stableBackend) };
      const canarySide = { weight: 1, fraction: fraction(names.canaryService) };
      const where = `Ingress ${ns}/${names.canaryIngress}`;
      if (a[A.canary] === 'true') {
        const byHeader = a[A.byHeader];
        const headerValue = byHeader ? headers.get(byHeader.toLowerCase()) : undefined;
        if (byHeader && headerValue !== undefined) {
          const wanted = a[A.byHeaderValue];
          if (wanted !== undefined ? headerValue === wanted : headerValue === 'always') return split([canarySide], `${where} canary-by-header`, true)!;
          if (wanted === undefined && headerValue === 'never') return split([stableSide], `${where} canary-by-header never`, true)!;
        }
        const byCookie = a[A.byCookie];
        const cookie = byCookie ? cookieValue(req, byCookie) : undefined;
        if (cookie === 'always') return split([canarySide], `${where} canary-by-cookie`, true)!;
        if (cookie === 'never') return split([stableSide], `${where} canary-by-cookie never`, true)!;
      }
      const w = a[A.canary] === 'true' ? Number(a[A.weight] ?? '0') / Number(a[A.weightTotal] ?? '100') : 0;
      const share = Number.isFinite(w) ? Math.min(1, Math.max(0, w)) : 0;
      return split(
        [
          { weight: share, fraction: canarySide.fraction },
          { weight: 1 - share, fraction: stableSide.fraction },
        ],
        `${where} canary-weight ${a[A.weight] ?? 'none'} + ${ns}/${names.ingress} → ${stableBackend}`,
      )!;
    }

    case 'traefik': {
      const ts = firstServed(reader, ['traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'], 'TraefikService', ns, names.traefikService);
      const services = asList<{ name: string; weight?: number }>((ts?.spec as { weighted?: { services?: unknown } } | undefined)?.weighted?.services);
      return (
        split(
          services.map((s) => ({ weight: typeof s.weight === 'number' ? s.weight : 1, fraction: fraction(s.name) })),
          `TraefikService ${ns}/${names.traefikService}`,
        ) ?? viaService(reader, ns, names.service, 'no TraefikService weights')
      );
    }

    case 'smi': {
      const ts = firstServed(
        reader,
        ['split.smi-spec.io/v1alpha4', 'split.smi-spec.io/v1alpha3', 'split.smi-spec.io/v1alpha2', 'split.smi-spec.io/v1alpha1'],
        'TrafficSplit',
        ns,
        names.trafficSplit,
      );
      const backends = asList<{ service: string; weight: number | string }>((ts?.spec as { backends?: unknown } | undefined)?.backends);
      return (
        split(
          backends.map((b) => ({ weight: quantity(b.weight), fraction: fraction(b.service) })),
          `TrafficSplit ${ns}/${names.trafficSplit}`,
        ) ?? viaService(reader, ns, names.service, 'no TrafficSplit')
      );
    }

    case 'replicas':
      return viaService(reader, ns, names.service, 'replicas');
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
