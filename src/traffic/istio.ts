/**
 * Istio: weights on the VirtualService http routes that send to the Service host, split between the
 * DestinationRule subsets `stable` (canary-gate.io/track=stable) and `canary`
 * (canary-gate.io/track=canary). Other routes of the VirtualService are never touched.
 *
 * Routes canary-gate adds are named `canary-gate-*` and sit right before the route they serve:
 * a forced-canary route (header and/or cookie match) and, with `sticky`, a route that keeps users
 * who got a canary cookie on the canary. setWeight() writes them, reset() removes them.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import {
  RouterError,
  asArray,
  checkWeight,
  cookieRegex,
  createIfAbsent,
  hasOriginal,
  hostNamesService,
  isManaged,
  isRecord,
  managedLabels,
  percentOf,
  refTo,
  rememberOriginal,
  split,
  takeOriginal,
  updateObject,
} from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import { TRACK_LABEL, type RouterTarget, type TrafficRouter, type VerifyOptions } from './router.ts';
import { ISTIO_VERSIONS, servedVersion } from './served-version.ts';
import { checkStableTrackLabel } from './services.ts';

const STABLE_SUBSET = 'stable';
const CANARY_SUBSET = 'canary';
const OWN_ROUTE_PREFIX = 'canary-gate-';

type Json = Record<string, unknown>;

interface Destination extends Json {
  destination: { host: string; subset?: string; port?: unknown; [key: string]: unknown };
  weight?: number;
}

interface HttpRoute extends Json {
  name?: string;
  match?: Json[];
  route?: Destination[];
}

export interface VirtualService extends KubeObject {
  spec: { hosts?: string[]; http?: HttpRoute[]; [key: string]: unknown };
}

export interface DestinationRule extends KubeObject {
  spec: { host: string; subsets?: { name: string; labels?: Record<string, string>; [key: string]: unknown }[]; [key: string]: unknown };
}

export interface IstioRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

const isOwnRoute = (r: HttpRoute): boolean => typeof r.name === 'string' && r.name.startsWith(OWN_ROUTE_PREFIX);

/** A route without match conditions, or with a match entry that only says "any path": it catches everything. */
function matchesEveryRequest(route: HttpRoute): boolean {
  const matches = asArray(route.match) as Json[];
  if (matches.length === 0) return true;
  return matches.some((m) =>
    Object.entries(m).every(([key, value]) => {
      if (key === 'name') return true;
      if (key !== 'uri' || !isRecord(value)) return false;
      return (value.prefix === '/' || value.regex === '.*') && Object.keys(value).length === 1;
    }),
  );
}

/** The http routes canary-gate weights: named ones, else every route whose destinations are all the service. */
function targetRouteIndexes(vs: VirtualService, service: string, namespace: string, names?: string[]): number[] {
  const http = asArray(vs.spec.http) as HttpRoute[];
  const out: number[] = [];
  http.forEach((r, i) => {
    if (isOwnRoute(r)) return;
    if (names && names.length > 0) {
      if (r.name !== undefined && names.includes(r.name)) out.push(i);
      return;
    }
    const dests = asArray(r.route) as Destination[];
    if (dests.length > 0 && dests.every((d) => isRecord(d.destination) && hostNamesService(String(d.destination.host), service, namespace))) {
      out.push(i);
    }
  });
  return out;
}

/** Canary percent of one http route (destinations of the canary subset against the rest). */
function routeCanaryPercent(route: HttpRoute): number {
  const dests = asArray(route.route) as Destination[];
  let stable = 0;
  let canary = 0;
  for (const d of dests) {
    const w = typeof d.weight === 'number' ? d.weight : dests.length === 1 ? 100 : 0;
    if (d.destination?.subset === CANARY_SUBSET) canary += w;
    else stable += w;
  }
  return percentOf(stable, canary);
}

function withHeaderMatch(matches: Json[] | undefined, header: string, condition: Json): Json[] {
  const base = matches && matches.length > 0 ? matches : [{}];
  return base.map((m) => ({ ...structuredClone(m), headers: { ...(isRecord(m.headers) ? m.headers : {}), [header]: condition } }));
}

