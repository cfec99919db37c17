/**
 * The same end-to-end scenarios for every router: the real composition (`buildConfig` from YAML text →
 * `runCanaryGate` → RolloutRunner → router) against the Kubernetes simulator through the real client.
 * Per router, in its own namespace: a healthy canary is promoted, a crash-looping canary is rolled
 * back, a cancelled run is rolled back — and after each the cluster is whole: stable runs the expected
 * image, the canary has 0 replicas, the simulator's data plane (src/sim/traffic-routing.ts) sends 0 % to the canary, router-owned
 * objects are gone and the user's routing objects are back to their original spec. During the steps
 * the effective weight is sampled (at the report's `step` event) and must equal the step weight
 * (replicas: the ready-pod ratio) with stable + canary = 100; forced users (header / cookie) reach the
 * canary while plain requests follow the weight (src/sim/traffic-routing.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { runCanaryGate, type AppEnv } from '../../src/app.ts';
import { buildConfig } from '../../src/config/index.ts';
import { ClientNodeKubeApi, loadKubeConfig } from '../../src/kube/client.ts';
import type { KubeApi, KubeObject } from '../../src/kube/types.ts';
import type { Logger, ReportSink } from '../../src/rollout/report.ts';
import type { RunOutcome } from '../../src/rollout/runner.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { startTrafficGenerator, type TrafficGenerator } from '../../src/sim/traffic.ts';
import { currentCanaryWeight, parseSeed, seedSampleApp } from '../../src/sim/seed.ts';
import { routeRequest, type RequestFacts } from '../../src/sim/traffic-routing.ts';
import type { RouterKind, RouterOptions } from '../../src/traffic/config.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/traffic/router.ts';

let sim: KubeSimulator;
let kube: ClientNodeKubeApi;

beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 100 });
  kube = new ClientNodeKubeApi(loadKubeConfig({ content: sim.kubeconfig() }), { attempts: 3, baseDelayMs: 20, requestTimeoutMs: 5_000 });
});
afterAll(async () => {
  await sim?.close();
});

// The simulator's controller reconciles every Deployment on each tick: retire each test's workloads so
// later tests do not pay for earlier ones.
const seededNamespaces: string[] = [];
afterEach(async () => {
  for (const ns of seededNamespaces.splice(0)) {
    for (const name of ['web', 'web-canary']) await kube.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name });
  }
});

const KINDS: RouterKind[] = ['istio', 'nginx', 'gateway-api', 'traefik', 'smi', 'replicas'];
const FORCED: ReadonlySet<RouterKind> = new Set(['istio', 'gateway-api', 'nginx']);
/** Layers where canary-gate keeps a user who reached the canary there by a cookie it sets. */
const STICKY: ReadonlySet<RouterKind> = new Set(['istio', 'gateway-api']);
const OLD = 'ghcr.io/acme/web:1.0';
const NEW = 'ghcr.io/acme/web:2.0';
const CRASH = 'ghcr.io/acme/web:2.0-crashloop';

/** The routing section each router is driven with (forced users where the layer can match requests). */
function routingYaml(kind: RouterKind): string {
  const forced = FORCED.has(kind) ? '  header: { name: x-canary, value: "true" }\n  cookie: canary\n' : '';
  const sticky = STICKY.has(kind) ? '  sticky: { cookie: cg, max-age: 600 }\n' : '';
  return `routing:\n  router: ${kind}\n${forced}${sticky}`;
}
const OPTIONS = (kind: RouterKind): RouterOptions => ({
  ...(FORCED.has(kind) ? { header: { name: 'x-canary', value: 'true' }, cookie: { name: 'canary' } } : {}),
  ...(STICKY.has(kind) ? { sticky: { cookie: 'cg', maxAgeSeconds: 600 } } : {}),
});

const CONFIG_YAML = (kind: RouterKind) => `steps: [10, 50]
settle-time: 0s
analysis-interval: 100ms
step-timeout: 20s
ready-timeout: 15s
timeout: 60s
lease-duration: 10s
${routingYaml(kind)}notify:
  pr-comment: false
  commit-status: false
  summary: false
  annotations: false
`;

