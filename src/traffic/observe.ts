/**
 * Reads the routing objects back and computes which share of requests would reach the canary — for
 * the simulator's traffic generator (which splits generated traffic by it) and for tests. Pure over a
 * synchronous object reader (the simulator's KubeStore fits), so it models the data plane, not the
 * router: a Service backend that selects both versions contributes its share of ready canary pods,
 * exactly as kube-proxy would spread it.
 */
import type { KubeObject } from '../kube/types.ts';
import { asArray, hostNamesService, isRecord } from './common.ts';
import { type RouterKind, type RouterOptions, resolveNames } from './config.ts';
import { CANARY_SUBSET, OWN_ROUTE_PREFIX, STABLE_SUBSET, targetRouteIndexes, type VirtualService } from './istio.ts';
import { type HTTPRoute, targetRuleIndexes } from './gateway-api.ts';
import { A, type Ingress } from './nginx.ts';
import { TRACK_LABEL, type RouterTarget } from './router.ts';
import { parseQuantity, type TrafficSplit } from './smi.ts';
import type { DeploymentObject, ServiceObject } from './services.ts';
import type { TraefikService, WeightedService } from './traefik.ts';

/** Synchronous read access to cluster objects; any served apiVersion of the kind may be asked for. */
export interface ObjectReader {
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
}