/** Rewrites one target route in place for `canary` percent and returns the routes to insert before it. */
function weightRoute(route: HttpRoute, canary: number, options: RouterOptions, index: number): HttpRoute[] {
  const dests = asArray(route.route) as Destination[];
  const base = structuredClone(dests.find((d) => d.destination?.subset !== CANARY_SUBSET) ?? dests[0]);
  if (!base) throw new Error('route without destinations');
  const { stable } = split(canary);
  const stableDest: Destination = { ...base, destination: { ...base.destination, subset: STABLE_SUBSET }, weight: stable };
  const canaryDest: Destination = { ...structuredClone(base), destination: { ...base.destination, subset: CANARY_SUBSET }, weight: canary };
  if (options.sticky) {
    const headers = isRecord(canaryDest.headers) ? canaryDest.headers : {};
    const response = isRecord(headers.response) ? headers.response : {};
    const add = isRecord(response.add) ? response.add : {};
    canaryDest.headers = {
      ...headers,
      response: {
        ...response,
        add: { ...add, 'set-cookie': `${options.sticky.cookie}=${CANARY_SUBSET}; Max-Age=${options.sticky.maxAgeSeconds}; Path=/` },
      },
    };
  }
  route.route = [stableDest, canaryDest];

  const suffix = route.name ?? String(index);
  const toCanary = (): Destination[] => [{ destination: { ...base.destination, subset: CANARY_SUBSET }, weight: 100 }];
  const extra: HttpRoute[] = [];
  const matches = asArray(route.match) as Json[];
  const forcedMatches: Json[] = [];
  if (options.header) forcedMatches.push(...withHeaderMatch(matches, options.header.name, { exact: options.header.value }));
  if (options.cookie) forcedMatches.push(...withHeaderMatch(matches, 'cookie', { regex: cookieRegex(options.cookie.name, 'always') }));
  if (forcedMatches.length > 0) extra.push({ name: `${OWN_ROUTE_PREFIX}forced-${suffix}`, match: forcedMatches, route: toCanary() });
  if (options.sticky && canary > 0) {
    extra.push({
      name: `${OWN_ROUTE_PREFIX}sticky-${suffix}`,
      match: withHeaderMatch(matches, 'cookie', { regex: cookieRegex(options.sticky.cookie, CANARY_SUBSET) }),
      route: toCanary(),
    });
  }
  return extra;
}

const routeKey = (route: HttpRoute, index: number): string => `http:${route.name ?? index}`;
const ADDED_SUBSETS = 'added-subsets';

export class IstioRouter implements TrafficRouter {
  readonly name = 'istio';
  private readonly deps: IstioRouterDeps;
  private apiVersion: string | undefined;

  constructor(deps: IstioRouterDeps) {
    this.deps = deps;
  }

  private async version(): Promise<string> {
    this.apiVersion ??= await servedVersion(this.deps.kube, this.name, 'VirtualService', ISTIO_VERSIONS, 'is Istio installed?');
    return this.apiVersion;
  }

  private async vsRef() {
    return refTo(await this.version(), 'VirtualService', this.deps.target.namespace, this.deps.names.virtualService);
  }

  private async drRef() {
    return refTo(await this.version(), 'DestinationRule', this.deps.target.namespace, this.deps.names.destinationRule);
  }

  private where(): string {
    return `VirtualService ${this.deps.target.namespace}/${this.deps.names.virtualService}`;
  }

  private targets(vs: VirtualService): number[] {
    const { names, target, options } = this.deps;
    const idx = targetRouteIndexes(vs, names.service, target.namespace, options.routes);
    if (options.routes) {
      const found = new Set(idx.map((i) => vs.spec.http?.[i]?.name));
      const missing = options.routes.filter((n) => !found.has(n));
      if (missing.length > 0) {
        throw new RouterError(this.name, `${this.where()} has no http route named ${missing.join(', ')}; fix routing.route.`);
      }
    }
    if (idx.length === 0) {
      throw new RouterError(
        this.name,
        `${this.where()} has no http route whose destinations are all host ${names.service}; ` +
          'add one (or name the route in routing.route).',
      );
    }
    return idx;
  }

