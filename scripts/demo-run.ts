/**
 * The demo's scenarios, shared by `npm run demo` (prints the run) and `npm run render:samples`
 * (writes what the scenarios really produced to docs/). Each scenario runs the bundled action
 * (dist/main/index.js) in a child process the way a GitHub runner does: every input default that
 * action.yml declares as INPUT_*, GITHUB_* variables of a pull_request run, a job-summary file, and
 * the GitHub and Slack stand-ins (src/sim/github.ts, src/sim/slack.ts) as the APIs. Each
 * scenario's reports land in its own folder: the JSON report, the job summary, the PR comment, the
 * check run and the deployment (github.json) and the Slack messages, exactly as the action sent them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultContext, inputEnvironment, readActionYml } from '../src/sim/github-runner.ts';
import { startFakeGitHub, type FakeGitHub } from '../src/sim/github.ts';
import { startKubeSimulator } from '../src/sim/kube-server.ts';
import { prometheusInstalled, startPrometheus, waitForQuery, type RunningPrometheus } from '../src/sim/prometheus.ts';
import { currentCanaryWeight, seedSampleApp } from '../src/sim/seed.ts';
import { startFakeSlack, type FakeSlack } from '../src/sim/slack.ts';
import { startTrafficGenerator, type TrafficGenerator } from '../src/sim/traffic.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
const NS = 'demo';
const REPOSITORY = 'acme/shop';
const PR_NUMBER = 42;
const HEAD_SHA = 'c0ffee5e1f2d3c4b5a69788796a5b4c3d2e1f0a9';
const GITHUB_TOKEN = 'ghs_demoInstallationToken';

export interface DemoOptions {
  /** Where each scenario's reports go (one sub-folder per scenario). */
  reportsDir: string;
  /** The runner's temporary directory (kubeconfig, outputs, state files). */
  workspace: string;
  /** Steps, in percent of traffic. Default [10, 50]. */
  steps?: number[];
  /** Seconds between checks. Default 2. */
  analysisIntervalSeconds?: number;
  /** Seconds after each weight change before the first check. Default 3. */
  settleSeconds?: number;
  /** Seconds a step may analyse before it is undecided (and rolls back). Default 60. */
  stepTimeoutSeconds?: number;
  /** Requests per second of the traffic generator and the error share of both versions. Default 400 and 0.005. */
  traffic?: { rps: number; errorRate: number };
  /** The error share of the third scenario's canary. Default 0.25. */
  badCanaryErrorRate?: number;
  /** The third canary misbehaves only from this weight on (a bug that shows under load). Default: from the start. */
  badFromWeight?: number;
  /** The `metrics:` list of .github/canary.yml, as YAML lines. Default: the success rate held to >= 97%. */
  metrics?: string[];
  log?: (line: string) => void;
}

export interface ScenarioResult {
  title: string;
  slug: string;
  dir: string;
  outputs: Record<string, string>;
}

export interface DemoResult {
  prometheus: boolean;
  scenarios: ScenarioResult[];
  finalImage: string;
  finalWeight: number;
}

const DEFAULT_METRICS = ['  - name: success-rate', '    builtin: request-success-rate', '    judge: threshold', '    min: 97', '    interval: 10s', '    min-requests: 20'];

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

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

