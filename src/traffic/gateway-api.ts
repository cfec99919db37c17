/**
 * Gateway API: weighted backendRefs on the HTTPRoute rules that send to the service — the stable-only
 * and canary-only Services (see services.ts). Works with every implementation that supports weighted
 * backendRefs: Linkerd, Istio in Gateway API mode, Envoy Gateway, Cilium, Kong, NGINX Gateway Fabric.
 *
 * Forced canary users get an extra rule (same matches plus a header or cookie match, which Gateway API
 * ranks above the plain rule); with `sticky`, the canary backendRef sets a cookie and a rule matching
 * that cookie keeps the user on the canary. Extra rules are named `canary-gate-*`.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import {
  RouterError,
  asArray,
  checkWeight,
  cookieRegex,
  hasOriginal,
  isRecord,
  percentOf,
  refTo,
  rememberOriginal,
  split,
  takeOriginal,
  updateObject,
} from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import type { RouterTarget, TrafficRouter, VerifyOptions } from './router.ts';
import { GATEWAY_API_VERSIONS, servedVersion } from './served-version.ts';
import { checkStableTrackLabel, deleteTrackServices, ensureTrackServices, verifyTrackServices } from './services.ts';

const OWN_RULE_PREFIX = 'canary-gate-';

type Json = Record<string, unknown>;

export interface BackendRef extends Json {
  name: string;
  group?: string;
  kind?: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: Json[];
}

export interface HttpRouteRule extends Json {
  name?: string;
  matches?: Json[];
  backendRefs?: BackendRef[];
}

export interface HTTPRoute extends KubeObject {
  spec: { rules?: HttpRouteRule[]; [key: string]: unknown };
}

export interface GatewayApiRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

const ruleKey = (rule: HttpRouteRule, index: number): string => `rule:${rule.name ?? index}`;
const isService = (b: BackendRef): boolean => (b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service';
const isOwnRule = (r: HttpRouteRule): boolean => typeof r.name === 'string' && r.name.startsWith(OWN_RULE_PREFIX);

/** Rules to weight: named ones, else every rule whose backends are all the service (or its per-version Services). */
function targetRuleIndexes(route: HTTPRoute, names: ResolvedNames, namespace: string, ruleNames?: string[]): number[] {
  const ours = new Set([names.service, names.stableService, names.canaryService]);
  const out: number[] = [];
  (asArray(route.spec.rules) as HttpRouteRule[]).forEach((r, i) => {
    if (isOwnRule(r)) return;
    if (ruleNames && ruleNames.length > 0) {
      if (r.name !== undefined && ruleNames.includes(r.name)) out.push(i);
      return;
    }
    const refs = asArray(r.backendRefs) as BackendRef[];
    if (refs.length > 0 && refs.every((b) => isService(b) && (b.namespace ?? namespace) === namespace && ours.has(b.name))) out.push(i);
  });
  return out;
}

function ruleCanaryPercent(rule: HttpRouteRule, canaryService: string): number {
  const refs = asArray(rule.backendRefs) as BackendRef[];
  let stable = 0;
  let canary = 0;
  for (const b of refs) {
    const w = typeof b.weight === 'number' ? b.weight : 1; // Gateway API default weight is 1
    if (b.name === canaryService) canary += w;
    else stable += w;
  }
  return percentOf(stable, canary);
}

function withExtraMatch(matches: Json[] | undefined, header: Json): Json[] {
  const base = matches && matches.length > 0 ? matches : [{ path: { type: 'PathPrefix', value: '/' } }];
  return base.map((m) => ({ ...structuredClone(m), headers: [...(asArray(m.headers) as Json[]), header] }));
}

