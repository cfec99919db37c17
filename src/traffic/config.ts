/**
 * The `routing:` section of .github/canary.yml: which router, the names of the objects it drives,
 * forced routing (header, cookie) and session stickiness. Parsed once by the entry point; routers
 * receive the resolved `RouterOptions`.
 */
import { z } from 'zod';
import { InputError } from '../util/errors.ts';
import type { ConflictRetryOptions } from './common.ts';

export const ROUTER_KINDS = ['istio', 'replicas', 'nginx', 'gateway-api', 'traefik', 'smi'] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

/** What a router needs beyond the target; names default from the target (see resolveNames). */
export interface RouterOptions {
  /** The user's Service in front of the stable pods (default: the stable Deployment's name). */
  service?: string;
  /** Router-owned Service selecting stable pods only (default `<service>-stable`). */
  stableService?: string;
  /** Router-owned Service selecting canary pods only (default `<service>-canary`). */
  canaryService?: string;
  /** Istio VirtualService (default `<service>`). */
  virtualService?: string;
  /** Istio DestinationRule (default `<service>`; created when missing). */
  destinationRule?: string;
  /** Istio http route names / Gateway API rule names to weight (default: every route to the service). */
  routes?: string[];
  /** ingress-nginx: the stable Ingress (default `<service>`). */
  ingress?: string;
  /** Gateway API HTTPRoute (default `<service>`). */
  httpRoute?: string;
  /** Traefik TraefikService (default `<service>`). */
  traefikService?: string;
  /** SMI TrafficSplit (default `<service>`; created when missing). */
  trafficSplit?: string;
  /** replicas router: the stable's replica count when the rollout started (the engine supplies it). */
  stableReplicas?: number;
  /** replicas router: most canary pods (default: the stable's starting count, i.e. at most ~50 %). */
  maxCanaryReplicas?: number;
  /** replicas router: most stable pods, to approximate small weights better (default: no scale-up). */
  maxStableReplicas?: number;
  /** Requests with this header value always go to the canary. */
  header?: { name: string; value: string };
  /** Requests with cookie `<name>=always` always go to the canary. */
  cookie?: { name: string };
  /** Keep a user who reached the canary on the canary (cookie set by the routing layer). */
  sticky?: { cookie: string; maxAgeSeconds: number };
  conflictRetry?: ConflictRetryOptions;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const name = (what: string) =>
  z
    .string({ error: `expected the name of ${what} (a string)` })
    .min(1, `the name of ${what} must not be empty`)
    .max(63, `the name of ${what} must be at most 63 characters`)
    .regex(DNS_LABEL, `the name of ${what} must be lowercase letters, digits and '-' (a DNS label)`);

const HEADER_NAME = /^[a-z0-9][a-z0-9-]*$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const headerSchema = z.object(
  {
    name: z
      .string({ error: 'expected a header name' })
      .regex(HEADER_NAME, 'header names must be lowercase letters, digits and "-" (e.g. x-canary)'),
    value: z.string({ error: 'expected the header value that selects the canary (e.g. "true")' }).min(1),
  },
  { error: 'expected { name: x-canary, value: "true" }' },
).strict();

const cookieName = z.string({ error: 'expected a cookie name' }).regex(COOKIE_NAME, 'not a valid cookie name');

export const routerConfigSchema = z
  .object(
    {
      router: z.enum(ROUTER_KINDS, { error: `expected one of ${ROUTER_KINDS.join(', ')}` }),
      service: name('the stable Service').optional(),
      'stable-service': name('the stable-only Service').optional(),
      'canary-service': name('the canary Service').optional(),
      'virtual-service': name('the Istio VirtualService').optional(),
      'destination-rule': name('the Istio DestinationRule').optional(),
      route: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
        error: 'expected a route name or a list of route names',
      }).optional(),
      ingress: name('the stable Ingress').optional(),
      'http-route': name('the HTTPRoute').optional(),
      'traefik-service': name('the TraefikService').optional(),
      'traffic-split': name('the TrafficSplit').optional(),
      'max-canary-replicas': z.number({ error: 'expected a pod count' }).int('expected a whole number').min(1, 'must be at least 1').optional(),
      'max-stable-replicas': z.number({ error: 'expected a pod count' }).int('expected a whole number').min(1, 'must be at least 1').optional(),
      header: headerSchema.optional(),
      cookie: z
        .union([cookieName, z.object({ name: cookieName }).strict()], {
          error: 'expected a cookie name, or { name: canary }',
        })
        .optional(),
      sticky: z
        .object({
          cookie: cookieName.default('canary-gate-session'),
          'max-age': z
            .number({ error: 'expected seconds (an integer)' })
            .int('expected whole seconds')
            .positive('must be positive')
            .default(3600),
        })
        .strict()
        .optional(),
    },
    { error: 'expected a mapping with at least `router:`' },
  )
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.router === 'replicas') {
      for (const field of ['header', 'cookie', 'sticky'] as const) {
        if (cfg[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: 'the replicas router splits by pod counts behind one Service and cannot route by request; remove it or use a mesh/ingress router',
          });
        }
      }
    }
    if (cfg.router !== 'replicas') {
      for (const field of ['max-canary-replicas', 'max-stable-replicas'] as const) {
        if (cfg[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'only the replicas router scales pods; remove it' });
        }
      }
    }
    if (cfg.router === 'smi' && (cfg.header || cfg.cookie || cfg.sticky)) {
      const field = cfg.header ? 'header' : cfg.cookie ? 'cookie' : 'sticky';
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'SMI TrafficSplit has only weights (matches need HTTPRouteGroups that the mesh may not support); remove it',
      });
    }
    if (cfg.router === 'traefik' && (cfg.header || cfg.cookie)) {
      ctx.addIssue({
        code: 'custom',
        path: [cfg.header ? 'header' : 'cookie'],
        message: 'a TraefikService cannot match requests; add a header rule to your IngressRoute that targets the canary Service instead',
      });
    }
    if (cfg.router === 'nginx' && cfg.sticky) {
      ctx.addIssue({
        code: 'custom',
        path: ['sticky'],
        message:
          'ingress-nginx keeps canary users sticky through the stable Ingress annotation nginx.ingress.kubernetes.io/affinity: cookie; set that instead',
      });
    }
  });


