/**
 * ingress-nginx: a canary Ingress `<ingress>-canary` with the same hosts and paths as the stable
 * Ingress, backend the canary-only Service, and the annotations `canary: "true"`, `canary-weight`,
 * `canary-weight-total: "100"` (and `canary-by-header[-value]`, `canary-by-cookie` for forced users).
 *
 * The stable Ingress's paths that send to the user's Service are pointed at the stable-only Service
 * during the rollout (the user's Service also selects canary pods) and pointed back in cleanup().
 * ingress-nginx honours one canary Ingress per host/path: an existing one that is not ours is refused.
 */
import type { KubeApi, KubeObject } from '../kube/types.ts';
import {
  RouterError,
  asArray,
  checkWeight,
  createIfAbsent,
  isManaged,
  managedLabels,
  refTo,
  rememberOriginal,
  takeOriginal,
  updateObject,
} from './common.ts';
import type { ResolvedNames, RouterOptions } from './config.ts';
import type { RouterTarget, TrafficRouter, VerifyOptions } from './router.ts';
import { checkStableTrackLabel, deleteTrackServices, ensureTrackServices, verifyTrackServices } from './services.ts';

const NGINX = 'nginx.ingress.kubernetes.io';
const A = {
  canary: `${NGINX}/canary`,
  weight: `${NGINX}/canary-weight`,
  weightTotal: `${NGINX}/canary-weight-total`,
  byHeader: `${NGINX}/canary-by-header`,
  byHeaderValue: `${NGINX}/canary-by-header-value`,
  byCookie: `${NGINX}/canary-by-cookie`,
  affinity: `${NGINX}/affinity`,
} as const;

interface IngressPath {
  path?: string;
  pathType?: string;
  backend: { service?: { name: string; port?: { number?: number; name?: string } }; [key: string]: unknown };
}
interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}
export interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: IngressRule[]; [key: string]: unknown };
}

export interface NginxRouterDeps {
  kube: KubeApi;
  target: RouterTarget;
  names: ResolvedNames;
  options: RouterOptions;
  log: (line: string) => void;
}

const ingressRef = (namespace: string, name: string) => refTo('networking.k8s.io/v1', 'Ingress', namespace, name);

/** Key of the recorded `<rule>/<path>` indexes that prepare() pointed at the stable-only Service. */
const SWITCHED_PATHS = 'stable-paths';

/** host|path keys of the paths that send to one of `services`. */
function routedPaths(ing: Ingress, services: Set<string>): string[] {
  const out: string[] = [];
  for (const r of asArray(ing.spec?.rules) as IngressRule[]) {
    for (const p of asArray(r.http?.paths) as IngressPath[]) {
      if (p.backend?.service && services.has(p.backend.service.name)) out.push(`${r.host ?? '*'}|${p.path ?? '/'}`);
    }
  }
  return out;
}

/** Canary percent an ingress-nginx canary Ingress asks for (0 when it is not a canary Ingress). */
function canaryIngressPercent(ing: Ingress | undefined): number {
  const a = ing?.metadata.annotations ?? {};
  if (a[A.canary] !== 'true') return 0;
  const weight = Number(a[A.weight] ?? '0');
  const total = Number(a[A.weightTotal] ?? '100');
  if (!Number.isFinite(weight) || !Number.isFinite(total) || total <= 0) return 0;
  return Math.round((Math.min(Math.max(weight, 0), total) / total) * 100);
}

export class NginxRouter implements TrafficRouter {
  readonly name = 'nginx';
  private readonly deps: NginxRouterDeps;

  constructor(deps: NginxRouterDeps) {
    this.deps = deps;
  }

  private stableRef() {
    return ingressRef(this.deps.target.namespace, this.deps.names.ingress);
  }

  private canaryRef() {
    return ingressRef(this.deps.target.namespace, this.deps.names.canaryIngress);
  }

  private where(name = this.deps.names.ingress): string {
    return `Ingress ${this.deps.target.namespace}/${name}`;
  }

  private async readStable(): Promise<Ingress> {
    const { kube, names } = this.deps;
    const ing = await kube.get<Ingress>(this.stableRef());
    if (!ing) throw new RouterError(this.name, `${this.where()} not found; set routing.ingress to the Ingress that serves ${names.service}.`);
    if (routedPaths(ing, new Set([names.service, names.stableService])).length === 0) {
      throw new RouterError(
        this.name,
        `${this.where()} has no path whose backend is Service ${names.service}; point it at the Service or fix routing.service / routing.ingress.`,
      );
    }
    return ing;
  }

