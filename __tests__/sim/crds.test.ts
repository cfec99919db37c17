import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrdIndex, CRD_INDEX_FILE, crdDirectory, readCrdIndex } from '../../src/sim/kube-resources.ts';

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