  async verify(opts: VerifyOptions = {}): Promise<void> {
    const { kube, target, names } = this.deps;
    if (!opts.stableLabelPending) await checkStableTrackLabel(this.name, kube, target);
    const vs = await kube.get<VirtualService>(await this.vsRef());
    if (!vs) throw new RouterError(this.name, `${this.where()} not found; create it (routing.virtual-service names it).`);
    const http = asArray(vs.spec.http) as HttpRoute[];
    for (const i of this.targets(vs)) {
      const route = vs.spec.http?.[i] as HttpRoute;
      // Istio uses the first route that matches a request: one before ours that matches every
      // request leaves ours (and its weights) unreachable.
      const shadow = http.slice(0, i).findIndex((r) => !isOwnRoute(r) && matchesEveryRequest(r));
      if (shadow >= 0) {
        throw new RouterError(
          this.name,
          `${this.where()} route ${route.name ?? i} is never reached: route ${http[shadow]?.name ?? shadow} before it matches every request, ` +
            'and Istio uses the first matching route, so the canary weights would not apply; move the weighted route above it or give that route a match.',
        );
      }
      for (const d of asArray(route.route) as Destination[]) {
        const subset = d.destination?.subset;
        if (subset !== undefined && subset !== STABLE_SUBSET && subset !== CANARY_SUBSET) {
          throw new RouterError(
            this.name,
            `${this.where()} route ${route.name ?? i} sends to subset "${subset}"; canary-gate weights subsets ${STABLE_SUBSET}/${CANARY_SUBSET}: ` +
              'remove the subset from the route (or route to the whole host).',
          );
        }
      }
    }
    const dr = await kube.get<DestinationRule>(await this.drRef());
    if (dr) {
      if (!hostNamesService(String(dr.spec.host), names.service, target.namespace)) {
        throw new RouterError(
          this.name,
          `DestinationRule ${target.namespace}/${names.destinationRule} is for host ${dr.spec.host}, expected ${names.service}; fix routing.destination-rule.`,
        );
      }
      for (const [subset, track] of [
        [STABLE_SUBSET, 'stable'],
        [CANARY_SUBSET, 'canary'],
      ] as const) {
        const s = dr.spec.subsets?.find((x) => x.name === subset);
        if (s && s.labels?.[TRACK_LABEL] !== track) {
          throw new RouterError(
            this.name,
            `DestinationRule ${target.namespace}/${names.destinationRule} subset "${subset}" must select ${TRACK_LABEL}=${track} ` +
              `(found ${JSON.stringify(s.labels ?? {})}); change it or remove the subset so that canary-gate adds it.`,
          );
        }
      }
    }
  }

  /** Adds the subsets (creating the DestinationRule when missing), then pins the routes to 100 % stable. */
  async prepare(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    const ref = await this.drRef();
    const subsets = [
      { name: STABLE_SUBSET, labels: { [TRACK_LABEL]: 'stable' } },
      { name: CANARY_SUBSET, labels: { [TRACK_LABEL]: 'canary' } },
    ];
    const existing = await kube.get<DestinationRule>(ref);
    const created =
      !existing &&
      (await createIfAbsent<DestinationRule>(kube, {
        apiVersion: ref.apiVersion,
        kind: 'DestinationRule',
        metadata: { name: ref.name, namespace: target.namespace, labels: managedLabels() },
        spec: { host: names.service, subsets },
      }));
    if (created) {
      log(`created DestinationRule ${target.namespace}/${ref.name} with subsets ${STABLE_SUBSET}, ${CANARY_SUBSET}`);
    } else {
      let added: string[] = [];
      await updateObject<DestinationRule>(kube, ref, (dr) => {
        const have = dr.spec.subsets ?? [];
        const missing = subsets.filter((s) => !have.some((h) => h.name === s.name));
        added = missing.map((m) => m.name);
        if (missing.length === 0) return false;
        dr.spec.subsets = [...have, ...missing];
        // Remember which subsets are ours, so cleanup() never removes subsets the user wrote.
        rememberOriginal(dr, ADDED_SUBSETS, missing.map((m) => m.name));
        return true;
      }, this.deps.options.conflictRetry);
      if (added.length > 0) log(`added subsets ${added.join(', ')} to DestinationRule ${target.namespace}/${ref.name}`);
    }
    // Subsets must exist before a route names them, else Envoy answers 503 for that route.
    await this.writeRoutes(0, false);
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    await this.writeRoutes(canaryPercent, true);
    this.deps.log(`istio: ${this.where()} stable=${100 - canaryPercent} canary=${canaryPercent}`);
  }

