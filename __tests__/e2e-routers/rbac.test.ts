/**
 * RBAC end to end (issue 11 item 6): the bundled action, started as a runner starts it, against the
 * simulator enforcing exactly the Role docs/rbac.md documents for the router (rendered from
 * src/traffic/permissions.ts, which a unit test compares with the document). With that Role every
 * router promotes; with one verb removed the run is refused before its first write, naming the verb
 * and the resource — so the documentation cannot drift from what the code calls.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { seedSampleApp } from '../../src/sim/seed.ts';
import { ROUTER_KINDS, type RouterKind } from '../../src/traffic/config.ts';
import { roleFor, type PolicyRule } from '../../src/traffic/permissions.ts';
import { RunnerDir, runAction } from '../../src/sim/github-runner.ts';

const USER = 'system:serviceaccount:ci:canary-gate';
let sim: KubeSimulator;
let runner: RunnerDir;

beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 100 });
  runner = new RunnerDir();
});
afterAll(async () => {
  await sim?.close();
  runner?.remove();
});

function bind(namespace: string, rules: PolicyRule[], roleName: string): void {
  sim.setRbac({ user: USER, roleName, namespace, rules });
}

async function seed(kind: RouterKind, namespace: string): Promise<void> {
  // Seeding plays the cluster admin (straight into the store); the action then runs under the Role.
  sim.setRbac(undefined);
  await seedSampleApp(sim, { namespace, name: 'web', image: 'ghcr.io/acme/web:1.0', replicas: kind === 'replicas' ? 3 : 2, router: kind, labels: { 'canary-gate.io/track': 'stable' } });
}

const inputs = (kind: RouterKind, namespace: string): Record<string, string> => ({
  kubeconfig: sim.kubeconfig(),
  namespace,
  deployment: 'web',
  image: 'ghcr.io/acme/web:2.0',
  router: kind,
  steps: '50',
  'settle-time': '0s',
  'analysis-interval': '200ms',
  'ready-timeout': '30s',
});

/** Requests of the run that could change something in its namespace (SelfSubjectAccessReviews are cluster-scoped reads). */
const writesIn = (namespace: string, from: number): string[] =>
  sim.requests
    .slice(from)
    .filter((r) => r.method !== 'GET' && r.path.includes(`/namespaces/${namespace}/`))
    .map((r) => `${r.method} ${r.path} → ${r.status}`);

describe.each(ROUTER_KINDS)('%s router under exactly its documented Role', (kind) => {
  test('promotes, and the server refused nothing', async () => {
    const ns = `rbac-${kind}`;
    await seed(kind, ns);
    const role = roleFor(kind, ns);
    bind(ns, role.rules, role.metadata.name);
    const from = sim.requests.length;
    try {
      const run = await runAction('main', { runner, inputs: inputs(kind, ns) });
      // On failure, show what the run said (the 403 or the permission check names the missing verb).
      expect(run.outputs.result === 'promoted' ? '' : `${run.outputs.result}: ${run.outputs.message}`).toBe('');
      expect(sim.requests.slice(from).filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    } finally {
      sim.setRbac(undefined);
    }
  }, 90_000);
});

test('a Role without one verb is refused before the first write, naming the verb and the resource', async () => {
  const ns = 'rbac-missing';
  await seed('istio', ns);
  const role = roleFor('istio', ns);
  // The audit's case: no `list pods`, which the readiness check and the track-label check need.
  const rules = role.rules
    .map((r) => (r.resources.includes('pods') ? { ...r, verbs: r.verbs.filter((v) => v !== 'list') } : r))
    .filter((r) => r.verbs.length > 0);
  bind(ns, rules, role.metadata.name);
  const from = sim.requests.length;
  try {
    const run = await runAction('main', { runner, inputs: inputs('istio', ns) });
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.reason).toBe('forbidden');
    expect(run.outputs.message).toContain('list pods');
    expect(run.stdout).toContain('docs/rbac.md');
    expect(writesIn(ns, from)).toEqual([]);
  } finally {
    sim.setRbac(undefined);
  }
}, 60_000);