/** Parses the `routing:` section; errors name the field (`routing.<field>`) and the expected form. */
export function parseRouterConfig(raw: unknown, field = 'routing'): { kind: RouterKind; options: RouterOptions } {
  const result = routerConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [field, ...(issue?.path ?? []).map(String)].join('.');
    throw new InputError(path, issue?.message ?? 'invalid routing configuration');
  }
  const c = result.data;
  const options: RouterOptions = {
    service: c.service,
    stableService: c['stable-service'],
    canaryService: c['canary-service'],
    virtualService: c['virtual-service'],
    destinationRule: c['destination-rule'],
    routes: c.route === undefined ? undefined : Array.isArray(c.route) ? c.route : [c.route],
    ingress: c.ingress,
    httpRoute: c['http-route'],
    traefikService: c['traefik-service'],
    trafficSplit: c['traffic-split'],
    maxCanaryReplicas: c['max-canary-replicas'],
    maxStableReplicas: c['max-stable-replicas'],
    header: c.header,
    cookie: c.cookie === undefined ? undefined : typeof c.cookie === 'string' ? { name: c.cookie } : c.cookie,
    sticky: c.sticky ? { cookie: c.sticky.cookie, maxAgeSeconds: c.sticky['max-age'] } : undefined,
  };
  for (const key of Object.keys(options) as (keyof RouterOptions)[]) if (options[key] === undefined) delete options[key];
  return { kind: c.router, options };
}

/** Every object name a router may touch, with defaults filled from the stable Deployment's name. */
export interface ResolvedNames {
  service: string;
  stableService: string;
  canaryService: string;
  virtualService: string;
  destinationRule: string;
  ingress: string;
  canaryIngress: string;
  httpRoute: string;
  traefikService: string;
  trafficSplit: string;
}

export function resolveNames(stableDeployment: string, options: RouterOptions): ResolvedNames {
  const service = options.service ?? stableDeployment;
  const ingress = options.ingress ?? service;
  return {
    service,
    stableService: options.stableService ?? `${service}-stable`,
    canaryService: options.canaryService ?? `${service}-canary`,
    virtualService: options.virtualService ?? service,
    destinationRule: options.destinationRule ?? service,
    ingress,
    canaryIngress: `${ingress}-canary`,
    httpRoute: options.httpRoute ?? service,
    traefikService: options.traefikService ?? service,
    trafficSplit: options.trafficSplit ?? service,
  };
}
