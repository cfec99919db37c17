/**
 * The `version` of each version for the Datadog built-ins: with unified service tagging the version
 * tag is the deployed version, which is the image tag by convention
 * (docs.datadoghq.com/getting_started/tagging/unified_service_tagging: "distinct version tags" per
 * deployment). Overridable with the variables canary-version / stable-version. Reads only.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { refTo } from '../traffic/common.ts';

/** The tag of an image reference (registry:port/name:tag@digest → tag; none → latest). */
export function imageTag(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : 'latest';
}

interface DeploymentImages extends KubeObject {
  spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } };
}

/** canary-version / stable-version from the new image and the stable Deployment's current one. */
export async function versionVars(opts: {
  kube: KubeApi;
  namespace: string;
  deployment: string;
  container?: string;
  canaryImage?: string;
}): Promise<Record<string, string>> {
  const dep = await opts.kube.get<DeploymentImages>(refTo('apps/v1', 'Deployment', opts.namespace, opts.deployment));
  const containers = dep?.spec?.template?.spec?.containers ?? [];
  const stableImage = (opts.container ? containers.find((c) => c.name === opts.container) : containers[0])?.image;
  return {
    ...(opts.canaryImage ? { 'canary-version': imageTag(opts.canaryImage) } : {}),
    ...(stableImage ? { 'stable-version': imageTag(stableImage) } : {}),
  };
}
