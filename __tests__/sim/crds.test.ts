import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrdIndex, crdDirectory, readCrdIndex } from '../../src/sim/kube-resources.ts';

test('crds.json is in sync with the CRD YAML files (run src/sim/crds/update-index.ts after editing them)', () => {
  const dir = crdDirectory();
  expect(readCrdIndex(dir)).toEqual(buildCrdIndex(dir));
  const kinds = readCrdIndex(dir).map((e) => `${e.group}/${e.kind}:${e.versions.join(',')}`);
  expect(kinds).toEqual(
    expect.arrayContaining([
      'networking.istio.io/VirtualService:v1,v1alpha3,v1beta1',
      'networking.istio.io/DestinationRule:v1,v1alpha3,v1beta1',
      'gateway.networking.k8s.io/HTTPRoute:v1,v1beta1',
      'traefik.io/TraefikService:v1alpha1',
      'split.smi-spec.io/TrafficSplit:v1alpha4,v1alpha3,v1alpha2,v1alpha1',
    ]),
  );
});

test('the copied CRDs are byte-identical to the shared schemas when those are present', () => {
  const shared = join(crdDirectory(), '..', '..', '..', '..', 'shared', 'schemas', 'crds');
  let files: string[];
  try {
    files = ['virtualservices.networking.istio.io.yaml', 'destinationrules.networking.istio.io.yaml', 'gateway.networking.k8s.io_httproutes.yaml', 'traefikservices.traefik.io.yaml'];
    readFileSync(join(shared, files[0] ?? ''));
  } catch {
    return; // a fresh clone without ../shared: nothing to compare against
  }
  for (const f of files) expect(readFileSync(join(crdDirectory(), f), 'utf8')).toBe(readFileSync(join(shared, f), 'utf8'));
});

describe('structural defaults of the CRDs, applied on write (defaulting/algorithm.go)', () => {
  it('fills HTTPRoute backendRefs, parentRefs and rule matches from the Gateway API schema', async () => {
    const { startKubeSimulator } = await import('../../src/sim/kube-server.ts');
    const sim = await startKubeSimulator({ readyDelayMs: 10 });
    try {
      const stored = sim.create({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web', namespace: 'demo' },
        spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      }) as { metadata: { generation?: number }; spec: { parentRefs: unknown[]; rules: { matches: unknown; backendRefs: unknown[] }[] } };
      expect(stored.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
      expect(stored.spec.rules[0]?.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'web', port: 80, weight: 1 }]);
      expect(stored.spec.rules[0]?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
      // Writing the same object back without the defaults changes nothing: the generation stays.
      const again = sim.api.replace(
        { type: sim.api.types.byKind('gateway.networking.k8s.io/v1', 'HTTPRoute')!, version: 'v1', namespace: 'demo' },
        'web',
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'demo' }, spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } },
      );
      expect(again.metadata.generation).toBe(stored.metadata.generation);
    } finally {
      await sim.close();
    }
  });
});
