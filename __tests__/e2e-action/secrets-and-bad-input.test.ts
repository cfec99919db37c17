/**
 * Issue 8 through the bundled action (dist/main, dist/post as child processes):
 * - secrets: whole rollouts with known secret values — kubeconfig token, Prometheus bearer, Datadog
 *   keys, Slack webhook, GitHub token — and every log line (except the ::add-mask:: commands
 *   themselves), output, state, summary, report file, PR comment, commit status and Slack payload is
 *   scanned for them: zero hits;
 * - bad input: a sample of the bad-input table (action/bad-input-cases.ts) refused by the bundle
 *   with its source and fix, and no write reaches the cluster;
 * - SIGKILL in other phases than the e2e suite covers: the post step finishes the job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../../src/sim/github.ts';
import { startKubeSimulator, type KubeSimulator } from '../../src/sim/kube-server.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sim/slack.ts';
import { RunnerDir, runAction, startAction, type ActionResult } from '../../src/sim/github-runner.ts';
import { CANARY_IMAGE, STABLE_IMAGE, recordedState, seedApp, wholeViolations } from '../support/whole.ts';
import { seedSampleApp } from '../../src/sim/seed.ts';
import { BAD_INPUT_CASES, withFor, type BadInputCase } from '../action/bad-input-cases.ts';

const PROM_TOKEN = 'prom-bearer-S3CR3T-7f3a9c1e5b';
const DD_API_KEY = 'ddapikeyS3CR3T0123456789abcdef';
const DD_APP_KEY = 'ddappkeyS3CR3T0123456789abcdef0123456789';
const GITHUB_TOKEN = 'ghs_S3CR3TinstallationTokenABCDEF123456';
const SHA = 'c0ffee0000000000000000000000000000000001';

let sim: KubeSimulator;
let github: FakeGitHub;
let slack: FakeSlack;
let prom: Server;
let dd: Server;
let runner: RunnerDir;
const promAuth: string[] = [];
const ddAuth: string[] = [];
let promMode: 'ok' | 'unauthorized' = 'ok';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
async function close(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
}

beforeAll(async () => {
  sim = await startKubeSimulator({ readyDelayMs: 100 });
  github = await startFakeGitHub({ token: GITHUB_TOKEN, pullsByCommit: { [SHA]: [7] } });
  slack = await startFakeSlack();
  prom = await listen((req, res) => {
    promAuth.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      if (promMode === 'unauthorized' || req.headers.authorization !== `Bearer ${PROM_TOKEN}`) {
        // A proxy that echoes the credentials it refused: the action must not repeat them.
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`unauthorized: ${req.headers.authorization ?? ''}`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '0.1'] }] } }));
    });
  });
  dd = await listen((req, res) => {
    ddAuth.push(`${req.headers['dd-api-key'] ?? ''}/${req.headers['dd-application-key'] ?? ''}`);
    req.resume();
    req.on('end', () => {
      if (promMode === 'unauthorized') {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [`Forbidden for key ${req.headers['dd-api-key'] ?? ''}`] }));
        return;
      }
      const now = Date.now();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', series: [{ interval: 1, pointlist: [[now - 60_000, 0.1], [now - 30_000, 0.1]] }] }));
    });
  });
  runner = new RunnerDir({ api_url: github.url, repository: 'acme/web', sha: SHA, event_name: 'pull_request', event: { pull_request: { number: 7, head: { sha: SHA } } } });
});
afterAll(async () => {
  await Promise.all([sim.close(), github.close(), slack.close(), close(prom), close(dd)]);
  runner.remove();
});

function configFile(): string {
  return `
providers:
  prom:
    type: prometheus
    address: ${urlOf(prom)}
    bearer-token-env: CANARY_GATE_PROMETHEUS_TOKEN
    timeout: 500ms
    retries: 1
  dd:
    type: datadog
    address: ${urlOf(dd)}
    api: v1
    timeout: 500ms
    retries: 1
metrics:
  - name: prom-errors
    provider: prom
    query: 'errors{version="{{target}}"}'
    max: 1
  - name: dd-errors
    provider: dd
    query: 'avg:errors{version:{{target}}}'
    max: 1
notify:
  slack: { webhook-env: SLACK_WEBHOOK }
  summary: true
  pr-comment: true
  commit-status: true
`;
}

function inputs(namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  const file = runner.writeWorkspaceFile(`canary-${namespace}.yml`, configFile());
  return {
    kubeconfig: sim.kubeconfig(),
    namespace,
    deployment: 'web',
    image: CANARY_IMAGE,
    router: 'istio',
    steps: '50',
    'settle-time': '0s',
    'analysis-interval': '300ms',
    'step-timeout': '15s', // generous: a loaded machine must not turn the healthy run into a timeout
    'ready-timeout': '20s',
    'config-file': file,
    'prometheus-token': PROM_TOKEN,
    'datadog-api-key': DD_API_KEY,
    'datadog-app-key': DD_APP_KEY,
    'slack-webhook': slack.webhookUrl,
    'github-token': GITHUB_TOKEN,
    ...extra,
  };
}

/** Every secret and the pieces of it that would still be a leak on their own. */
function secretValues(): string[] {
  const webhook = new URL(slack.webhookUrl);
  return [sim.token, PROM_TOKEN, DD_API_KEY, DD_APP_KEY, GITHUB_TOKEN, slack.webhookUrl, webhook.pathname, webhook.pathname.split('/').pop() ?? ''].filter((s) => s.length >= 8);
}