/** Rewrites one rule in place for `canary` percent; returns the rules to add for forced/sticky users. */
function weightRule(rule: HttpRouteRule, canary: number, names: ResolvedNames, options: RouterOptions, index: number): HttpRouteRule[] {
  const refs = asArray(rule.backendRefs) as BackendRef[];
  const base = structuredClone(refs.find((b) => b.name !== names.canaryService) ?? refs[0]);
  if (!base) throw new Error('rule without backendRefs');
  const { stable } = split(canary);
  const stableRef: BackendRef = { ...structuredClone(base), name: names.stableService, weight: stable };
  const canaryRef: BackendRef = { ...structuredClone(base), name: names.canaryService, weight: canary };
  if (options.sticky) {
    canaryRef.filters = [
      ...(asArray(base.filters) as Json[]),
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          add: [{ name: 'Set-Cookie', value: `${options.sticky.cookie}=canary; Max-Age=${options.sticky.maxAgeSeconds}; Path=/` }],
        },
      },
    ];
  }
  rule.backendRefs = [stableRef, canaryRef];

  const suffix = rule.name ?? String(index);
  const only = (): BackendRef[] => [{ ...structuredClone(base), name: names.canaryService, weight: 1 }];
  const keep = (r: HttpRouteRule): Json => {
    const out: Json = {};
    for (const k of ['filters', 'timeouts']) if (r[k] !== undefined) out[k] = structuredClone(r[k]);
    return out;
  };
  const extra: HttpRouteRule[] = [];
  const matches = asArray(rule.matches) as Json[];
  if (options.header) {
    extra.push({
      ...keep(rule),
      name: `${OWN_RULE_PREFIX}header-${suffix}`.slice(0, 253),
      matches: withExtraMatch(matches, { type: 'Exact', name: options.header.name, value: options.header.value }),
      backendRefs: only(),
    });
  }
  if (options.cookie) {
    extra.push({
      ...keep(rule),
      name: `${OWN_RULE_PREFIX}cookie-${suffix}`.slice(0, 253),
      matches: withExtraMatch(matches, { type: 'RegularExpression', name: 'Cookie', value: cookieRegex(options.cookie.name, 'always') }),
      backendRefs: only(),
    });
  }
  if (options.sticky && canary > 0) {
    extra.push({
      ...keep(rule),
      name: `${OWN_RULE_PREFIX}sticky-${suffix}`.slice(0, 253),
      matches: withExtraMatch(matches, { type: 'RegularExpression', name: 'Cookie', value: cookieRegex(options.sticky.cookie, 'canary') }),
      backendRefs: only(),
    });
  }
  return extra;
}

export class GatewayApiRouter implements TrafficRouter {
  readonly name = 'gateway-api';
  private readonly deps: GatewayApiRouterDeps;
  private apiVersion: string | undefined;

  constructor(deps: GatewayApiRouterDeps) {
    this.deps = deps;
  }

  private async ref() {
    this.apiVersion ??= await servedVersion(this.deps.kube, this.name, 'HTTPRoute', GATEWAY_API_VERSIONS, 'install the Gateway API CRDs.');
    return refTo(this.apiVersion, 'HTTPRoute', this.deps.target.namespace, this.deps.names.httpRoute);
  }

  private where(): string {
    return `HTTPRoute ${this.deps.target.namespace}/${this.deps.names.httpRoute}`;
  }

  private targets(route: HTTPRoute): number[] {
    const { names, target, options } = this.deps;
    const idx = targetRuleIndexes(route, names, target.namespace, options.routes);
    if (options.routes) {
      const found = new Set(idx.map((i) => route.spec.rules?.[i]?.name));
      const missing = options.routes.filter((n) => !found.has(n));
      if (missing.length > 0) throw new RouterError(this.name, `${this.where()} has no rule named ${missing.join(', ')}; fix routing.route.`);
    }
    if (idx.length === 0) {
      throw new RouterError(
        this.name,
        `${this.where()} has no rule whose backendRefs are all Service ${names.service} (or ${names.stableService}/${names.canaryService}); ` +
          'point a rule at the Service or name the rule in routing.route.',
      );
    }
    return idx;
  }

  async verify(opts: VerifyOptions = {}): Promise<void> {
    const { kube, target, names } = this.deps;
    if (!opts.stableLabelPending) await checkStableTrackLabel(this.name, kube, target);
    await verifyTrackServices(this.name, kube, target.namespace, names);
    const route = await kube.get<HTTPRoute>(await this.ref());
    if (!route) throw new RouterError(this.name, `${this.where()} not found; create it (routing.http-route names it).`);
    for (const i of this.targets(route)) {
      const refs = asArray(route.spec.rules?.[i]?.backendRefs) as BackendRef[];
      if (refs.some((b) => !isRecord(b) || typeof b.port !== 'number')) {
        throw new RouterError(this.name, `${this.where()} rule ${route.spec.rules?.[i]?.name ?? i}: every Service backendRef needs a port.`);
      }
    }
  }

  async prepare(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await ensureTrackServices(this.name, kube, target.namespace, names, log);
    await this.writeRules(0, false);
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    await this.writeRules(canaryPercent, true);
    this.deps.log(`gateway-api: ${this.where()} stable=${100 - canaryPercent} canary=${canaryPercent}`);
  }

