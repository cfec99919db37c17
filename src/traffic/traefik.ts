/**
 * Traefik: the `weighted.services` of a TraefikService (traefik.io/v1alpha1, or the older
 * traefik.containo.us/v1alpha1) split between the stable-only and canary-only Services. The user's
 * IngressRoute points at the TraefikService (kind: TraefikService); its initial single entry is the
 * user's Service. With `sticky`, `weighted.sticky.cookie` pins each user to the version first chosen.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import { RouterError, asArray, checkWeight, hasOriginal, isRecord, percentOf, refTo, rememberOriginal, split, takeOriginal, updateObject } from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import type { RouterTarget, TrafficRouter, VerifyOptions } from './router.ts';
import { TRAEFIK_VERSIONS, servedVersion } from './served-version.ts';
import { checkStableTrackLabel, deleteTrackServices, ensureTrackServices, verifyTrackServices } from './services.ts';

type Json = Record<string, unknown>;

/** Key of the recorded original `spec.weighted` (see common.ts rememberOriginal). */
const WEIGHTED = 'weighted';

export interface WeightedService extends Json {
  name: string;
  kind?: string;
  namespace?: string;
  port?: number | string;
  weight?: number;
}

export interface TraefikService extends KubeObject {
  spec: { weighted?: { services?: WeightedService[]; sticky?: Json; [key: string]: unknown }; [key: string]: unknown };
}

export interface TraefikRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

function traefikCanaryPercent(ts: TraefikService, canaryService: string): number {
  let stable = 0;
  let canary = 0;
  for (const s of asArray(ts.spec.weighted?.services) as WeightedService[]) {
    const w = typeof s.weight === 'number' ? s.weight : 1; // Traefik's default weight
    if (s.name === canaryService) canary += w;
    else stable += w;
  }
  return percentOf(stable, canary);
}

export class TraefikRouter implements TrafficRouter {
  readonly name = 'traefik';
  private readonly deps: TraefikRouterDeps;
  private apiVersion: string | undefined;

  constructor(deps: TraefikRouterDeps) {
    this.deps = deps;
  }

  private async ref() {
    this.apiVersion ??= await servedVersion(this.deps.kube, this.name, 'TraefikService', TRAEFIK_VERSIONS, 'install the Traefik CRDs.');
    return refTo(this.apiVersion, 'TraefikService', this.deps.target.namespace, this.deps.names.traefikService);
  }

  private where(): string {
    return `TraefikService ${this.deps.target.namespace}/${this.deps.names.traefikService}`;
  }

  private ours(): Set<string> {
    const n = this.deps.names;
    return new Set([n.service, n.stableService, n.canaryService]);
  }

  private check(ts: TraefikService): WeightedService {
    const services = asArray(ts.spec.weighted?.services) as WeightedService[];
    if (!isRecord(ts.spec.weighted) || services.length === 0) {
      throw new RouterError(
        this.name,
        `${this.where()} has no weighted.services; make it weighted with one entry {name: ${this.deps.names.service}, port: <port>}.`,
      );
    }
    const foreign = services.filter((s) => !this.ours().has(s.name) || (s.kind ?? 'Service') !== 'Service');
    if (foreign.length > 0) {
      throw new RouterError(
        this.name,
        `${this.where()} weighted.services has ${foreign.map((s) => s.name).join(', ')}; expected only Service ${this.deps.names.service} ` +
          `(or ${this.deps.names.stableService}/${this.deps.names.canaryService}).`,
      );
    }
    const base = services.find((s) => s.name !== this.deps.names.canaryService) ?? services[0];
    if (!base) throw new RouterError(this.name, `${this.where()} has no stable entry.`);
    return base;
  }

  async verify(opts: VerifyOptions = {}): Promise<void> {
    const { kube, target, names } = this.deps;
    if (!opts.stableLabelPending) await checkStableTrackLabel(this.name, kube, target);
    await verifyTrackServices(this.name, kube, target.namespace, names);
    const ts = await kube.get<TraefikService>(await this.ref());
    if (!ts) {
      throw new RouterError(
        this.name,
        `${this.where()} not found; create it with weighted.services [{name: ${names.service}, port: <port>}] and route your IngressRoute to it (kind: TraefikService).`,
      );
    }
    this.check(ts);
  }

