import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startKubeSimulator, type KubeSimulator, type KubeSimulatorOptions } from '../../src/sim/kube-server.ts';

export interface SimClients {
  sim: KubeSimulator;
  kc: k8s.KubeConfig;
  apps: k8s.AppsV1Api;
  core: k8s.CoreV1Api;
  objects: k8s.KubernetesObjectApi;
  dir: string;
  close(): Promise<void>;
}

/** A simulator and clients built from the kubeconfig it writes, exactly as the action loads one. */
export async function startWithClients(opts: KubeSimulatorOptions = {}): Promise<SimClients> {
  const sim = await startKubeSimulator(opts);
  const dir = await mkdtemp(join(tmpdir(), 'cg-sim-test-'));
  const path = join(dir, 'kubeconfig.yaml');
  await sim.writeKubeconfig(path);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return {
    sim,
    kc,
    dir,
    apps: kc.makeApiClient(k8s.AppsV1Api),
    core: kc.makeApiClient(k8s.CoreV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    async close() {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function deployment(name: string, namespace: string, image = 'ghcr.io/acme/web:1.0', replicas = 2): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image,
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [
                { name: 'MODE', value: 'stable' },
                { name: 'LOG', value: 'info' },
              ],
            },
          ],
        },
      },
    },
  };
}

/** Status body of an ApiException (client-node hands it over as the raw JSON text). */
export function statusOf(err: unknown): { code: number; reason: string; message: string; details?: { causes?: { field: string; reason: string; message: string }[] } } {
  const e = err as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  return body as ReturnType<typeof statusOf>;
}

export async function rejection(p: Promise<unknown>): Promise<{ code: number; status: ReturnType<typeof statusOf> }> {
  try {
    await p;
  } catch (err) {
    return { code: (err as { code: number }).code, status: statusOf(err) };
  }
  throw new Error('expected the request to be rejected, but it succeeded');
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
