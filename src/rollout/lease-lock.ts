/**
 * One coordination.k8s.io/v1 Lease per target is the lock: a second run on the same target fails
 * with a clear message; a lease whose holder stopped renewing (the runner died) expires and may be
 * taken over. Writes use resourceVersion, so two runs racing for an expired lease cannot both win.
 */
import { isConflict } from '../kube/errors.ts';
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../traffic/router.ts';
import { CanaryGateError } from '../util/errors.ts';

interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

export type LeaseStatus =
  | { kind: 'free' }
  | { kind: 'held'; holder: string; expiresAt: number }
  | { kind: 'expired'; holder: string; expiredAt: number };

/** Pure: what a Lease object says at `now`. */
export function leaseStatus(lease: LeaseObject | undefined, now: number): LeaseStatus {
  const holder = lease?.spec?.holderIdentity;
  if (!lease || !holder) return { kind: 'free' };
  const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
  const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  const expiresAt = (Number.isFinite(renewed) ? renewed : 0) + duration;
  return expiresAt > now ? { kind: 'held', holder, expiresAt } : { kind: 'expired', holder, expiredAt: expiresAt };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function leaseName(deployment: string): string {
  // Lease names are DNS subdomains (253); keep the suffix readable.
  return `canary-gate-${deployment}`.slice(0, 253);
}

export class LeaseLock {
  private renewTimer: NodeJS.Timeout | undefined;
  private held = false;

  private readonly kube: KubeApi;
  private readonly namespace: string;
  private readonly deployment: string;
  private readonly holder: string;
  private readonly durationMs: number;
  private readonly now: () => number;

  constructor(opts: { kube: KubeApi; namespace: string; deployment: string; holder: string; durationMs: number; now?: () => number }) {
    this.kube = opts.kube;
    this.namespace = opts.namespace;
    this.deployment = opts.deployment;
    this.holder = opts.holder;
    this.durationMs = opts.durationMs;
    this.now = opts.now ?? Date.now;
  }

  private ref() {
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.namespace, name: leaseName(this.deployment) };
  }

  async read(): Promise<LeaseStatus> {
    return leaseStatus(await this.kube.get<LeaseObject>(this.ref()), this.now());
  }

  /**
   * Takes the lease. Returns the previous holder when it took over an expired lease (an abandoned
   * run), so the caller can clean up after it. Throws a 'locked' error when another live run holds it.
   */
  async acquire(): Promise<{ previousHolder?: string }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const lease = await this.kube.get<LeaseObject>(this.ref());
      const status = leaseStatus(lease, this.now());
      if (status.kind === 'held' && status.holder !== this.holder) {
        const seconds = Math.ceil((status.expiresAt - this.now()) / 1000);
        throw new CanaryGateError(
          'locked',
          `Another Canary Gate run (${status.holder}) holds the lock of ${this.namespace}/${this.deployment} (lease ${leaseName(this.deployment)}, expires in ${seconds}s unless that run renews it). Wait for it to finish and run again, or run mode: abort to roll it back (a live run is asked; if that run died, mode: abort takes over when the lease expires).`,
        );
      }
      const at = microTime(this.now());
      const spec = {
        holderIdentity: this.holder,
        leaseDurationSeconds: Math.max(1, Math.round(this.durationMs / 1000)),
        acquireTime: at,
        renewTime: at,
      };
      try {
        if (!lease) {
          await this.kube.create<LeaseObject>({
            ...this.ref(),
            metadata: { name: this.ref().name, namespace: this.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
            spec,
          });
        } else {
          await this.kube.replace<LeaseObject>({ ...lease, spec: { ...lease.spec, ...spec } });
        }
        this.held = true;
        return status.kind === 'expired' && status.holder !== this.holder ? { previousHolder: status.holder } : {};
      } catch (err) {
        // Someone else created or renewed it between our read and write: read again.
        if (isConflict(err) || (err as { status?: number }).status === 409) continue;
        throw err;
      }
    }
    throw new CanaryGateError('locked', `Could not take lease ${leaseName(this.deployment)}: it kept changing under us (another run is starting).`);
  }

  async renew(): Promise<void> {
    const lease = await this.kube.get<LeaseObject>(this.ref());
    if (!lease || lease.spec?.holderIdentity !== this.holder) {
      this.held = false;
      throw new CanaryGateError('locked', `Lost lease ${leaseName(this.deployment)}: it is now held by ${lease?.spec?.holderIdentity ?? 'nobody'}.`);
    }
    await this.kube.replace<LeaseObject>({ ...lease, spec: { ...lease.spec, renewTime: microTime(this.now()) } });
  }

  /** Renews every third of the duration until stopped; reports a lost lease once. */
  startRenewing(onLost: (err: Error) => void): void {
    this.stopRenewing();
    const every = Math.max(200, Math.floor(this.durationMs / 3));
    const tick = (): void => {
      this.renew().then(
        () => {
          if (this.held) this.renewTimer = setTimeout(tick, every);
        },
        (err: unknown) => {
          // A transient API failure is retried by the adapter; a lost lease ends the run.
          if (err instanceof CanaryGateError && err.reason === 'locked') onLost(err);
          else if (this.held) this.renewTimer = setTimeout(tick, every);
        },
      );
    };
    this.renewTimer = setTimeout(tick, every);
  }

  stopRenewing(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** Releases the lease if we hold it (deleted, so the next run starts clean). Never throws. */
  async release(): Promise<void> {
    this.stopRenewing();
    // First: a renewal already in flight must not re-arm its timer (and renew after the release).
    this.held = false;
    try {
      const lease = await this.kube.get<LeaseObject>(this.ref());
      if (lease?.spec?.holderIdentity === this.holder) await this.kube.delete(this.ref());
    } catch {
      // An unreleased lease expires by itself after its duration.
    } finally {
      this.held = false;
    }
  }
}