/** Everything the action wrote or sent anywhere, as [where, text]. */
function everythingVisible(results: ActionResult[]): [string, string][] {
  const seen: [string, string][] = [];
  for (const [i, r] of results.entries()) {
    const lines = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    seen.push([`run ${i} log`, lines.join('\n')]);
    seen.push([`run ${i} outputs`, JSON.stringify(r.outputs)]);
    seen.push([`run ${i} state`, JSON.stringify(r.state)]);
  }
  // Everything the steps wrote on the runner: outputs, state, summaries, reports (RUNNER_TEMP).
  for (const name of readdirSync(runner.temp)) {
    if (name === 'event.json') continue; // the webhook payload the runner wrote
    seen.push([name, readFileSync(path.join(runner.temp, name), 'utf8')]);
  }
  seen.push(['slack payloads', JSON.stringify(slack.calls)]);
  seen.push(['github requests', JSON.stringify(github.requests)]);
  seen.push(['github comments', JSON.stringify(github.comments(7))]);
  seen.push(['github statuses', JSON.stringify(github.statuses)]);
  seen.push(['github check runs', JSON.stringify(github.checkRuns)], ['github deployments', JSON.stringify(github.deployments)]);
  seen.push(['cluster objects', JSON.stringify(sim.store.dump())]);
  return seen;
}

