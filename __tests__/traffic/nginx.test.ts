import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../src/kube/types.ts';
import type { RouterOptions } from '../../src/traffic/config.ts';
import { createRouter } from '../../src/traffic/factory.ts';
import { FakeKube, TARGET, canaryDeployment, quietLog, stableDeployment, userService } from './fake-kube.ts';
import { stableIngress } from './fixtures.ts';

type Ingress = KubeObject & {
  spec: { ingressClassName?: string; tls?: unknown; rules: { host?: string; http: { paths: { path: string; backend: { service: { name: string; port: unknown } } }[] } }[] };
};

function setup(options: RouterOptions = {}, extra: KubeObject[] = []) {
  const kube = new FakeKube([stableDeployment(), canaryDeployment({ replicas: 1 }), userService(), stableIngress(), ...extra]);
  const router = createRouter('nginx', { kube, target: TARGET, options, log: quietLog().log });
  const ing = (name: string) => kube.peek<Ingress>('networking.k8s.io/v1', 'Ingress', 'prod', name);
  return { kube, router, ing };
}

describe('nginx router', () => {
  it('creates a canary Ingress for the same host and path, to the canary Service, at weight 0', async () => {
    const { router, ing } = setup();
    await router.verify();
    await router.prepare?.();
    const canary = ing('web-canary')!;
    expect(canary.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '0',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(canary.spec.ingressClassName).toBe('nginx');
    expect(canary.spec.rules).toEqual([
      {
        host: 'web.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-canary', port: { number: 80 } } } }] },
      },
    ]);
    // The stable path now goes to stable pods only; the other path and the TLS block are untouched.
    const stable = ing('web')!;
    expect(stable.spec.rules[0]?.http.paths.map((p) => p.backend.service.name)).toEqual(['web-stable', 'admin']);
    expect(stable.spec.tls).toEqual([{ hosts: ['web.example.com'], secretName: 'web-tls' }]);
    // The user's annotations are kept; the switched path is recorded beside them, in the same write.
    expect(stable.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'canary-gate.io/original': '{"stable-paths":["0/0"]}' });
  });

  it('sets canary-weight and the by-header/by-cookie annotations; reset zeroes and removes them', async () => {
    const { router, ing } = setup({ header: { name: 'x-canary', value: 'yes' }, cookie: { name: 'canary' } });
    await router.prepare?.();
    await router.setWeight(35);
    expect(ing('web-canary')?.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary-weight': '35',
      'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'yes',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
    });
    expect(await router.getWeight()).toBe(35);
    await router.reset();
    const a = ing('web-canary')?.metadata.annotations ?? {};
    expect(a['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
    expect(Object.keys(a).some((k) => k.includes('canary-by-'))).toBe(false);
  });

  it('refuses when another canary Ingress already claims the host and path', async () => {
    const foreign = stableIngress('someone-elses-canary');
    foreign.metadata.annotations = { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' };
    const { router, kube } = setup({}, [foreign]);
    await expect(router.verify()).rejects.toThrow(/someone-elses-canary already claims web.example.com\/; ingress-nginx honours one canary Ingress per host and path/);
    await expect(router.setWeight(10)).rejects.toThrow(/already claims/);
    expect(kube.writes().filter((w) => w.kind === 'Ingress')).toEqual([]);
  });

  it('refuses a canary Ingress of the same name that canary-gate did not make', async () => {
    const squatter = stableIngress('web-canary');
    const { router } = setup({}, [squatter]);
    await expect(router.verify()).rejects.toThrow(/web-canary exists and was not made by canary-gate/);
  });

  it('refuses a missing Ingress and one that does not send to the service', async () => {
    const missing = setup({ ingress: 'missing' });
    await expect(missing.router.verify()).rejects.toThrow(/Ingress prod\/missing not found; set routing.ingress/);
    const elsewhere = setup({ service: 'api' }, [userService({ name: 'api' })]);
    await expect(elsewhere.router.verify()).rejects.toThrow(/Ingress prod\/api not found/);
    const wrongBackend = setup({ service: 'api', ingress: 'web' }, [userService({ name: 'api' })]);
    await expect(wrongBackend.router.verify()).rejects.toThrow(/Ingress prod\/web has no path whose backend is Service api/);
  });

  it('cleanup points the stable Ingress back at the user Service and deletes only its own objects', async () => {
    const { router, ing, kube } = setup();
    await router.prepare?.();
    await router.setWeight(50);
    await router.reset();
    await router.cleanup?.();
    await router.cleanup?.();
    expect(ing('web-canary')).toBeUndefined();
    expect(ing('web')?.spec.rules[0]?.http.paths.map((p) => p.backend.service.name)).toEqual(['web', 'admin']);
    expect(kube.peek('v1', 'Service', 'prod', 'web')).toBeDefined();
    expect(kube.peek('v1', 'Service', 'prod', 'web-stable')).toBeUndefined();
  });

  it('getWeight is 0 with no canary Ingress', async () => {
    const { router } = setup();
    expect(await router.getWeight()).toBe(0);
  });
});