  async prepare(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await ensureTrackServices(this.name, kube, target.namespace, names, log);
    await this.write((ts) => this.weighted(ts, 0));
  }

  private weighted(ts: TraefikService, canary: number): void {
    const base = structuredClone(this.check(ts));
    rememberOriginal(ts, WEIGHTED, ts.spec.weighted);
    const { stable } = split(canary);
    const weighted = ts.spec.weighted ?? {};
    weighted.services = [
      { ...base, name: this.deps.names.stableService, weight: stable },
      { ...base, name: this.deps.names.canaryService, weight: canary },
    ];
    const sticky = this.deps.options.sticky;
    if (sticky) {
      weighted.sticky = { cookie: { name: sticky.cookie, maxAge: sticky.maxAgeSeconds, httpOnly: true, path: '/' } };
    }
    ts.spec.weighted = weighted;
  }

  private async write(mutate: (ts: TraefikService) => void): Promise<void> {
    const updated = await updateObject<TraefikService>(
      this.deps.kube,
      await this.ref(),
      (ts) => {
        const before = JSON.stringify([ts.spec, ts.metadata.annotations ?? {}]);
        mutate(ts);
        return JSON.stringify([ts.spec, ts.metadata.annotations ?? {}]) !== before;
      },
      this.deps.options.conflictRetry,
    );
    if (!updated) throw new RouterError(this.name, `${this.where()} not found.`);
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    await this.write((ts) => this.weighted(ts, canaryPercent));
    this.deps.log(`traefik: ${this.where()} stable=${100 - canaryPercent} canary=${canaryPercent}`);
  }

  async getWeight(): Promise<number> {
    const ts = await this.deps.kube.get<TraefikService>(await this.ref());
    return ts ? traefikCanaryPercent(ts, this.deps.names.canaryService) : 0;
  }

  /**
   * Stable only: the canary entry is removed rather than zeroed, because Traefik honours a sticky
   * cookie for any entry that still exists, whatever its weight.
   */
  async reset(): Promise<void> {
    const { kube, names, log } = this.deps;
    const ts = await kube.get<TraefikService>(await this.ref());
    if (!ts) {
      log(`traefik: reset: ${this.where()} not found, nothing to reset`);
      return;
    }
    const services = asArray(ts.spec.weighted?.services) as WeightedService[];
    // Only a TraefikService canary-gate recorded is its to change; the user's own is left alone.
    if (!hasOriginal(ts, WEIGHTED) || !services.some((s) => s.name === names.canaryService)) return;
    await this.write((t) => {
      const list = asArray(t.spec.weighted?.services) as WeightedService[];
      const kept = list.filter((s) => s.name !== names.canaryService).map((s) => ({ ...s, weight: 100 }));
      if (t.spec.weighted) t.spec.weighted.services = kept.length > 0 ? kept : [{ name: names.stableService, weight: 100 }];
    });
    log(`traefik: ${this.where()} reset to stable=100 (canary entry removed)`);
  }

  /** The recorded `weighted` back (call after the canary is scaled to 0), then our Services deleted. */
  async cleanup(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    const ts = await kube.get<TraefikService>(await this.ref());
    if (ts) {
      await this.write((t) => {
        // Without a record canary-gate never changed it: nothing to put back.
        const original = takeOriginal<TraefikService['spec']['weighted']>(t, WEIGHTED);
        if (original) t.spec.weighted = original;
      });
    }
    await deleteTrackServices(kube, target.namespace, names, log);
  }

  notes(): string[] {
    if (!this.deps.options.sticky) return [];
    return [
      `Sticky sessions: Traefik's cookie ${this.deps.options.sticky.cookie} pins every user to the version first chosen (stable users too), ` +
        'so after a weight increase only new users follow the new split: the share of requests on the canary lags the weight.',
    ];
  }
}