/** The user's objects per router kind (apiVersion, kind, name) whose spec must come back unchanged. */
const USER_OBJECTS: Record<RouterKind, [string, string][]> = {
  istio: [
    ['networking.istio.io/v1', 'VirtualService'],
    ['networking.istio.io/v1', 'DestinationRule'],
  ],
  nginx: [['networking.k8s.io/v1', 'Ingress']],
  'gateway-api': [['gateway.networking.k8s.io/v1', 'HTTPRoute']],
  traefik: [['traefik.io/v1alpha1', 'TraefikService']],
  smi: [],
  replicas: [],
};

/** Kinds where a router-owned object may be left behind by a bug. */
const OWNED_KINDS: [string, string][] = [
  ['v1', 'Service'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.istio.io/v1', 'DestinationRule'],
  ['networking.istio.io/v1', 'VirtualService'],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  ['traefik.io/v1alpha1', 'TraefikService'],
  ['split.smi-spec.io/v1alpha4', 'TrafficSplit'],
];

interface Sample {
  step: number;
  observed: number;
  simWeight: number;
  plainCanary: number;
  plainStable: number;
  /** Canary share for requests with x-canary: true / cookie canary=always / x-canary: false / canary=never / sticky cookie cg=canary. */
  header?: number;
  cookie?: number;
  wrongValue?: number;
  cookieNever?: number;
  sticky?: number;
  podRatio: number;
  /** Share (%) of 10 s of generated traffic (1000 rps) the traffic generator sent to the canary. */
  generated: number;
  /** The weights written in the routing object for the stable and canary backends. */
  raw?: { stable: number; canary: number };
}

/** The weights as written in the router's object (not the data-plane model); undefined for replicas. */
function rawWeights(kind: RouterKind, ns: string): { stable: number; canary: number } | undefined {
  const sum = (items: { backend: string; weight: number }[]) => ({
    stable: items.filter((i) => i.backend === 'stable').reduce((a, i) => a + i.weight, 0),
    canary: items.filter((i) => i.backend === 'canary').reduce((a, i) => a + i.weight, 0),
  });
  const byService = (name: string | undefined) => (name === 'web-stable' ? 'stable' : name === 'web-canary' ? 'canary' : `other:${name}`);
  const spec = (apiVersion: string, k: string) => sim.store.get(apiVersion, k, ns, 'web')?.spec as Record<string, unknown> | undefined;
  switch (kind) {
    case 'istio': {
      const http = (spec('networking.istio.io/v1', 'VirtualService')?.http ?? []) as { name?: string; route?: { destination: { subset?: string }; weight?: number }[] }[];
      const route = http.find((r) => r.name === 'primary');
      return sum((route?.route ?? []).map((d) => ({ backend: d.destination.subset ?? 'none', weight: d.weight ?? 0 })));
    }
    case 'gateway-api': {
      const rules = (spec('gateway.networking.k8s.io/v1', 'HTTPRoute')?.rules ?? []) as { name?: string; backendRefs?: { name: string; weight?: number }[] }[];
      const rule = rules.find((r) => !(r.name ?? '').startsWith('canary-gate-') && (r.backendRefs ?? []).some((b) => b.name === 'web-stable'));
      return sum((rule?.backendRefs ?? []).map((b) => ({ backend: byService(b.name), weight: b.weight ?? 1 })));
    }
    case 'traefik': {
      const services = ((spec('traefik.io/v1alpha1', 'TraefikService')?.weighted as { services?: { name: string; weight?: number }[] } | undefined)?.services ?? []);
      return sum(services.map((b) => ({ backend: byService(b.name), weight: b.weight ?? 1 })));
    }
    case 'smi': {
      const backends = (spec('split.smi-spec.io/v1alpha4', 'TrafficSplit')?.backends ?? []) as { service: string; weight: number }[];
      return sum(backends.map((b) => ({ backend: byService(b.service), weight: b.weight })));
    }
    case 'nginx': {
      const a = sim.store.get('networking.k8s.io/v1', 'Ingress', ns, 'web-canary')?.metadata.annotations ?? {};
      const total = Number(a['nginx.ingress.kubernetes.io/canary-weight-total']);
      const canary = Number(a['nginx.ingress.kubernetes.io/canary-weight']);
      return { stable: total - canary, canary };
    }
    case 'replicas':
      return undefined;
  }
}

interface Seeded {
  ns: string;
  kind: RouterKind;
  before: Map<string, KubeObject>;
}

let nsCounter = 0;
async function seed(kind: RouterKind): Promise<Seeded> {
  const ns = `e2e-${kind}-${++nsCounter}`;
  seededNamespaces.push(ns);
  await seedSampleApp(sim, { namespace: ns, name: 'web', image: OLD, replicas: kind === 'replicas' ? 4 : 2, router: kind });
  const before = new Map<string, KubeObject>();
  for (const [apiVersion, k] of [['v1', 'Service'] as [string, string], ...USER_OBJECTS[kind]]) {
    const o = sim.store.get(apiVersion, k, ns, 'web');
    if (!o) throw new Error(`seed: ${k} ${ns}/web missing`);
    before.set(k, structuredClone(o));
  }
  return { ns, kind, before };
}

const target = (ns: string) => ({ namespace: ns, stable: 'web', canary: 'web-canary' });

function readyPods(ns: string, name: string): number {
  const d = sim.store.get('apps/v1', 'Deployment', ns, name) as { status?: { readyReplicas?: number } } | undefined;
  return d?.status?.readyReplicas ?? 0;
}

/** Polled data-plane shares, each tagged with the last report event seen before it. */
interface Poll {
  after: string;
  canary: number;
  stable: number;
}

/** Samples the plain-request split every 10 ms while a run goes, tagged by the report's last event. */
function poller(s: Seeded): { polls: Poll[]; sink: ReportSink; stop: () => void } {
  const polls: Poll[] = [];
  let after = 'start';
  const sample = () => {
    const d = routeRequest(sim.reader, s.kind, target(s.ns), {}, OPTIONS(s.kind));
    polls.push({ after, canary: d.canaryPercent, stable: d.stablePercent });
  };
  const timer = setInterval(sample, 10);
  return {
    polls,
    sink: {
      name: 'poll-tagger',
      publish: async (_report, event) => {
        if (event.type === 'gate' || event.type === 'precheck') return;
        sample();
        after = event.type === 'step' ? `step ${event.weight}` : event.type;
        sample();
      },
    },
    stop: () => clearInterval(timer),
  };
}

function probe(s: Seeded, samples: Sample[], gen?: { generator: TrafficGenerator; advance: (ms: number) => Promise<void> }): ReportSink {
  return {
    name: 'weight-probe',
    publish: async (_report, event) => {
      if (event.type !== 'step') return;
      const t = target(s.ns);
      const at = (req: RequestFacts) => routeRequest(sim.reader, s.kind, t, req, OPTIONS(s.kind)).canaryPercent;
      let generated = Number.NaN;
      if (gen) {
        const before = gen.generator.totals();
        await gen.advance(10_000);
        const after = gen.generator.totals();
        const canary = after.canary.requests - before.canary.requests;
        generated = (100 * canary) / (canary + after.stable.requests - before.stable.requests);
      }
      const plain = routeRequest(sim.reader, s.kind, t, {}, OPTIONS(s.kind));
      const canaryPods = readyPods(s.ns, 'web-canary');
      samples.push({
        step: event.weight,
        generated,
        observed: routeRequest(sim.reader, s.kind, t, {}, OPTIONS(s.kind)).canaryPercent,
        simWeight: currentCanaryWeight(sim, s.ns, 'web'),
        plainCanary: plain.canaryPercent,
        plainStable: plain.stablePercent,
        podRatio: (100 * canaryPods) / (canaryPods + readyPods(s.ns, 'web')),
        ...(s.kind === 'replicas' ? {} : { raw: rawWeights(s.kind, s.ns) }),
        ...(FORCED.has(s.kind)
          ? {
              header: at({ headers: { 'X-Canary': 'true' } }),
              cookie: at({ cookies: { session: 'abc', canary: 'always' } }),
              wrongValue: at({ headers: { 'x-canary': 'false' } }),
              cookieNever: at({ cookies: { canary: 'never' } }),
              sticky: at({ cookies: { theme: 'dark', cg: 'canary' } }),
            }
          : {}),
      });
    },
  };
}

function quietLog(onLine?: (line: string) => void): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (l: string) => {
    lines.push(l);
    onLine?.(l);
  };
  return { lines, info: push, warning: (m) => push(`! ${m}`), error: (m) => push(`✗ ${m}`), debug: () => {}, group: (n, fn) => (push(`▸ ${n}`), fn()) };
}

