/**
 * One line per router. The rollout engine calls createRouter() with the parsed `routing:` section and
 * knows nothing else about meshes or ingress controllers.
 */
import type { KubeApi } from '../kube/types.ts';
import { type RouterKind, type RouterOptions, type ResolvedNames, resolveNames } from './config.ts';
import { GatewayApiRouter } from './gateway-api.ts';
import { IstioRouter } from './istio.ts';
import { NginxRouter } from './nginx.ts';
import { ReplicasRouter } from './replicas.ts';
import type { RouterTarget, TrafficRouter } from './router.ts';
import { SmiRouter } from './smi.ts';
import { TraefikRouter } from './traefik.ts';

export { ROUTER_KINDS, parseRouterConfig, resolveNames, routerConfigSchema } from './config.ts';
export type { RouterKind, RouterOptions, ResolvedNames } from './config.ts';
export { RouterError } from './common.ts';

export interface RouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  options: RouterOptions;
  log: (line: string) => void;
}

type Resolved = RouterDeps & { names: ResolvedNames };

const ROUTERS: Record<RouterKind, (deps: Resolved) => TrafficRouter> = {
  istio: (d) => new IstioRouter(d),
  replicas: (d) => new ReplicasRouter(d),
  nginx: (d) => new NginxRouter(d),
  'gateway-api': (d) => new GatewayApiRouter(d),
  traefik: (d) => new TraefikRouter(d),
  smi: (d) => new SmiRouter(d),
};

export function createRouter(kind: RouterKind, deps: RouterDeps): TrafficRouter {
  const make = ROUTERS[kind];
  if (!make) throw new TypeError(`unknown router kind ${String(kind)}`);
  return make({ ...deps, names: resolveNames(deps.target.stable, deps.options) });
}

/**
 * Whether the router sends traffic to stable-only backends, which requires every stable pod to carry
 * `canary-gate.io/track: stable` (see docs/routers.md). The replicas router does not.
 */
export function needsStableTrackLabel(kind: RouterKind): boolean {
  return kind !== 'replicas';
}