  /** Refuses when another canary Ingress (not ours) already claims one of our host/paths. */
  private async checkNoForeignCanary(stable: Ingress): Promise<void> {
    const { kube, target, names } = this.deps;
    const mine = new Set(routedPaths(stable, new Set([names.service, names.stableService])).map((k) => k));
    const all = await kube.list<Ingress>('networking.k8s.io/v1', 'Ingress', target.namespace);
    for (const ing of all) {
      if (ing.metadata.annotations?.[A.canary] !== 'true') continue;
      if (ing.metadata.name === names.canaryIngress && isManaged(ing)) continue;
      const theirs = new Set<string>();
      for (const r of asArray(ing.spec?.rules) as IngressRule[]) {
        for (const p of asArray(r.http?.paths) as IngressPath[]) theirs.add(`${r.host ?? '*'}|${p.path ?? '/'}`);
      }
      const clash = [...mine].filter((k) => theirs.has(k));
      if (clash.length > 0) {
        throw new RouterError(
          this.name,
          `canary ${this.where(ing.metadata.name)} already claims ${clash.map((k) => k.replace('|', '')).join(', ')}; ` +
            'ingress-nginx honours one canary Ingress per host and path: delete it or finish the rollout that owns it.',
        );
      }
    }
  }

  async verify(opts: VerifyOptions = {}): Promise<void> {
    const { kube, target, names } = this.deps;
    if (!opts.stableLabelPending) await checkStableTrackLabel(this.name, kube, target);
    await verifyTrackServices(this.name, kube, target.namespace, names);
    const stable = await this.readStable();
    if (stable.metadata.annotations?.[A.canary] === 'true') {
      throw new RouterError(this.name, `${this.where()} is itself a canary Ingress; routing.ingress must name the stable Ingress.`);
    }
    await this.checkNoForeignCanary(stable);
    const existing = await kube.get<Ingress>(this.canaryRef());
    if (existing && !isManaged(existing)) {
      throw new RouterError(this.name, `${this.where(names.canaryIngress)} exists and was not made by canary-gate; delete or rename it.`);
    }
  }

