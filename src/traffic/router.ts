/**
 * A traffic router moves live traffic between the stable and the canary version. One file per
 * implementation (istio.ts, nginx.ts, gateway-api.ts, traefik.ts, smi.ts, replicas.ts) and one line
 * in factory.ts; the rollout engine knows only this interface.
 *
 * Guarantees every implementation keeps:
 * - weights are integers 0..100; stable gets 100 - canary, so they always sum to 100;
 * - verify() reads only, runs before the first write of a rollout (and again before the first
 *   shift), and fails with a clear error when the objects are missing or do not point at the stable
 *   and canary versions;
 * - reset() (100 % stable, canary route removed or zeroed) is safe at any time, twice, from the post
 *   step, and also when setWeight never ran.
 */
export interface TrafficRouter {
  readonly name: string;
  /**
   * The router moves traffic by scaling the canary Deployment itself (weights approximated by
   * replica counts): the engine then leaves the canary's replica count to it — the canary starts at
   * 0 replicas and the engine waits for its pods after each setWeight.
   */
  readonly scalesCanary?: boolean;
  verify(opts?: VerifyOptions): Promise<void>;
  /** Creates any router-owned objects (canary Ingress, canary Service, ...). Idempotent. */
  prepare?(): Promise<void>;
  setWeight(canaryPercent: number): Promise<void>;
  getWeight(): Promise<number>;
  reset(): Promise<void>;
  /** Removes router-owned objects after promotion or rollback. Idempotent. */
  cleanup?(): Promise<void>;
  /** Caveats that the report should state (e.g. "weights approximated by replica counts"). */
  notes?(): string[];
}

export interface VerifyOptions {
  /**
   * The engine has yet to add the track label to the stable pods (it does so once, before the
   * first shift): check the routing objects, not the label. The engine verifies again after it.
   */
  stableLabelPending?: boolean;
}

/** What every router needs to know about the target. */
export interface RouterTarget {
  namespace: string;
  /** The stable Deployment's name. */
  stable: string;
  /** The canary Deployment's name (`<stable>-canary`). */
  canary: string;
}

export const TRACK_LABEL = 'canary-gate.io/track';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'canary-gate';