  private async writeRules(canary: number, withMatchRules: boolean): Promise<void> {
    const updated = await updateObject<HTTPRoute>(
      this.deps.kube,
      await this.ref(),
      (route) => {
        const before = JSON.stringify([route.spec.rules ?? [], route.metadata.annotations ?? {}]);
        const rules = (asArray(route.spec.rules) as HttpRouteRule[]).filter((r) => !isOwnRule(r));
        route.spec.rules = rules;
        const targets = new Set(this.targets(route));
        const extra: HttpRouteRule[] = [];
        rules.forEach((r, i) => {
          if (!targets.has(i)) return;
          rememberOriginal(route, ruleKey(r, i), r.backendRefs);
          const more = weightRule(r, canary, this.deps.names, this.deps.options, i);
          if (withMatchRules) extra.push(...more);
        });
        route.spec.rules = [...rules, ...extra];
        if (route.spec.rules.length > 16) {
          throw new RouterError(this.name, `${this.where()} would need ${route.spec.rules.length} rules (the limit is 16); drop header/cookie/sticky or name fewer routes.`);
        }
        return JSON.stringify([route.spec.rules, route.metadata.annotations ?? {}]) !== before;
      },
      this.deps.options.conflictRetry,
    );
    if (!updated) throw new RouterError(this.name, `${this.where()} not found; create it (routing.http-route names it).`);
  }

  async getWeight(): Promise<number> {
    const route = await this.deps.kube.get<HTTPRoute>(await this.ref());
    if (!route) return 0;
    const idx = targetRuleIndexes(route, this.deps.names, this.deps.target.namespace, this.deps.options.routes);
    const rule = idx[0] === undefined ? undefined : route.spec.rules?.[idx[0]];
    return rule ? ruleCanaryPercent(rule, this.deps.names.canaryService) : 0;
  }

  /** 100 % stable on the rules canary-gate rewrote (recorded originals), its own rules removed; other rules untouched. */
  async reset(): Promise<void> {
    const { kube, log } = this.deps;
    const ref = await this.ref();
    const route = await kube.get<HTTPRoute>(ref);
    if (!route) {
      log(`gateway-api: reset: ${this.where()} not found, nothing to reset`);
      return;
    }
    const marked = (asArray(route.spec.rules) as HttpRouteRule[]).some((r, i) => isOwnRule(r) || hasOriginal(route, ruleKey(r, i)));
    if (!marked) return;
    await updateObject<HTTPRoute>(
      kube,
      ref,
      (r) => {
        const before = JSON.stringify(r.spec.rules ?? []);
        const rules = (asArray(r.spec.rules) as HttpRouteRule[]).filter((x) => !isOwnRule(x));
        rules.forEach((rule, i) => {
          if (hasOriginal(r, ruleKey(rule, i))) weightRule(rule, 0, this.deps.names, this.deps.options, i);
        });
        r.spec.rules = rules;
        return JSON.stringify(rules) !== before;
      },
      this.deps.options.conflictRetry,
    );
    log(`gateway-api: ${this.where()} reset to stable=100 canary=0`);
  }

  /** Recorded rules back to their originals (call after the canary is scaled to 0), then our Services deleted. */
  async cleanup(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await updateObject<HTTPRoute>(
      kube,
      await this.ref(),
      (route) => {
        const before = JSON.stringify([route.spec.rules ?? [], route.metadata.annotations ?? {}]);
        const rules = (asArray(route.spec.rules) as HttpRouteRule[]).filter((r) => !isOwnRule(r));
        route.spec.rules = rules;
        // Only rules canary-gate recorded go back; any other rule is the user's and stays as it is.
        rules.forEach((rule, i) => {
          const original = takeOriginal<BackendRef[]>(route, ruleKey(rule, i));
          if (original) rule.backendRefs = original;
        });
        return JSON.stringify([route.spec.rules, route.metadata.annotations ?? {}]) !== before;
      },
      this.deps.options.conflictRetry,
    );
    await deleteTrackServices(kube, target.namespace, names, log);
  }

  notes(): string[] {
    const notes: string[] = [];
    if (this.deps.options.cookie || this.deps.options.sticky) {
      notes.push('Cookie matches use a RegularExpression header match on Cookie, an implementation-specific Gateway API feature: check that your gateway supports it.');
    }
    if (this.deps.options.sticky) {
      notes.push(
        `Sticky sessions: users routed to the canary get cookie ${this.deps.options.sticky.cookie}=canary and stay there; users on stable are not pinned.`,
      );
    }
    return notes;
  }
}
