/**
 * Builds the canary Deployment from the stable one. Pure. The canary is `<name>-canary`: the stable
 * spec with the new image, selector and pod labels extended by the track label so routers and
 * metrics can tell the versions apart, and no copy of the stable's state annotation.
 */
import type { KubeObject } from '../kube/types.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TRACK_LABEL } from '../traffic/router.ts';
import { InputError } from '../util/errors.ts';

export const STATE_ANNOTATION = 'canary-gate.io/state';
const RUN_ANNOTATION = 'canary-gate.io/run-id';
/** Written by mode promote/abort for the live run to act on; only the live run clears it. */
export const REQUEST_ANNOTATION = 'canary-gate.io/request';

export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

export interface DeploymentObject extends KubeObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; [key: string]: unknown };
    };
    [key: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export function canaryName(stable: string): string {
  return `${stable}-canary`;
}

/** The container the new image goes to: the named one, or the only one. */
export function pickContainer(deployment: DeploymentObject, name: string | undefined): Container {
  const containers = deployment.spec.template.spec.containers;
  if (name) {
    const found = containers.find((c) => c.name === name);
    if (!found) {
      throw new InputError(
        'container',
        `no container named "${name}" in Deployment ${deployment.metadata.name}; it has: ${containers.map((c) => c.name).join(', ')}`,
      );
    }
    return found;
  }
  if (containers.length !== 1 || !containers[0]) {
    throw new InputError(
      'container',
      `is required: Deployment ${deployment.metadata.name} has ${containers.length} containers (${containers.map((c) => c.name).join(', ')}); name the one that gets the new image`,
    );
  }
  return containers[0];
}

export function buildCanaryDeployment(
  stable: DeploymentObject,
  opts: { image: string; container: string; replicas: number; runId: string },
): DeploymentObject {
  const name = canaryName(stable.metadata.name ?? '');
  const template = structuredClone(stable.spec.template);
  template.metadata = {
    ...template.metadata,
    labels: { ...(template.metadata?.labels ?? {}), [TRACK_LABEL]: 'canary' },
  };
  template.spec.containers = template.spec.containers.map((c) => (c.name === opts.container ? { ...c, image: opts.image } : c));
  const spec = structuredClone(stable.spec);
  spec.replicas = opts.replicas;
  spec.selector = {
    ...spec.selector,
    matchLabels: { ...(spec.selector.matchLabels ?? {}), [TRACK_LABEL]: 'canary' },
  };
  spec.template = template;
  const labels = { ...(stable.metadata.labels ?? {}), [TRACK_LABEL]: 'canary', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: stable.metadata.namespace,
      labels,
      annotations: { [RUN_ANNOTATION]: opts.runId, 'canary-gate.io/stable': stable.metadata.name ?? '' },
    },
    spec,
  };
}

export function containerImage(deployment: DeploymentObject, container: string): string | undefined {
  return deployment.spec.template.spec.containers.find((c) => c.name === container)?.image;
}