export interface ObservedWeight {
  /** Share of requests reaching the canary, 0..100 (not rounded). */
  canaryPercent: number;
  /** Which object the number came from, for logs. */
  source: string;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podsOf(dep: DeploymentObject): number {
  const ready = dep.status?.readyReplicas;
  return typeof ready === 'number' ? ready : (dep.spec?.replicas ?? 0);
}

/** Fraction (0..1) of a Service's ready pods that are canary pods; 0 when it selects none. */
export function serviceCanaryFraction(reader: ObjectReader, namespace: string, service: string): number {
  const svc = reader.get('v1', 'Service', namespace, service) as ServiceObject | undefined;
  const selector = svc?.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return 0;
  let canary = 0;
  let total = 0;
  for (const dep of reader.list('apps/v1', 'Deployment', namespace) as DeploymentObject[]) {
    const labels = dep.spec?.template?.metadata?.labels ?? {};
    if (!matches(selector, labels)) continue;
    const n = podsOf(dep);
    total += n;
    if (labels[TRACK_LABEL] === 'canary') canary += n;
  }
  return total > 0 ? canary / total : 0;
}

function firstServed(reader: ObjectReader, versions: string[], kind: string, namespace: string, name: string): KubeObject | undefined {
  for (const v of versions) {
    const o = reader.get(v, kind, namespace, name);
    if (o) return o;
  }
  return undefined;
}

function weighted(parts: { weight: number; fraction: number }[]): number | undefined {
  const total = parts.reduce((s, p) => s + p.weight, 0);
  if (!(total > 0)) return undefined;
  return (100 * parts.reduce((s, p) => s + p.weight * p.fraction, 0)) / total;
}

/**
 * The canary's share of requests that carry no forced-routing header or cookie, as routed by the
 * objects of router `kind` for `target`. Falls back to the user's Service (pods of both versions)
 * when the routing object does not exist.
 */
export function currentWeightFromCluster(
  reader: ObjectReader,
  kind: RouterKind,
  target: RouterTarget,
  options: RouterOptions = {},
): ObservedWeight {
  const ns = target.namespace;
  const names = resolveNames(target.stable, options);
  const viaService = (name: string, why: string): ObservedWeight => ({
    canaryPercent: 100 * serviceCanaryFraction(reader, ns, name),
    source: `${why}: Service ${ns}/${name} pod ratio`,
  });

  switch (kind) {
    case 'replicas':
      return viaService(names.service, 'replicas');

    case 'istio': {
      const vs = firstServed(reader, ['networking.istio.io/v1', 'networking.istio.io/v1beta1'], 'VirtualService', ns, names.virtualService) as
        | VirtualService
        | undefined;
      const i = vs ? targetRouteIndexes(vs, names.service, ns, options.routes)[0] : undefined;
      const route = i === undefined ? undefined : vs?.spec.http?.[i];
      if (!vs || !route || (route.name ?? '').startsWith(OWN_ROUTE_PREFIX)) return viaService(names.service, 'no VirtualService route');
      const parts = (asArray(route.route) as { destination?: { host?: string; subset?: string }; weight?: number }[]).map((d, _, all) => {
        const w = typeof d.weight === 'number' ? d.weight : all.length === 1 ? 100 : 0;
        const subset = d.destination?.subset;
        const host = String(d.destination?.host ?? '');
        const svcName = hostNamesService(host, names.service, ns) ? names.service : host.split('.')[0] ?? host;
        const fraction = subset === CANARY_SUBSET ? 1 : subset === STABLE_SUBSET ? 0 : serviceCanaryFraction(reader, ns, svcName);
        return { weight: w, fraction };
      });
      const pct = weighted(parts);
      return pct === undefined
        ? viaService(names.service, 'VirtualService route without weights')
        : { canaryPercent: pct, source: `VirtualService ${ns}/${names.virtualService} route ${route.name ?? i}` };
    }

    case 'gateway-api': {
      const hr = firstServed(reader, ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], 'HTTPRoute', ns, names.httpRoute) as
        | HTTPRoute
        | undefined;
      const i = hr ? targetRuleIndexes(hr, names, ns, options.routes)[0] : undefined;
      const rule = i === undefined ? undefined : hr?.spec.rules?.[i];
      if (!hr || !rule) return viaService(names.service, 'no HTTPRoute rule');
      const pct = weighted(
        (asArray(rule.backendRefs) as { name: string; weight?: number }[]).map((b) => ({
          weight: typeof b.weight === 'number' ? b.weight : 1,
          fraction: serviceCanaryFraction(reader, ns, b.name),
        })),
      );
      return pct === undefined
        ? viaService(names.service, 'HTTPRoute rule with zero weights')
        : { canaryPercent: pct, source: `HTTPRoute ${ns}/${names.httpRoute} rule ${rule.name ?? i}` };
    }

    case 'nginx': {
      const stable = reader.get('networking.k8s.io/v1', 'Ingress', ns, names.ingress) as Ingress | undefined;
      if (!stable) return viaService(names.service, 'no stable Ingress');
      let stableBackend = names.service;
      for (const r of asArray(stable.spec?.rules) as { http?: { paths?: { backend?: { service?: { name?: string } } }[] } }[]) {
        for (const p of asArray(r.http?.paths) as { backend?: { service?: { name?: string } } }[]) {
          const n = p.backend?.service?.name;
          if (n === names.service || n === names.stableService) stableBackend = n;
        }
      }
      const canaryIng = reader.get('networking.k8s.io/v1', 'Ingress', ns, names.canaryIngress) as Ingress | undefined;
      const a = canaryIng?.metadata.annotations ?? {};
      const w = a[A.canary] === 'true' ? Number(a[A.weight] ?? '0') / Number(a[A.weightTotal] ?? '100') : 0;
      const share = Number.isFinite(w) ? Math.min(1, Math.max(0, w)) : 0;
      const stableFrac = serviceCanaryFraction(reader, ns, stableBackend);
      const canaryFrac = share > 0 ? serviceCanaryFraction(reader, ns, names.canaryService) : 0;
      return {
        canaryPercent: 100 * (share * canaryFrac + (1 - share) * stableFrac),
        source: `Ingress ${ns}/${names.canaryIngress} canary-weight ${a[A.weight] ?? 'none'} + ${ns}/${names.ingress} → ${stableBackend}`,
      };
    }

    case 'traefik': {
      const ts = firstServed(reader, ['traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'], 'TraefikService', ns, names.traefikService) as
        | TraefikService
        | undefined;
      const services = asArray(ts?.spec.weighted?.services) as WeightedService[];
      const pct = weighted(
        services.filter(isRecord).map((s) => ({ weight: typeof s.weight === 'number' ? s.weight : 1, fraction: serviceCanaryFraction(reader, ns, s.name) })),
      );
      return pct === undefined ? viaService(names.service, 'no TraefikService weights') : { canaryPercent: pct, source: `TraefikService ${ns}/${names.traefikService}` };
    }

    case 'smi': {
      const ts = firstServed(
        reader,
        ['split.smi-spec.io/v1alpha4', 'split.smi-spec.io/v1alpha3', 'split.smi-spec.io/v1alpha2', 'split.smi-spec.io/v1alpha1'],
        'TrafficSplit',
        ns,
        names.trafficSplit,
      ) as TrafficSplit | undefined;
      const pct = weighted(
        (asArray(ts?.spec?.backends) as TrafficSplit['spec']['backends']).map((b) => {
          const w = parseQuantity(b.weight);
          return { weight: Number.isFinite(w) ? w : 0, fraction: serviceCanaryFraction(reader, ns, b.service) };
        }),
      );
      return pct === undefined ? viaService(names.service, 'no TrafficSplit') : { canaryPercent: pct, source: `TrafficSplit ${ns}/${names.trafficSplit}` };
    }
  }
}
