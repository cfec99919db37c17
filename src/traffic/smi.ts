/**
 * SMI TrafficSplit (split.smi-spec.io v1alpha1..v1alpha4): apex = the user's Service, backends =
 * the stable-only and canary-only Services. The served version is found by discovery; v1alpha1
 * weights are quantities (written in thousandths, "900m"/"100m"), later versions integers.
 * SMI is archived upstream (CNCF, 2023); Linkerd keeps TrafficSplit in the linkerd-smi extension and
 * routes with Gateway API — prefer the gateway-api router where it is available.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import {
  RouterError,
  asArray,
  checkWeight,
  createIfAbsent,
  hasOriginal,
  isManaged,
  managedLabels,
  percentOf,
  refTo,
  rememberOriginal,
  split,
  takeOriginal,
  updateObject,
} from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import type { RouterTarget, TrafficRouter, VerifyOptions } from './router.ts';
import { SMI_VERSIONS, servedVersion } from './served-version.ts';
import { checkStableTrackLabel, deleteTrackServices, ensureTrackServices, verifyTrackServices } from './services.ts';


/** Key of the recorded original spec of a TrafficSplit the user made. */
const SPEC = 'spec';

export interface TrafficSplit extends KubeObject {
  spec: { service: string; backends: { service: string; weight: number | string }[]; [key: string]: unknown };
}

export interface SmiRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };

/** A Kubernetes quantity ("500m", "1", 2, "1.5k") as a number; NaN when malformed. */
export function parseQuantity(q: number | string): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/.exec(q.trim());
  if (!m) return Number.NaN;
  const [, num, suffix = ''] = m;
  if (/^[eE]/.test(suffix)) return Number(`${num}${suffix}`);
  const factor = SUFFIX[suffix];
  return factor === undefined ? Number.NaN : Number(num) * factor;
}

function smiWeight(version: string, percent: number): number | string {
  return version.endsWith('v1alpha1') ? `${percent * 10}m` : percent;
}

export function splitCanaryPercent(ts: TrafficSplit, canaryService: string): number {
  let stable = 0;
  let canary = 0;
  for (const b of asArray(ts.spec?.backends) as TrafficSplit['spec']['backends']) {
    const w = parseQuantity(b.weight);
    if (!Number.isFinite(w)) continue;
    if (b.service === canaryService) canary += w;
    else stable += w;
  }
  return percentOf(stable, canary);
}

export class SmiRouter implements TrafficRouter {
  readonly name = 'smi';
  private readonly deps: SmiRouterDeps;
  private apiVersion: string | undefined;

  constructor(deps: SmiRouterDeps) {
    this.deps = deps;
  }

  private async ref() {
    this.apiVersion ??= await servedVersion(this.deps.kube, this.name, 'TrafficSplit', SMI_VERSIONS, 'install an SMI-compatible mesh or use another router.');
    return refTo(this.apiVersion, 'TrafficSplit', this.deps.target.namespace, this.deps.names.trafficSplit);
  }

  private where(): string {
    return `TrafficSplit ${this.deps.target.namespace}/${this.deps.names.trafficSplit}`;
  }

  private desired(version: string, canary: number): TrafficSplit['spec'] {
    const { stable } = split(canary);
    const n = this.deps.names;
    return {
      service: n.service,
      backends: [
        { service: n.stableService, weight: smiWeight(version, stable) },
        { service: n.canaryService, weight: smiWeight(version, canary) },
      ],
    };
  }

  private checkForeign(ts: TrafficSplit): void {
    const n = this.deps.names;
    if (isManaged(ts)) return;
    const backends = asArray(ts.spec?.backends) as TrafficSplit['spec']['backends'];
    const bad = backends.filter((b) => b.service !== n.stableService && b.service !== n.canaryService);
    if (ts.spec?.service !== n.service || bad.length > 0) {
      throw new RouterError(
        this.name,
        `${this.where()} exists but was not made by canary-gate (apex ${ts.spec?.service}, backends ${backends.map((b) => b.service).join(', ')}); ` +
          `expected apex ${n.service} with backends ${n.stableService}/${n.canaryService}: delete it or set routing.traffic-split to another name.`,
      );
    }
  }

