/**
 * Which data plane's metrics the built-ins read. istio, nginx and smi imply theirs; for gateway-api it
 * is the implementation behind the HTTPRoute, read from the route's status (every implementation
 * writes `status.parents[].controllerName` for the parents it accepted — a Gateway's class or, for a
 * mesh route, a Service) so no cluster-scoped read of GatewayClasses is needed. `data-plane:` in
 * canary.yml overrides it. Reads only.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { refTo } from '../traffic/common.ts';
import type { DataPlane } from './builtins.ts';
import { ROUTER_DATA_PLANE, dataPlaneOfController, whyNoBuiltins } from './builtins.ts';

export interface DataPlaneChoice {
  dataPlane?: DataPlane;
  /** Where the choice came from, for the log. */
  source: string;
  /** Why there are no built-ins, when dataPlane is undefined. */
  reason?: string;
}

interface RouteStatus extends KubeObject {
  status?: { parents?: Array<{ controllerName?: string }> };
}

const GATEWAY_API = 'gateway.networking.k8s.io';

export async function chooseDataPlane(opts: {
  router: string;
  configured?: DataPlane;
  kube: KubeApi;
  namespace: string;
  httpRoute: string;
}): Promise<DataPlaneChoice> {
  if (opts.configured) return { dataPlane: opts.configured, source: 'data-plane: in the config' };
  const implied = ROUTER_DATA_PLANE[opts.router];
  if (implied) return { dataPlane: implied, source: `router ${opts.router}` };
  if (opts.router !== 'gateway-api') {
    return { source: `router ${opts.router}`, reason: `router ${opts.router} has no data plane with built-in queries` };
  }
  let route: RouteStatus | undefined;
  for (const v of ['v1', 'v1beta1']) {
    if (!(await opts.kube.serves(`${GATEWAY_API}/${v}`, 'HTTPRoute'))) continue;
    route = await opts.kube.get<RouteStatus>(refTo(`${GATEWAY_API}/${v}`, 'HTTPRoute', opts.namespace, opts.httpRoute));
    break;
  }
  const where = `HTTPRoute ${opts.namespace}/${opts.httpRoute}`;
  const controllers = [...new Set((route?.status?.parents ?? []).map((p) => p.controllerName).filter((c): c is string => !!c))];
  if (controllers.length === 0) {
    return { source: where, reason: `${where} has no status.parents[].controllerName (not accepted by any Gateway API implementation yet)` };
  }
  const planes = controllers.map((c) => ({ c, plane: dataPlaneOfController(c) }));
  const known = planes.find((p) => p.plane);
  if (known) return { dataPlane: known.plane!, source: `${where} accepted by ${known.c}` };
  return { source: where, reason: `${where} is served by ${controllers.join(', ')}: ${whyNoBuiltins(controllers[0]!)}` };
}