  private async writeRoutes(canary: number, withMatchRoutes: boolean): Promise<void> {
    const ref = await this.vsRef();
    const updated = await updateObject<VirtualService>(
      this.deps.kube,
      ref,
      (vs) => {
        const before = JSON.stringify([vs.spec.http ?? [], vs.metadata.annotations ?? {}]);
        const http = (asArray(vs.spec.http) as HttpRoute[]).filter((r) => !isOwnRoute(r));
        vs.spec.http = http;
        const targets = new Set(this.targets(vs));
        const out: HttpRoute[] = [];
        http.forEach((r, i) => {
          if (targets.has(i)) {
            rememberOriginal(vs, routeKey(r, i), r.route);
            const extra = weightRoute(r, canary, this.deps.options, i);
            if (withMatchRoutes) out.push(...extra);
          }
          out.push(r);
        });
        vs.spec.http = out;
        return JSON.stringify([out, vs.metadata.annotations ?? {}]) !== before;
      },
      this.deps.options.conflictRetry,
    );
    if (!updated) throw new RouterError(this.name, `${this.where()} not found; create it (routing.virtual-service names it).`);
  }

  async getWeight(): Promise<number> {
    const vs = await this.deps.kube.get<VirtualService>(await this.vsRef());
    if (!vs) return 0;
    const idx = targetRouteIndexes(vs, this.deps.names.service, this.deps.target.namespace, this.deps.options.routes);
    const first = idx[0] === undefined ? undefined : vs.spec.http?.[idx[0]];
    return first ? routeCanaryPercent(first) : 0;
  }

  /**
   * 100 % stable on the routes canary-gate rewrote (those with a recorded original), its own
   * forced/sticky routes removed. Routes without a record — a VirtualService never prepared — are
   * the user's and left exactly as they are.
   */
  async reset(): Promise<void> {
    const { kube, log } = this.deps;
    const ref = await this.vsRef();
    const vs = await kube.get<VirtualService>(ref);
    if (!vs) {
      log(`istio: reset: ${this.where()} not found, nothing to reset`);
      return;
    }
    const marked = (asArray(vs.spec.http) as HttpRoute[]).some((r, i) => isOwnRoute(r) || hasOriginal(vs, routeKey(r, i)));
    if (!marked) return;
    await updateObject<VirtualService>(
      kube,
      ref,
      (v) => {
        const before = JSON.stringify(v.spec.http ?? []);
        const http = (asArray(v.spec.http) as HttpRoute[]).filter((r) => !isOwnRoute(r));
        http.forEach((r, i) => {
          if (hasOriginal(v, routeKey(r, i))) weightRoute(r, 0, this.deps.options, i);
        });
        v.spec.http = http;
        return JSON.stringify(http) !== before;
      },
      this.deps.options.conflictRetry,
    );
    log(`istio: ${this.where()} reset to stable=100 canary=0`);
  }

  /** Recorded routes back to their originals, then our subsets (or our DestinationRule) removed — in that order. */
  async cleanup(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await updateObject<VirtualService>(
      kube,
      await this.vsRef(),
      (vs) => {
        const before = JSON.stringify([vs.spec.http ?? [], vs.metadata.annotations ?? {}]);
        const http = (asArray(vs.spec.http) as HttpRoute[]).filter((r) => !isOwnRoute(r));
        vs.spec.http = http;
        // Only routes canary-gate recorded go back; any other route is the user's and stays as it is.
        http.forEach((route, i) => {
          const original = takeOriginal<Destination[]>(vs, routeKey(route, i));
          if (original) route.route = original;
        });
        return JSON.stringify([vs.spec.http, vs.metadata.annotations ?? {}]) !== before;
      },
      this.deps.options.conflictRetry,
    );
    const drRef = await this.drRef();
    const dr = await kube.get<DestinationRule>(drRef);
    if (!dr) return;
    if (isManaged(dr)) {
      if (await kube.delete(drRef)) log(`deleted DestinationRule ${target.namespace}/${drRef.name}`);
      return;
    }
    await updateObject<DestinationRule>(kube, drRef, (d) => {
      const added = takeOriginal<string[]>(d, ADDED_SUBSETS);
      if (!added) return false;
      d.spec.subsets = (d.spec.subsets ?? []).filter((s) => !added.includes(s.name));
      return true;
    }, this.deps.options.conflictRetry);
  }

  notes(): string[] {
    const notes: string[] = [];
    if (this.deps.options.sticky) {
      notes.push(
        `Sticky sessions: a user routed to the canary gets cookie ${this.deps.options.sticky.cookie}=canary and stays on the canary; ` +
          'users on stable are not pinned (they may reach the canary on a later request, then stay), so the share of users on the canary grows a little above the weight. ' +
          'Istio consistentHash would only pin a user to a pod inside the version chosen by weight, not to a version, so it is not used.',
      );
    }
    return notes;
  }
}
