/**
 * Which apiVersion of a routing kind the cluster serves, found by discovery — one probe for every
 * router, and the version lists in one place (newest first: the first one served is used).
 */
import type { KubeApi } from '../kube/types.ts';
import { RouterError } from './common.ts';

export const ISTIO_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1'] as const;
export const GATEWAY_API_VERSIONS = ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'] as const;
/** Traefik v3 (and v2.10+) serve traefik.io; older Traefik v2 traefik.containo.us. */
export const TRAEFIK_VERSIONS = ['traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'] as const;
export const SMI_VERSIONS = ['split.smi-spec.io/v1alpha4', 'split.smi-spec.io/v1alpha3', 'split.smi-spec.io/v1alpha2', 'split.smi-spec.io/v1alpha1'] as const;

/**
 * The first of `versions` the cluster serves `kind` in; a RouterError saying what to install when
 * none is (`missing` completes "the cluster serves no <kind> (…); ").
 */
export async function servedVersion(kube: KubeApi, router: string, kind: string, versions: readonly string[], missing: string): Promise<string> {
  for (const v of versions) if (await kube.serves(v, kind)) return v;
  throw new RouterError(router, `the cluster serves no ${kind} (${versions.join(', ')}); ${missing}`);
}