  async verify(opts: VerifyOptions = {}): Promise<void> {
    const { kube, target, names } = this.deps;
    if (!opts.stableLabelPending) await checkStableTrackLabel(this.name, kube, target);
    await verifyTrackServices(this.name, kube, target.namespace, names);
    const ts = await kube.get<TrafficSplit>(await this.ref());
    if (ts) this.checkForeign(ts);
  }

  async prepare(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await ensureTrackServices(this.name, kube, target.namespace, names, log);
    await this.write(0);
  }

  private async write(canary: number, raced = false): Promise<void> {
    const { kube, target, log } = this.deps;
    const ref = await this.ref();
    const spec = this.desired(ref.apiVersion, canary);
    const updated = await updateObject<TrafficSplit>(
      kube,
      ref,
      (ts) => {
        this.checkForeign(ts);
        if (JSON.stringify(ts.spec.backends) === JSON.stringify(spec.backends) && ts.spec.service === spec.service) return false;
        // A TrafficSplit the user made keeps its original spec in the same write, for cleanup().
        if (!isManaged(ts)) rememberOriginal(ts, SPEC, ts.spec);
        ts.spec = { ...ts.spec, ...spec };
        return true;
      },
      this.deps.options.conflictRetry,
    );
    if (!updated) {
      const created = await createIfAbsent<TrafficSplit>(kube, {
        apiVersion: ref.apiVersion,
        kind: 'TrafficSplit',
        metadata: { name: ref.name, namespace: target.namespace, labels: managedLabels() },
        spec,
      });
      if (created) log(`created ${this.where()} (${ref.apiVersion})`);
      else if (!raced) await this.write(canary, true); // created concurrently: update it instead
      else throw new RouterError(this.name, `${this.where()} keeps appearing and disappearing; is another controller managing it?`);
    }
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    await this.write(canaryPercent);
    this.deps.log(`smi: ${this.where()} stable=${100 - canaryPercent} canary=${canaryPercent}`);
  }

  async getWeight(): Promise<number> {
    const ts = await this.deps.kube.get<TrafficSplit>(await this.ref());
    return ts ? splitCanaryPercent(ts, this.deps.names.canaryService) : 0;
  }

  /** Weight 0 on our TrafficSplit, or on the user's one canary-gate wrote to (it carries the record). */
  async reset(): Promise<void> {
    const ts = await this.deps.kube.get<TrafficSplit>(await this.ref());
    if (!ts || !(isManaged(ts) || hasOriginal(ts, SPEC))) return;
    await this.write(0);
    this.deps.log(`smi: ${this.where()} reset to stable=100 canary=0`);
  }

  /** Deletes our TrafficSplit (the mesh then routes the apex Service directly), then our Services. */
  async cleanup(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    const ref = await this.ref();
    const ts = await kube.get<TrafficSplit>(ref);
    if (ts && !isManaged(ts)) {
      // The user's TrafficSplit: its recorded spec goes back; without a record it was never changed.
      await updateObject<TrafficSplit>(kube, ref, (t) => {
        const original = takeOriginal<TrafficSplit['spec']>(t, SPEC);
        if (original) t.spec = original;
        return original !== undefined;
      }, this.deps.options.conflictRetry);
      log(`smi: ${this.where()} is not ours: its own spec kept, per-version Services kept for it`);
      return;
    }
    if (ts && (await kube.delete(ref))) log(`deleted ${this.where()}`);
    await deleteTrackServices(kube, target.namespace, names, log);
  }

  notes(): string[] {
    return ['SMI is archived upstream; the TrafficSplit applies only to meshed clients calling the apex Service.'];
  }
}
