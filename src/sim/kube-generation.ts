/**
 * When the API server increments `metadata.generation` on an update, per kind, as the registry
 * strategies of Kubernetes do it (PrepareForUpdate of each kind's strategy.go):
 *
 * - apps/v1 Deployment — pkg/registry/apps/deployment/strategy.go, deploymentStrategy.PrepareForUpdate:
 *   "Spec updates bump the generation …, annotation updates bump the generation because annotations
 *   are copied from deployments to their replica sets": spec OR metadata.annotations changed.
 * - apps/v1 ReplicaSet — pkg/registry/apps/replicaset/strategy.go: any spec change.
 * - networking.k8s.io/v1 Ingress — pkg/registry/networking/ingress/strategy.go,
 *   ingressStrategy.PrepareForUpdate: "Any changes to the spec increment the generation number".
 * - Custom resources — staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/
 *   strategy.go, customResourceStrategy.PrepareForUpdate: "except for the changes to `metadata`, any
 *   other changes cause the generation to increment" — with a status subresource the status of an
 *   update is reset to the stored one first, so in effect spec only; without one, status too.
 * - Writes through /status never bump it (the status strategies copy the old spec back).
 * - Services, Pods (before 1.33), ConfigMaps, Namespaces, Leases: their strategies never touch it.
 */
import { deepEqual } from './kube-patch.ts';
import type { ResourceType } from './kube-resources.ts';
import type { KubeObject } from './kube-store.ts';

type GenerationRule = 'spec-or-annotations' | 'spec' | 'all-but-metadata' | 'never';

const BUILTIN_RULES: Record<string, GenerationRule> = {
  'apps/Deployment': 'spec-or-annotations',
  'apps/ReplicaSet': 'spec',
  'networking.k8s.io/Ingress': 'spec',
};

function generationRule(type: ResourceType): GenerationRule {
  if (type.crdSchemas) return 'all-but-metadata';
  return BUILTIN_RULES[`${type.group}/${type.kind}`] ?? 'never';
}

function nonMetadata(obj: KubeObject): unknown {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** The generation `next` gets when it replaces `old` (after status was handled as the kind does). */
export function nextGeneration(type: ResourceType, old: KubeObject, next: KubeObject, throughStatus: boolean): number {
  const current = old.metadata.generation ?? 1;
  if (throughStatus) return current;
  const rule = generationRule(type);
  let changed: boolean;
  switch (rule) {
    case 'spec-or-annotations':
      changed = !deepEqual(old.spec, next.spec) || !deepEqual(old.metadata.annotations ?? {}, next.metadata.annotations ?? {});
      break;
    case 'spec':
      changed = !deepEqual(old.spec, next.spec);
      break;
    case 'all-but-metadata':
      changed = !deepEqual(nonMetadata(old), nonMetadata(next));
      break;
    case 'never':
      changed = false;
      break;
  }
  return changed ? current + 1 : current;
}
