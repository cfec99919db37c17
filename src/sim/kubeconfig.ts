/** A kubeconfig for the simulator: one cluster at its URL, one user with its bearer token. */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export function kubeconfigYaml(url: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is explicitly skipped (there is no TLS here).
    clusters: [{ name: 'canary-gate-sim', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'canary-gate-sim-user', user: { token } }],
    contexts: [{ name: 'canary-gate-sim', context: { cluster: 'canary-gate-sim', user: 'canary-gate-sim-user', namespace } }],
    'current-context': 'canary-gate-sim',
    preferences: {},
  });
}

/** Written with mode 0600 like kubectl does, since it holds a credential. */
export async function writeKubeconfig(path: string, url: string, token: string): Promise<void> {
  await writeFile(path, kubeconfigYaml(url, token), { mode: 0o600 });
}