  private canaryIngress(stable: Ingress, canary: number): Ingress {
    const { names, options, target } = this.deps;
    const services = new Set([names.service, names.stableService]);
    const rules: IngressRule[] = [];
    for (const r of asArray(stable.spec?.rules) as IngressRule[]) {
      const paths = (asArray(r.http?.paths) as IngressPath[])
        .filter((p) => p.backend?.service && services.has(p.backend.service.name))
        .map((p) => ({ ...structuredClone(p), backend: { service: { ...structuredClone(p.backend.service!), name: names.canaryService } } }));
      if (paths.length > 0) rules.push({ ...(r.host !== undefined ? { host: r.host } : {}), http: { paths } });
    }
    const annotations: Record<string, string> = {
      [A.canary]: 'true',
      [A.weight]: String(canary),
      [A.weightTotal]: '100',
    };
    if (options.header) {
      annotations[A.byHeader] = options.header.name;
      annotations[A.byHeaderValue] = options.header.value;
    }
    if (options.cookie) annotations[A.byCookie] = options.cookie.name;
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: names.canaryIngress, namespace: target.namespace, labels: managedLabels(), annotations },
      spec: { ...(stable.spec?.ingressClassName ? { ingressClassName: stable.spec.ingressClassName } : {}), rules },
    };
  }

  /**
   * Stable paths from one Service to another, by read-modify-write. Switching to the stable-only
   * Service records which paths it switched (in the same write); switching back touches only those,
   * or — for a run that left no record — paths pointing at a stable-only Service canary-gate made.
   */
  private async pointStableAt(from: string, to: string, mode: 'record' | 'restore', ownStableService = false): Promise<void> {
    await updateObject<Ingress>(
      this.deps.kube,
      this.stableRef(),
      (ing) => {
        const recorded = mode === 'restore' ? takeOriginal<string[]>(ing, SWITCHED_PATHS) : undefined;
        const switched: string[] = [];
        (asArray(ing.spec?.rules) as IngressRule[]).forEach((r, i) => {
          (asArray(r.http?.paths) as IngressPath[]).forEach((p, j) => {
            const key = `${i}/${j}`;
            if (p.backend?.service?.name !== from) return;
            if (mode === 'restore' && !(recorded?.includes(key) ?? ownStableService)) return;
            p.backend.service.name = to;
            switched.push(key);
          });
        });
        if (mode === 'record' && switched.length > 0) rememberOriginal(ing, SWITCHED_PATHS, switched);
        return switched.length > 0 || recorded !== undefined;
      },
      this.deps.options.conflictRetry,
    );
  }

  async prepare(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    await ensureTrackServices(this.name, kube, target.namespace, names, log);
    // Canary Ingress first (weight 0), then the stable paths switched: each step alone is harmless.
    await this.ensureCanaryIngress(0);
    await this.pointStableAt(names.service, names.stableService, 'record');
  }

  private async ensureCanaryIngress(canary: number): Promise<void> {
    const { kube, log } = this.deps;
    const stable = await this.readStable();
    const existing = await kube.get<Ingress>(this.canaryRef());
    if (existing && !isManaged(existing)) {
      throw new RouterError(this.name, `${this.where(this.deps.names.canaryIngress)} exists and was not made by canary-gate; delete or rename it.`);
    }
    if (!existing) {
      await this.checkNoForeignCanary(stable);
      // Lost a race with a concurrent creator: the weight patch that follows still applies.
      if (await createIfAbsent(kube, this.canaryIngress(stable, canary))) {
        log(`created canary ${this.where(this.deps.names.canaryIngress)} with canary-weight ${canary}`);
      }
    }
  }

  async setWeight(canaryPercent: number): Promise<void> {
    checkWeight(this.name, canaryPercent);
    await this.ensureCanaryIngress(canaryPercent);
    const { options } = this.deps;
    // A merge patch of annotations is safe under concurrency: it only sets the keys it names.
    await this.deps.kube.patch(
      this.canaryRef(),
      {
        metadata: {
          annotations: {
            [A.canary]: 'true',
            [A.weight]: String(canaryPercent),
            [A.weightTotal]: '100',
            [A.byHeader]: options.header?.name ?? null,
            [A.byHeaderValue]: options.header?.value ?? null,
            [A.byCookie]: options.cookie?.name ?? null,
          },
        },
      },
      'merge',
    );
    this.deps.log(`nginx: canary ${this.where(this.deps.names.canaryIngress)} canary-weight=${canaryPercent}/100`);
  }

  async getWeight(): Promise<number> {
    const ing = await this.deps.kube.get<Ingress>(this.canaryRef());
    return ing && isManaged(ing) ? canaryIngressPercent(ing) : 0;
  }

  /** Weight 0 and forced routing off on our canary Ingress; nothing to do when there is none. */
  async reset(): Promise<void> {
    const { kube, log } = this.deps;
    const ing = await kube.get<Ingress>(this.canaryRef());
    if (!ing || !isManaged(ing)) return;
    await kube.patch(
      this.canaryRef(),
      { metadata: { annotations: { [A.weight]: '0', [A.byHeader]: null, [A.byHeaderValue]: null, [A.byCookie]: null } } },
      'merge',
    );
    log(`nginx: canary ${this.where(this.deps.names.canaryIngress)} reset to canary-weight=0`);
  }

  /** Switched stable paths back to the user's Service (call after the canary is scaled to 0), then ours deleted. */
  async cleanup(): Promise<void> {
    const { kube, target, names, log } = this.deps;
    const stableService = await kube.get(refTo('v1', 'Service', target.namespace, names.stableService));
    await this.pointStableAt(names.stableService, names.service, 'restore', stableService !== undefined && isManaged(stableService));
    const ing = await kube.get<Ingress>(this.canaryRef());
    if (ing && isManaged(ing) && (await kube.delete(this.canaryRef()))) log(`deleted canary ${this.where(names.canaryIngress)}`);
    await deleteTrackServices(kube, target.namespace, names, log);
  }

  notes(): string[] {
    const notes = ['ingress-nginx applies canary-weight per request at the ingress only; in-cluster callers of the Service bypass it.'];
    if (this.deps.options.cookie) {
      notes.push(`Cookie ${this.deps.options.cookie.name}=always forces the canary and =never forces stable (ingress-nginx canary-by-cookie).`);
    }
    return notes;
  }
}
