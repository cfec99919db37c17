/**
 * RBAC as data (src/traffic/permissions.ts): docs/rbac.md shows exactly the Role the data renders,
 * every call a router really makes is covered by the data, and the pre-write check
 * (kube/access-review.ts) names each missing verb and resource.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { reviewPermissions, verifyPermissions } from '../../src/kube/access-review.ts';
import type { KubeApi, KubeObject } from '../../src/kube/types.ts';
import { ROUTER_KINDS, type RouterKind } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { GROUP_ALIASES, describeNeed, permissionsFor, roleFor } from '../../src/traffic/permissions.ts';
import { TARGET, quietLog } from './fake-kube.ts';
import { clusterFor } from './fixtures.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'rbac.md'), 'utf8');

/** The first ```yaml block after the heading `### <kind>`. */
function documentedRole(kind: RouterKind): unknown {
  const at = DOC.indexOf(`\n### ${kind}\n`);
  expect(at).toBeGreaterThan(0);
  const block = /```yaml\n([\s\S]*?)```/.exec(DOC.slice(at));
  return parse(block?.[1] ?? '');
}

describe('docs/rbac.md', () => {
  it.each(ROUTER_KINDS)('documents for %s exactly the Role that permissions.ts renders', (kind) => {
    expect(documentedRole(kind)).toEqual(roleFor(kind, 'demo'));
  });

  it('explains every permission it grants', () => {
    for (const kind of ROUTER_KINDS) {
      for (const n of permissionsFor(kind)) expect(DOC).toContain(`| \`${describeNeed(n)}\` |`);
    }
  });

  it('needs no ClusterRole: every rule is namespaced', () => {
    expect(DOC).not.toMatch(/kind: ClusterRole\b/);
  });
});

const PLURAL: Record<string, string> = {
  Deployment: 'deployments',
  Pod: 'pods',
  Service: 'services',
  Ingress: 'ingresses',
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  HTTPRoute: 'httproutes',
  TraefikService: 'traefikservices',
  TrafficSplit: 'trafficsplits',
};
const VERB: Record<string, string> = { get: 'get', list: 'list', create: 'create', replace: 'update', patch: 'patch', delete: 'delete' };

function groupOf(apiVersion: string | undefined): string {
  const i = (apiVersion ?? '').indexOf('/');
  return i < 0 ? '' : (apiVersion ?? '').slice(0, i);
}

describe('the permission data covers what the routers call', () => {
  it.each(ROUTER_KINDS)('%s: every call of verify, prepare, setWeight, getWeight, reset and cleanup is granted', async (kind) => {
    const { kube, options } = clusterFor(kind);
    const router = createRouter(kind, { kube, target: TARGET, options, log: quietLog().log });
    await router.verify();
    await router.prepare?.();
    await router.setWeight(30);
    await router.getWeight();
    await router.reset();
    await router.cleanup?.();
    const granted = new Set(
      permissionsFor(kind).flatMap((n) => (GROUP_ALIASES[n.group] ?? [n.group]).map((g) => `${n.verb} ${n.resource} ${g}`)),
    );
    const calls = kube.calls.filter((c) => c.verb !== 'serves').map((c) => `${VERB[c.verb]} ${PLURAL[c.kind] ?? c.kind} ${groupOf(c.apiVersion)}`);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !granted.has(c))).toEqual([]);
  });
});

/** A KubeApi that answers SelfSubjectAccessReviews from a set of allowed `verb resource.group`. */
function reviewer(allowed: Set<string>, fail?: Error): KubeApi & { reviews: unknown[] } {
  const reviews: unknown[] = [];
  const no = () => Promise.reject(new Error('not expected'));
  return {
    reviews,
    get: no,
    list: no,
    replace: no,
    patch: no,
    delete: no,
    serves: no,
    async create<T extends KubeObject>(obj: T): Promise<T> {
      if (fail) throw fail;
      reviews.push(obj);
      const a = (obj.spec as { resourceAttributes: { verb: string; group: string; resource: string; namespace: string } }).resourceAttributes;
      return { ...obj, status: { allowed: allowed.has(describeNeed(a)) && a.namespace === 'demo' } };
    },
  };
}

describe('the pre-write permission check (SelfSubjectAccessReview)', () => {
  const all = (kind: RouterKind) => new Set(permissionsFor(kind).map(describeNeed));

  it('passes when every permission is granted, asking once per verb and resource', async () => {
    const kube = reviewer(all('nginx'));
    await verifyPermissions(kube, 'demo', permissionsFor('nginx'), { router: 'nginx', warn: () => undefined });
    expect(kube.reviews).toHaveLength(new Set(permissionsFor('nginx').map(describeNeed)).size);
    expect(kube.reviews[0]).toMatchObject({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview' });
  });

  it('names each missing verb and resource and what it is for, with reason forbidden', async () => {
    const granted = all('istio');
    granted.delete('list pods');
    granted.delete('update virtualservices.networking.istio.io');
    const err = await verifyPermissions(reviewer(granted), 'demo', permissionsFor('istio'), { router: 'istio', warn: () => undefined }).catch(
      (e: unknown) => e as Error & { reason: string },
    );
    expect(err).toMatchObject({ reason: 'forbidden' });
    expect(err?.message).toContain('lack 2 permissions in namespace demo');
    expect(err?.message).toContain('list pods (to judge readiness');
    expect(err?.message).toContain('update virtualservices.networking.istio.io (to write the stable/canary weights');
    expect(err?.message).toContain('docs/rbac.md');
  });

  it('reports a cluster that cannot answer as unchecked, warns and goes on', async () => {
    const kube = reviewer(new Set(), new Error('HTTP 404 NotFound'));
    expect(await reviewPermissions(kube, 'demo', permissionsFor('smi'))).toEqual({ checked: false, why: 'HTTP 404 NotFound' });
    const warnings: string[] = [];
    await verifyPermissions(kube, 'demo', permissionsFor('smi'), { router: 'smi', warn: (l) => warnings.push(l) });
    expect(warnings.join()).toContain('Could not check the Kubernetes permissions');
  });

  it('leaves out delete deployments with canary-cleanup: scale-to-zero', () => {
    expect(permissionsFor('istio', { cleanup: 'scale-to-zero' }).map(describeNeed)).not.toContain('delete deployments.apps');
    expect(permissionsFor('istio', { cleanup: 'delete' }).map(describeNeed)).toContain('delete deployments.apps');
  });
});
