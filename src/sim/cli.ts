/**
 * Runs the Kubernetes simulator as a process (for the demo and end-to-end tests):
 *   ./node_modules/.bin/node src/sim/cli.ts --kubeconfig <path> [--port N] [--ready-delay-ms N]
 *       [--seed name=web,namespace=demo,router=istio,image=ghcr.io/acme/web:1.0,replicas=3] ...
 * Prints one JSON line {"url", "kubeconfig"} on stdout once the server listens and the seeds are
 * ready, then runs until SIGINT/SIGTERM and closes cleanly.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeSimulator } from './kube-server.ts';
import { parseSeed, seedSampleApp } from './seed.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
      'ready-delay-ms': { type: 'string' },
      'progress-deadline-scale-ms': { type: 'string' },
      seed: { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig <path> is required: where to write the kubeconfig for the simulator');
  const seeds = (values.seed ?? []).map(parseSeed);
  const sim = await startKubeSimulator({
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values['ready-delay-ms'] ? { readyDelayMs: Number(values['ready-delay-ms']) } : {}),
    ...(values['progress-deadline-scale-ms'] ? { progressDeadlineScaleMs: Number(values['progress-deadline-scale-ms']) } : {}),
  });
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`simulator close failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const kubeconfig = resolve(values.kubeconfig);
  await sim.writeKubeconfig(kubeconfig);
  for (const seed of seeds) await seedSampleApp(sim, seed);
  process.stdout.write(`${JSON.stringify({ url: sim.url, kubeconfig })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`canary-gate simulator: ${(err as Error).message}\n`);
  process.exit(1);
});
