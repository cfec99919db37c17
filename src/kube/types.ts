/** Minimal shapes of the Kubernetes objects Canary Gate reads and writes. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  ownerReferences?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Patch content types, named; the adapter always sends one explicitly. */
export type PatchType = 'merge' | 'strategic' | 'apply';

/**
 * The only door to the Kubernetes API. Everything above it (rollout, routers) talks to this
 * interface; the implementation wraps @kubernetes/client-node with timeouts, retries and errors
 * that name the object.
 */
export interface KubeApi {
  /** undefined when the object does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<T[]>;
  create<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  /** PUT with the object's resourceVersion: a concurrent writer makes this a 409 KubeApiError. */
  replace<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType): Promise<T>;
  /** false when it was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** Whether the server serves this apiVersion/kind (discovery). */
  serves(apiVersion: string, kind: string): Promise<boolean>;
}
