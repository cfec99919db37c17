/**
 * npm run demo — a full canary rollout end to end on the embedded simulator, as a GitHub runner
 * would run the action: the bundled dist/main/index.js in a child process with INPUT_* variables.
 *
 *   1. a healthy canary, gated on its success rate measured by a real Prometheus → promoted
 *   2. a canary that crash-loops → rolled back at once, with the reason
 *   3. a canary whose error rate rises to 25 % → rolled back by the metric gate
 *
 * Without the `prometheus` binary (scripts/install-prometheus.sh installs it) the demo still runs
 * 1 and 2, gated on readiness only, and says so.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKubeSimulator } from '../src/sim/kube-server.ts';
import { prometheusInstalled, startPrometheus, type RunningPrometheus } from '../src/sim/prometheus.ts';
import { currentCanaryWeight, seedSampleApp } from '../src/sim/seed.ts';
import { startTrafficGenerator, type TrafficGenerator } from '../src/sim/traffic.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NS = 'demo';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] ?? '');
    out[m[1] ?? ''] = value.join('\n');
  }
  return out;
}

/** Runs the bundled action like a runner and prints its log the way the Actions UI would. */
function runAction(workspace: string, inputs: Record<string, string>): Promise<Record<string, string>> {
  const outputFile = path.join(workspace, `output-${Date.now()}`);
  const stateFile = path.join(workspace, `state-${Date.now()}`);
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STATE: stateFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    const print = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('::add-mask::') || line === '::endgroup::') continue;
        const group = /^::group::(.*)$/.exec(line);
        const annotation = /^::(warning|error)[^:]*::(.*)$/.exec(line);
        if (group) console.log(`  ${bold(`▸ ${decodeURIComponent(group[1] ?? '')}`)}`);
        else if (annotation) console.log(`      ${annotation[1] === 'error' ? '✗' : '!'} ${decodeURIComponent(annotation[2] ?? '')}`);
        else console.log(`      ${line}`);
      }
    };
    child.stdout.on('data', print);
    child.stderr.on('data', print);
    child.on('error', reject);
    child.on('close', () => resolve(parseOutputs(readFileSync(outputFile, 'utf8'))));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-demo-'));
  const sim = await startKubeSimulator({ readyDelayMs: 300 });
  let traffic: TrafficGenerator | undefined;
  let prometheus: RunningPrometheus | undefined;
  try {
    console.log(bold('Canary Gate demo: simulated cluster with an Istio-routed app demo/web (3 pods, ghcr.io/acme/web:1.0)'));
    await seedSampleApp(sim, { namespace: NS, name: 'web', image: 'ghcr.io/acme/web:1.0', replicas: 3, router: 'istio' });

    const config: string[] = ['steps: [10, 50]', 'settle-time: 3s', 'analysis-interval: 2s', 'step-timeout: 40s', 'routing:', '  router: istio'];
    if (prometheusInstalled()) {
      traffic = await startTrafficGenerator({
        weightSource: () => currentCanaryWeight(sim, NS, 'web'),
        namespace: NS,
        stable: 'web',
        canary: 'web-canary',
        rps: 400,
        tickMs: 250,
        seed: 7,
        scenario: { stable: { errorRate: 0.005, latencyMs: { p50: 40, p99: 180 } }, canary: { errorRate: 0.005, latencyMs: { p50: 40, p99: 180 } } },
      });
      prometheus = await startPrometheus({ scrapeTargets: [traffic.target], scrapeIntervalMs: 1000 });
      console.log(`Traffic generator: 400 req/s split by the VirtualService weights; real Prometheus at ${prometheus.url} scraping it every second.`);
      config.push(
        'providers:',
        '  prometheus:',
        '    type: prometheus',
        `    address: ${prometheus.url}`,
        'metrics:',
        '  - name: success-rate',
        '    builtin: request-success-rate',
        '    judge: threshold',
        '    min: 97',
        '    interval: 10s',
        '    min-requests: 20',
      );
    } else {
      console.log('! prometheus is not installed (run scripts/install-prometheus.sh): gating on readiness only.');
    }
    mkdirSync(path.join(workspace, '.github'), { recursive: true });
    writeFileSync(path.join(workspace, '.github', 'canary.yml'), `${config.join('\n')}\n`);
    console.log(`Config (.github/canary.yml):\n${config.map((l) => `    ${l}`).join('\n')}\n`);

    const common = { kubeconfig: sim.kubeconfig(), namespace: NS, deployment: 'web' };
    const results: string[] = [];
    const scenario = async (title: string, image: string, prepare?: () => void): Promise<void> => {
      console.log(bold(`\n■ ${title}: rolling out ${image}`));
      prepare?.();
      const out = await runAction(workspace, { ...common, image });
      const line = `${title}: result=${out.result} final-weight=${out['final-weight']}${out.reason ? ` reason=${out.reason}` : ''}`;
      console.log(bold(`  → ${line}`));
      results.push(line);
    };

    await scenario('1. healthy canary', 'ghcr.io/acme/web:2.0');
    await scenario('2. crash-looping canary', 'ghcr.io/acme/web:3.0-crashloop');
    if (traffic) {
      await scenario('3. canary with 25 % errors', 'ghcr.io/acme/web:3.1', () =>
        traffic?.setScenario({ canary: { errorRate: 0.25 } }),
      );
    }
    console.log(bold(`\nSummary (${Math.round((Date.now() - started) / 1000)} s):`));
    for (const r of results) console.log(`  ${r}`);
    const d = sim.store.get('apps/v1', 'Deployment', NS, 'web') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    console.log(`  demo/web now runs ${d.spec.template.spec.containers[0]?.image}; canary weight ${currentCanaryWeight(sim, NS, 'web')} %.`);
  } finally {
    await prometheus?.stop();
    await traffic?.stop();
    await sim.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