describe('secrets never appear anywhere but the ::add-mask:: commands', () => {
  const results: ActionResult[] = [];

  test('a promoted rollout, a rolled-back one with providers refusing the credentials, and a SIGKILL + post step', async () => {
    await Promise.all([seedApp(sim, 'secret-ok'), seedApp(sim, 'secret-refused'), seedApp(sim, 'secret-killed')]);
    promMode = 'ok';
    results.push(await runAction('main', { runner, inputs: inputs('secret-ok') }));
    expect(results[0]?.outputs).toMatchObject({ result: 'promoted' });
    // The providers accept the credentials through the preflight and refuse them from the first
    // shift on, so the run rolls back with their refusals in its messages.
    const refused = startAction('main', { runner, inputs: inputs('secret-refused') });
    await refused.waitFor('Deploy canary');
    promMode = 'unauthorized';
    results.push(await refused.done);
    expect(results[1]?.outputs.result).toBe('rolled-back');
    promMode = 'ok';
    const killed = startAction('main', { runner, inputs: inputs('secret-killed', { 'settle-time': '60s' }) });
    await killed.waitFor('Settling for 60s');
    killed.child.kill('SIGKILL');
    results.push(await killed.done);
    results.push(await runAction('post', { runner, inputs: inputs('secret-killed'), state: results[2]?.state ?? {} }));
    expect(wholeViolations(sim, 'secret-killed', { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);

    // The secrets were really used (so the scan is meaningful) ...
    expect(promAuth).toContain(`Bearer ${PROM_TOKEN}`);
    expect(ddAuth).toContain(`${DD_API_KEY}/${DD_APP_KEY}`);
    expect(slack.calls.filter((c) => c.kind === 'webhook').length).toBeGreaterThan(0);
    expect(github.requests.some((r) => r.authorized)).toBe(true);
    // ... and masked by the runner for the ::add-mask:: commands the action printed.
    for (const s of [PROM_TOKEN, DD_API_KEY, DD_APP_KEY, GITHUB_TOKEN, slack.webhookUrl]) expect(results[0]?.stdout).toContain(`::add-mask::${s}`);
  }, 90_000);

  test('zero hits in logs, outputs, state, summaries, reports, comments, statuses, Slack payloads and cluster objects', () => {
    expect(results.length).toBe(4);
    const hits: string[] = [];
    for (const [where, text] of everythingVisible(results)) {
      for (const secret of secretValues()) if (text.includes(secret)) hits.push(`${where} contains ${secret.slice(0, 6)}…`);
    }
    expect(hits).toEqual([]);
  });
});

/** The bundled action answers the bad-input table like the in-process main step (a sample of it). */
const BUNDLE_SAMPLE = [
  'canary-replicas as a word',
  'image with upper case in the repository',
  'a token pasted into settle-time',
  'kubeconfig given as a file path',
  'context that is not in the kubeconfig',
  'file: routing.headr instead of header',
  'file: steps as a mapping',
  'file: kubeconfig in the repository',
  'file: a provider address with a token in the query',
  'file: a YAML alias bomb',
  'file: larger than 256 KiB',
  'cluster: istio without its VirtualService',
  'report-path that is a directory',
];

describe('bad input through the bundled action: refused with source and fix, nothing written', () => {
  const rows = BUNDLE_SAMPLE.map((name) => {
    const i = BAD_INPUT_CASES.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`no bad-input case named ${name}`);
    return [name, BAD_INPUT_CASES[i] as BadInputCase, i] as const;
  });
  test.concurrent.each(rows)('%s', async (_name, c, i) => {
    const namespace = `bundle-bad-${i}`;
    if (c.seed !== 'no-app') await seedSampleApp(sim, { namespace, name: 'web', image: STABLE_IMAGE, replicas: 2, router: c.seed ?? 'istio', waitReady: false });
    const job = new RunnerDir();
    try {
      if (c.file !== undefined) job.writeWorkspaceFile('.github/canary.yml', c.file);
      const before = sim.requests.length;
      const r = await runAction('main', { runner: job, inputs: withFor(c, sim.kubeconfig(), namespace) });
      expect(r.code).toBe(1);
      expect(r.outputs.result).toBe('failed');
      expect(r.outputs.reason).toBe(c.reason ?? 'invalid-input');
      expect(r.outputs.message).toMatch(c.where);
      expect(r.outputs.message).toMatch(c.fix);
      expect(r.stdout).toMatch(/::error::/);
      expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      if (c.secret) expect(r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + JSON.stringify(r.outputs)).not.toContain(c.secret);
      expect(sim.requests.slice(before).filter((q) => q.method !== 'GET' && q.path.includes(`/namespaces/${namespace}/`))).toEqual([]);
    } finally {
      job.remove();
    }
  }, 30_000);
});

describe('SIGKILL mid-step in other phases: the post step finishes from the state annotation', () => {
  const cases: [string, string, RegExp, string][] = [
    ['while the canary starts (deploying)', 'deploying', /waiting for it to be ready/, `${CANARY_IMAGE}-stall`],
    ['during the promotion (stable already switching images)', 'promoting', /Promoting: web takes/, CANARY_IMAGE],
    ['in the middle of a rollback (crash-looping canary)', 'rolling-back', /Rolling back: canary-crashloop/, `${CANARY_IMAGE}-crashloop`],
  ];
  test.concurrent.each(cases)('%s', async (_name, phase, marker, image) => {
    const namespace = `kill-${phase}`;
    await seedApp(sim, namespace);
    const main = startAction('main', {
      runner,
      inputs: { kubeconfig: sim.kubeconfig(), namespace, deployment: 'web', image, router: 'istio', steps: '50', 'settle-time': '0s', 'analysis-interval': '200ms', 'ready-timeout': '30s' },
    });
    await main.waitFor(marker, 30_000);
    main.child.kill('SIGKILL');
    const killed = await main.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(recordedState(sim, namespace)?.phase).toBe(phase);
    // The post step gets the same inputs as its main step (the same `with:`).
    const post = await runAction('post', { runner, inputs: { kubeconfig: sim.kubeconfig(), namespace, deployment: 'web', image, router: 'istio' }, state: killed.state });
    expect(post.stdout).toContain('rolling back run');
    expect(post.outputs.result ?? '').not.toBe('failed');
    expect(wholeViolations(sim, namespace, { image: STABLE_IMAGE, phase: 'rolled-back' })).toEqual([]);
    // The record keeps why the rollback began; a kill before any verdict is a cancellation.
    expect(recordedState(sim, namespace)?.reason).toBe(phase === 'rolling-back' ? 'canary-crashloop' : 'cancelled');
  }, 60_000);
});