/** Every input default action.yml declares, as a runner passes it (`${{ github.token }}` evaluated). */
/** Runs the bundled action like a runner and prints its log the way the Actions UI would. */
function runAction(workspace: string, inputs: Record<string, string>, extraEnv: Record<string, string>, log: (line: string) => void): Promise<Record<string, string>> {
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const outputFile = path.join(workspace, `output-${stamp}`);
  const stateFile = path.join(workspace, `state-${stamp}`);
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STATE: stateFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
    ...extraEnv,
  };
  // action.yml's declared defaults unless set, expressions evaluated, undeclared inputs refused.
  Object.assign(env, inputEnvironment(readActionYml(), inputs, { ...defaultContext(), token: GITHUB_TOKEN, repository: REPOSITORY }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'index.js')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    const print = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('::add-mask::') || line === '::endgroup::') continue;
        const group = /^::group::(.*)$/.exec(line);
        const annotation = /^::(warning|error|notice)[^:]*::(.*)$/.exec(line);
        if (group) log(`  ${bold(`▸ ${decodeURIComponent(group[1] ?? '')}`)}`);
        else if (annotation) log(`      ${annotation[1] === 'error' ? '✗' : '!'} ${decodeURIComponent(annotation[2] ?? '')}`);
        else log(`      ${line}`);
      }
    };
    child.stdout.on('data', print);
    child.stderr.on('data', print);
    child.on('error', reject);
    child.on('close', () => resolve(parseOutputs(readFileSync(outputFile, 'utf8'))));
  });
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { workspace } = opts;
  mkdirSync(opts.reportsDir, { recursive: true });
  const sim = await startKubeSimulator({ readyDelayMs: 300 });
  let traffic: TrafficGenerator | undefined;
  let prometheus: RunningPrometheus | undefined;
  let github: FakeGitHub | undefined;
  let slack: FakeSlack | undefined;
  try {
    log(bold('Canary Gate demo: simulated cluster with an Istio-routed app demo/web (3 pods, ghcr.io/acme/web:1.0)'));
    await seedSampleApp(sim, { namespace: NS, name: 'web', image: 'ghcr.io/acme/web:1.0', replicas: 3, router: 'istio' });
    github = await startFakeGitHub({ token: GITHUB_TOKEN, pullsByCommit: { [HEAD_SHA]: [PR_NUMBER] } });
    slack = await startFakeSlack();
    log(`GitHub and Slack stand-ins: pull request #${PR_NUMBER} of ${REPOSITORY} at ${github.url}, a Slack incoming webhook at ${slack.url}.`);

    const steps = opts.steps ?? [10, 50];
    const config: string[] = [
      `steps: [${steps.join(', ')}]`,
      `settle-time: ${opts.settleSeconds ?? 3}s`,
      `analysis-interval: ${opts.analysisIntervalSeconds ?? 2}s`,
      `step-timeout: ${opts.stepTimeoutSeconds ?? 60}s`,
      'routing:',
      '  router: istio',
      'notify:',
      '  slack: { webhook-env: SLACK_WEBHOOK_URL }',
    ];
    if (prometheusInstalled()) {
      const { rps, errorRate } = opts.traffic ?? { rps: 400, errorRate: 0.005 };
      traffic = await startTrafficGenerator({
        weightSource: () => currentCanaryWeight(sim, NS, 'web'),
        namespace: NS,
        stable: 'web',
        canary: 'web-canary',
        rps,
        tickMs: 250,
        seed: 7,
        scenario: { stable: { errorRate, latencyMs: { p50: 40, p99: 180 } }, canary: { errorRate, latencyMs: { p50: 40, p99: 180 } } },
      });
      prometheus = await startPrometheus({ scrapeTargets: [traffic.target], scrapeIntervalMs: 1000 });
      log(`Traffic generator: ${rps} req/s split by the VirtualService weights; real Prometheus at ${prometheus.url} scraping it every second.`);
      // The action's metric preflight refuses a stable query with no data, as it should on a real
      // cluster: wait until Prometheus has scraped enough for the built-in's rate window.
      const stableRate = `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="${NS}",destination_workload="web"}[10s]))`;
      const ready = await waitForQuery(prometheus.url, stableRate, (r) => Number(r[0]?.value[1]) > 0, 30_000);
      log(ready ? 'Prometheus has the stable\'s request series.' : '! Prometheus has no stable series after 30 s: the metric preflight will refuse the rollouts.');
      config.push('providers:', '  prometheus:', '    type: prometheus', `    address: ${prometheus.url}`, 'metrics:', ...(opts.metrics ?? DEFAULT_METRICS));
    } else {
      log('! prometheus is not installed (run scripts/install-prometheus.sh): gating on readiness only.');
    }
    mkdirSync(path.join(workspace, '.github'), { recursive: true });
    writeFileSync(path.join(workspace, '.github', 'canary.yml'), `${config.join('\n')}\n`);
    log(`Config (.github/canary.yml):\n${config.map((l) => `    ${l}`).join('\n')}\n`);

    const eventPath = path.join(workspace, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: PR_NUMBER, head: { sha: HEAD_SHA } } }));
    const scenarios: ScenarioResult[] = [];
    let runId = 11873340920;
    const scenario = async (title: string, slug: string, image: string, prepare?: () => void): Promise<void> => {
      const dir = path.join(opts.reportsDir, slug);
      mkdirSync(dir, { recursive: true });
      const summaryFile = path.join(dir, 'summary.md');
      writeFileSync(summaryFile, '');
      log(bold(`\n■ ${title}: rolling out ${image}`));
      prepare?.();
      const callsBefore = slack!.calls.length;
      const checksBefore = github!.checkRuns.length;
      const deploymentsBefore = github!.deployments.length;
      runId++;
      const outputs = await runAction(
        workspace,
        { kubeconfig: sim.kubeconfig(), namespace: NS, deployment: 'web', image, 'report-path': path.join(dir, 'report.json'), environment: 'demo', 'environment-url': 'https://web.demo.example' },
        {
          GITHUB_ACTIONS: 'true',
          GITHUB_REPOSITORY: REPOSITORY,
          GITHUB_SHA: HEAD_SHA,
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_API_URL: github!.url,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_RUN_ID: String(runId),
          GITHUB_RUN_ATTEMPT: '1',
          GITHUB_JOB: 'deploy',
          GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/deploy.yml@refs/pull/${PR_NUMBER}/merge`,
          GITHUB_STEP_SUMMARY: summaryFile,
          SLACK_WEBHOOK_URL: slack!.webhookUrl,
        },
        log,
      );
      // The sticky comment is per target: what the PR shows right after this scenario.
      const comment = github!.comments(PR_NUMBER).at(-1);
      writeFileSync(path.join(dir, 'pr-comment.md'), comment?.body ?? '');
      // The check run on the commit and the deployment in the environment, as GitHub holds them.
      const checks = github!.checkRuns.slice(checksBefore).map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion, title: r.output?.title, annotations: r.annotations }));
      const deployments = github!.deployments.slice(deploymentsBefore).map((d) => ({ environment: d.environment, ref: d.ref, statuses: d.statuses }));
      writeFileSync(path.join(dir, 'github.json'), `${JSON.stringify({ checkRuns: checks, deployments }, null, 2)}\n`);
      writeFileSync(path.join(dir, 'slack.json'), `${JSON.stringify(slack!.calls.slice(callsBefore).map((c) => c.payload), null, 2)}\n`);
      writeFileSync(path.join(dir, 'outputs.json'), `${JSON.stringify(outputs, null, 2)}\n`);
      const line = `${title}: result=${outputs.result} final-weight=${outputs['final-weight']}${outputs.reason ? ` reason=${outputs.reason}` : ''}`;
      log(bold(`  → ${line}`));
      scenarios.push({ title, slug, dir, outputs });
    };

    await scenario('1. healthy canary', '1-healthy', 'ghcr.io/acme/web:2.0');
    await scenario('2. crash-looping canary', '2-crashloop', 'ghcr.io/acme/web:3.0-crashloop');
    if (traffic) {
      const bad = opts.badCanaryErrorRate ?? 0.25;
      const from = opts.badFromWeight;
      let watcher: NodeJS.Timeout | undefined;
      const title = `3. canary with ${Math.round(bad * 100)}% errors${from ? ` from ${from}% of traffic on` : ''}`;
      await scenario(title, '3-errors', 'ghcr.io/acme/web:3.1', () => {
        if (!from) return traffic?.setScenario({ canary: { errorRate: bad } });
        watcher = setInterval(() => {
          void Promise.resolve(currentCanaryWeight(sim, NS, 'web')).then((w) => {
            if (w >= from) {
              traffic?.setScenario({ canary: { errorRate: bad } });
              clearInterval(watcher);
            }
          });
        }, 200);
      });
      clearInterval(watcher);
    }
    const d = sim.store.get('apps/v1', 'Deployment', NS, 'web') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    return {
      prometheus: traffic !== undefined,
      scenarios,
      finalImage: d.spec.template.spec.containers[0]?.image ?? '?',
      finalWeight: await currentCanaryWeight(sim, NS, 'web'),
    };
  } finally {
    await prometheus?.stop();
    await traffic?.stop();
    await github?.close();
    await slack?.close();
    await sim.close();
  }
}