const noCore: AppEnv['core'] = {
  setSecret: () => {},
  error: () => {},
  warning: () => {},
  summary: { emptyBuffer: () => undefined, addRaw: () => undefined, write: async () => undefined },
};

/** A traffic generator on a manual clock whose weight source is the simulator's router-agnostic reader. */
async function generatorFor(ns: string, seed: number): Promise<{ generator: TrafficGenerator; advance: (ms: number) => Promise<void> }> {
  let clock = 0;
  const healthy = { errorRate: 0, latencyMs: { p50: 20, p99: 100 } };
  const generator = await startTrafficGenerator({
    weightSource: () => currentCanaryWeight(sim, ns, 'web'),
    namespace: ns,
    stable: 'web',
    canary: 'web-canary',
    rps: 1000,
    scenario: { canary: healthy, stable: healthy },
    tickMs: 3_600_000,
    seed,
    now: () => clock,
  });
  return {
    generator,
    advance: async (ms) => {
      clock += ms;
      await generator.tick();
    },
  };
}

/**
 * The cluster as seen by a run whose process dies: after kill() every API call fails, so the dead run
 * can neither roll back nor record anything (the last saved state says it is mid-step).
 */
function killableKube(): { kube: KubeApi; kill: () => void } {
  let killed = false;
  const proxy = new Proxy(kube, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (killed ? Promise.reject(new Error('process killed')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { kube: proxy, kill: () => (killed = true) };
}

async function run(s: Seeded, image: string, opts: { poll?: ReportSink; settle?: string; kube?: KubeApi; runId?: string; mode?: string; cleanupOfCancelledRun?: boolean; lease?: string; samples?: Sample[]; generator?: Awaited<ReturnType<typeof generatorFor>>; signal?: AbortSignal; onLine?: (l: string) => void } = {}): Promise<{ out: RunOutcome; log: string[] }> {
  const config = buildConfig({
    inputs: {
      deployment: 'web',
      namespace: s.ns,
      image,
      ...(opts.settle ? { 'settle-time': opts.settle } : {}),
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.lease ? { 'lease-duration': opts.lease } : {}),
    },
    secrets: {},
    fileText: CONFIG_YAML(s.kind),
    fileName: '.github/canary.yml',
  });
  expect(config.routing.kind).toBe(s.kind);
  const log = quietLog(opts.onLine);
  const out = await runCanaryGate(config, {}, {
    runId: opts.runId ?? `run-${s.ns}`,
    log,
    core: noCore,
    env: {},
    kube: opts.kube ?? kube,
    ...(opts.cleanupOfCancelledRun ? { cleanupOfCancelledRun: true } : {}),
    pollMs: 50,
    ...(opts.signal ? { signal: opts.signal } : {}),
    extraSinks: [...(opts.samples ? [probe(s, opts.samples, opts.generator)] : []), ...(opts.poll ? [opts.poll] : [])],
  });
  return { out, log: log.lines };
}

function stableImage(ns: string): string | undefined {
  const d = sim.store.get('apps/v1', 'Deployment', ns, 'web') as { spec: { template: { spec: { containers: { image: string }[] } } } };
  return d.spec.template.spec.containers[0]?.image;
}

/** Whole-cluster checks after a finished run. */
function expectWhole(s: Seeded, image: string): void {
  const { ns, kind } = s;
  expect(stableImage(ns)).toBe(image);
  const stable = sim.store.get('apps/v1', 'Deployment', ns, 'web') as { spec: { replicas: number }; status: { readyReplicas?: number } };
  expect(stable.status.readyReplicas).toBe(stable.spec.replicas);
  const canary = sim.store.get('apps/v1', 'Deployment', ns, 'web-canary') as { spec: { replicas: number }; status?: { readyReplicas?: number } } | undefined;
  expect(canary?.spec.replicas ?? 0).toBe(0);
  expect(canary?.status?.readyReplicas ?? 0).toBe(0);

  // The data plane sends nobody to the canary, not even forced users.
  expect(routeRequest(sim.reader, kind, target(ns), {}, OPTIONS(kind)).canaryPercent).toBe(0);
  expect(currentCanaryWeight(sim, ns, 'web')).toBe(0);
  const forced = routeRequest(sim.reader, kind, target(ns), { headers: { 'x-canary': 'true' }, cookies: { canary: 'always', cg: 'canary' } }, OPTIONS(kind));
  expect(forced).toMatchObject({ canaryPercent: 0, stablePercent: 100 });

  // Nothing canary-gate created is left behind.
  for (const [apiVersion, k] of OWNED_KINDS) {
    const left = sim.store.list(apiVersion, k, ns).filter((o) => o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE);
    expect(left.map((o) => `${k}/${o.metadata.name}`)).toEqual([]);
  }
  expect(sim.store.get('v1', 'Service', ns, 'web-stable')).toBeUndefined();
  expect(sim.store.get('v1', 'Service', ns, 'web-canary')).toBeUndefined();
  expect(sim.store.get('networking.k8s.io/v1', 'Ingress', ns, 'web-canary')).toBeUndefined();
  expect(sim.store.list('split.smi-spec.io/v1alpha4', 'TrafficSplit', ns)).toEqual([]);

  // The user's objects carry their original spec, and no record annotation.
  for (const [k, original] of s.before) {
    const now = sim.store.get(original.apiVersion, k, ns, 'web');
    expect({ kind: k, spec: now?.spec }).toEqual({ kind: k, spec: original.spec });
    expect(now?.metadata.annotations?.['canary-gate.io/original']).toBeUndefined();
  }
}

function explain(out: RunOutcome, log: string[]): string {
  return `${out.result} ${out.reason ?? ''}: ${out.message}\n${log.join('\n')}`;
}

describe.each(KINDS)('router %s end to end', (kind) => {
  test('a healthy canary is promoted; weights per step match; forced users reach the canary; the cluster is whole', async () => {
    const s = await seed(kind);
    const samples: Sample[] = [];
    const generator = await generatorFor(s.ns, 11);
    const poll = poller(s);
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(s, NEW, { samples, generator, poll: poll.sink });
    } finally {
      poll.stop();
      await generator.generator.stop();
    }
    const { out, log } = result;
    expect(out.result === 'promoted' ? '' : explain(out, log)).toBe('');
    expectWhole(s, NEW);

    expect(samples.map((x) => x.step)).toEqual([10, 50]);
    for (const x of samples) {
      // The router's objects and the per-request model agree, and the shares add up.
      expect(x.plainCanary).toBeCloseTo(x.observed, 9);
      expect(x.simWeight).toBeCloseTo(x.observed, 9);
      expect(x.plainCanary + x.plainStable).toBeCloseTo(100, 9);
      if (kind === 'replicas') {
        // Weights by pod count: the share is the ready-pod ratio (4 stable: 10 % → 1 pod = 20 %, 50 % → 4 pods).
        expect(x.observed).toBeCloseTo(x.podRatio, 9);
        expect(x.observed).toBeGreaterThan(0);
      } else {
        expect(x.observed).toBeCloseTo(x.step, 9);
        // As written: integer weights, canary = the step, stable = the rest, 100 together.
        expect(x.raw).toEqual({ stable: 100 - x.step, canary: x.step });
      }
      // The traffic generator, fed by the simulator's weight reader, splits requests the same way.
      expect(x.generated).toBeGreaterThan(x.observed - 3);
      expect(x.generated).toBeLessThan(x.observed + 3);
      if (FORCED.has(kind)) {
        expect(x.header).toBe(100);
        expect(x.cookie).toBe(100);
        // A different header value is a plain request; cookie `never` forces stable on nginx and is plain elsewhere.
        expect(x.wrongValue).toBeCloseTo(x.step, 9);
        expect(x.cookieNever).toBeCloseTo(kind === 'nginx' ? 0 : x.step, 9);
        // A user who got the canary's sticky cookie stays on the canary (istio, gateway-api); nginx has no sticky.
        expect(x.sticky).toBeCloseTo(STICKY.has(kind) ? 100 : x.step, 9);
      }
    }
    if (kind === 'replicas') expect(samples.map((x) => Math.round(x.observed))).toEqual([20, 50]);

    // Polled every 10 ms all along: the shares always add up to 100; the canary gets nothing before
    // step 1 (stable-only backends were prepared before the canary pods existed), exactly the step's
    // weight during it (replicas: at most 50 %), and nothing once the run finished.
    const polls = poll.polls;
    expect(polls.length).toBeGreaterThan(20);
    for (const p of polls) expect(p.canary + p.stable).toBeCloseTo(100, 9);
    const phases = [...new Set(polls.map((p) => p.after))];
    expect(phases).toEqual(expect.arrayContaining(['started', 'step 10', 'step 50', 'promoting', 'finished']));
    // A tag holds until the next event, and each event is published after its change took effect, so
    // a tag's polls may already show the next weight — but never anything in between: a Service
    // selecting both versions (2 stable + 1 canary pod = 33 %) never carries plain traffic.
    const seen = (after: string) => [...new Set(polls.filter((p) => p.after === after).map((p) => Math.round(p.canary * 1e6) / 1e6))].sort((a, b) => a - b);
    if (kind === 'replicas') {
      expect(Math.max(0, ...seen('started'))).toBeLessThanOrEqual(20);
    } else {
      for (const v of seen('started')) expect([0, 10]).toContain(v);
      for (const v of seen('step 10')) expect([10, 50]).toContain(v);
      for (const v of seen('step 50')) expect([50]).toContain(v);
      for (const v of seen('promoting')) expect([0, 50]).toContain(v);
    }
    expect(seen('finished')).toEqual([0]);
    expect(Math.max(...polls.map((p) => p.canary))).toBeLessThanOrEqual(50 + 1e-9);
  });

  test('a crash-looping canary is rolled back and the cluster is whole with the old image', async () => {
    const s = await seed(kind);
    const { out, log } = await run(s, CRASH);
    expect(out.result === 'rolled-back' ? '' : explain(out, log)).toBe('');
    expect(out.reason).toBe('canary-crashloop');
    expectWhole(s, OLD);
  });

  test('a run cancelled during a long settle is rolled back as cancelled and the cluster is whole', async () => {
    const s = await seed(kind);
    const controller = new AbortController();
    const samples: Sample[] = [];
    const started = Date.now();
    const { out, log } = await run(s, NEW, {
      settle: '5m',
      samples,
      signal: controller.signal,
      onLine: (l) => {
        if (l.startsWith('Settling for')) setTimeout(() => controller.abort(new Error('cancelled by the test')), 50);
      },
    });
    expect(out.result === 'rolled-back' ? '' : explain(out, log)).toBe('');
    expect(out.reason).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(30_000);
    // It was cancelled while the canary had its first step's traffic.
    expect(samples.map((x) => x.step)).toEqual([10]);
    expectWhole(s, OLD);
  });
});

/** A run that dies (every API call fails) while settling at its first step, leaving 10 % on the canary. */
async function killedMidStep(s: Seeded, runId: string, lease?: string): Promise<void> {
  const controller = new AbortController();
  const dying = killableKube();
  const { out, log } = await run(s, NEW, {
    settle: '5m',
    kube: dying.kube,
    runId,
    signal: controller.signal,
    ...(lease ? { lease } : {}),
    onLine: (l) => {
      if (l.startsWith('Settling for')) {
        dying.kill();
        controller.abort(new Error('killed'));
      }
    },
  }).catch((err: unknown) => ({ out: undefined, log: [String(err)] }));
  // The dead run could not undo anything: the canary still has its first step's share.
  expect(out?.result === 'failed' ? '' : `${out ? explain(out, log) : log.join('\n')}`).toBe('');
  const left = routeRequest(sim.reader, s.kind, target(s.ns), {}, OPTIONS(s.kind)).canaryPercent;
  if (s.kind === 'replicas') expect(left).toBeGreaterThan(0);
  else expect(left).toBeCloseTo(10, 9);
}

describe.each(KINDS)('router %s after a run died mid-step', (kind) => {
  test('the post step rolls it back as cancelled and the cluster is whole', async () => {
    const s = await seed(kind);
    await killedMidStep(s, 'dead-run');
    const post = await run(s, NEW, { mode: 'abort', runId: 'dead-run', cleanupOfCancelledRun: true });
    expect(post.out.result === 'rolled-back' ? '' : explain(post.out, post.log)).toBe('');
    expect(post.out.reason).toBe('cancelled');
    expectWhole(s, OLD);
  });

  test('without a post step, the next run rolls the abandoned rollout back once its lease expired, then promotes', async () => {
    const s = await seed(kind);
    await killedMidStep(s, 'dead-run', '1s');
    await new Promise((r) => setTimeout(r, 1_100));
    const next = await run(s, NEW, { runId: 'next-run', lease: '1s' });
    expect(next.out.result === 'promoted' ? '' : explain(next.out, next.log)).toBe('');
    expect(next.log.some((l) => l.includes('unfinished rollout dead-run'))).toBe(true);
    expectWhole(s, NEW);
  });
});

describe('seeds', () => {
  test('parseSeed takes every router kind; an unknown one is named', () => {
    for (const router of ['istio', 'nginx', 'gateway-api', 'traefik', 'smi', 'replicas', 'none']) {
      expect(parseSeed(`name=web,router=${router}`).router).toBe(router);
    }
    expect(() => parseSeed('name=web,router=linkerd')).toThrow(/found "linkerd"/);
  });
});
