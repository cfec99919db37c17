import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { parseNotifyConfig } from '../../src/notify/config.ts';
import { createSinks } from '../../src/notify/factory.ts';
import type { NotifyCore } from '../../src/notify/factory.ts';
import { createJobSummarySink } from '../../src/notify/job-summary.ts';
import { createJsonFileSink } from '../../src/notify/json-file.ts';
import { Reporter } from '../../src/notify/reporter.ts';
import { startFakeGitHub } from '../../src/sim/github.ts';
import { startFakeSlack } from '../../src/sim/slack.ts';
import type { RolloutEvent, RolloutReport } from '../../src/rollout/report.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

const GH_TOKEN = 'ghs_secret_installation_token_XYZ';
const BOT_TOKEN = 'xoxb-secret-bot-token-ABC';
const SHA = 'b'.repeat(40);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notify-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeCore() {
  const log: string[] = [];
  const secrets: string[] = [];
  const summaries: string[] = [];
  let buffer = '';
  const c: NotifyCore = {
    setSecret: (s) => void secrets.push(s),
    error: (m, p) => void log.push(`error: ${p?.title ?? ''} ${m}`),
    warning: (m, p) => void log.push(`warning: ${p?.title ?? ''} ${m}`),
    summary: {
      emptyBuffer: () => void (buffer = ''),
      addRaw: (t: string) => void (buffer += t),
      write: async () => void summaries.push(buffer),
    },
  };
  return { core: c, log, secrets, summaries };
}

const rollout: [() => RolloutReport, RolloutEvent][] = [
  [runningReport, { type: 'started' }],
  [runningReport, { type: 'step', stepIndex: 0, weight: 5 }],
  [runningReport, { type: 'step', stepIndex: 1, weight: 20 }],
  [rolledBackReport, { type: 'rolling-back', reason: 'gate-failed', message: 'latency' }],
  [rolledBackReport, { type: 'finished', result: 'rolled-back' }],
];

test.each([
  ['healthy services', false],
  ['a fork PR and a rate-limited Slack', true],
])('every sink delivers through the reporter with %s, and no secret appears anywhere', async (_name, degraded) => {
  const gh = await startFakeGitHub({ token: GH_TOKEN, forkPr: degraded });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  try {
    if (degraded) slack.rateLimitNext(1, 1);
    const fc = fakeCore();
    const warnings: string[] = [];
    const reportPath = join(dir, 'out', 'report.json');
    const sinks = createSinks({
      config: parseNotifyConfig({ slack: { 'webhook-env': 'SLACK_WEBHOOK_URL' }, 'report-path': reportPath }),
      github: { token: GH_TOKEN, owner: 'acme', repo: 'shop', sha: SHA, prNumber: 7, runUrl: 'https://github.com/acme/shop/actions/runs/1', apiUrl: gh.url },
      slack: { webhookUrl: slack.webhookUrl },
      core: fc.core,
      warn: (m) => warnings.push(m),
      githubCall: { sleep: async () => undefined },
      slackOverrides: { sleep: async () => undefined },
    });
    expect(sinks.map((s) => s.name).sort()).toEqual(['annotations', 'check-run', 'job-summary', 'json-file', 'pr-comment', 'slack-webhook']);
    expect(fc.secrets).toEqual([GH_TOKEN, slack.webhookUrl]);

    const reporter = new Reporter(sinks, { warning: (m) => warnings.push(m) });
    for (const [make, event] of rollout) await reporter.publish(make(), event);

    if (degraded) {
      expect(gh.comments(7)).toHaveLength(0);
      // The check run falls back to a commit status, which a fork's read-only token may not set either.
      expect(warnings.filter((w) => w.includes('403'))).toHaveLength(3);
    } else {
      expect(gh.comments(7)).toHaveLength(1);
      // The check run carries the report; no commit status unless asked for (notify.commit-status).
      expect(gh.checkRuns.map((r) => [r.status, r.conclusion])).toEqual([['completed', 'failure']]);
      expect(gh.statuses).toEqual([]);
      expect(warnings).toEqual([]);
    }
    expect(slack.calls.filter((c) => c.status === 200)).toHaveLength(5);
    expect(fc.summaries).toHaveLength(1);
    expect(fc.summaries[0]).toContain('❌ Rolled back');
    // The reason is the job's failure (core.setFailed in the entry); no sink repeats it as an annotation.
    expect(fc.log.filter((l) => l.startsWith('error:'))).toEqual([]);
    const json = JSON.parse(await readFile(reportPath, 'utf8')) as RolloutReport;
    expect(json.result).toBe('rolled-back');

    const everything = JSON.stringify([gh.requests, slack.calls, warnings, fc.log, fc.summaries, json, gh.comments(7)]);
    for (const secret of [GH_TOKEN, BOT_TOKEN, slack.webhookUrl, 'fakeWebhookSecret']) expect(everything).not.toContain(secret);
  } finally {
    await gh.close();
    await slack.close();
  }
});

test('bot token + channel selects the tracking Slack sink; missing secrets warn instead of failing', async () => {
  const fc = fakeCore();
  const warnings: string[] = [];
  const bot = createSinks({
    config: parseNotifyConfig({ slack: { 'bot-token-env': 'SLACK_BOT_TOKEN', channel: 'C0DEPLOYS' }, 'pr-comment': false, 'check-run': false }),
    github: { owner: 'acme', repo: 'shop', sha: SHA },
    slack: { botToken: BOT_TOKEN },
    core: fc.core,
    warn: (m) => warnings.push(m),
  });
  expect(bot.map((s) => s.name)).toEqual(['job-summary', 'annotations', 'slack-bot']);
  expect(fc.secrets).toEqual([BOT_TOKEN]);

  const none = createSinks({
    config: parseNotifyConfig({ slack: { 'webhook-env': 'SLACK_WEBHOOK_URL' }, summary: false, annotations: false }),
    github: { owner: 'acme', repo: 'shop', sha: SHA },
    slack: {},
    core: fc.core,
    warn: (m) => warnings.push(m),
  });
  expect(none).toEqual([]);
  expect(warnings).toEqual([
    'No GitHub token was given: the pull-request comment, the check run, the commit status and the deployment are skipped (pass github-token).',
    'Slack is configured but the environment variable SLACK_WEBHOOK_URL is empty or unset; Slack notifications are skipped.',
  ]);
});

test('config errors name the field and what to do', () => {
  expect(() => parseNotifyConfig({ slack: { 'webhook-env': 'https://hooks.slack.com/services/T/B/secret' } })).toThrow(
    /notify\.slack\.webhook-env: .*NAME of an environment variable/,
  );
  expect(() => parseNotifyConfig({ slack: { 'webhook-env': 'https://hooks.slack.com/services/T/B/secret' } })).not.toThrow(/secret$/);
  expect(() => parseNotifyConfig({ slack: { 'bot-token-env': 'T' } })).toThrow(/needs slack\.channel/);
  expect(() => parseNotifyConfig({ prcomment: true })).toThrow(/unknown key\(s\) "prcomment"; expected slack, pr-comment/);
  expect(() => parseNotifyConfig({ summary: 'yes' })).toThrow(/notify\.summary: summary must be true or false/);
  expect(parseNotifyConfig(undefined)).toEqual({ 'pr-comment': true, 'check-run': true, 'commit-status': false, summary: true, annotations: true });
});

test('job summary through @actions/core: written once at the end, even when events repeat', async () => {
  const file = join(dir, 'summary.md');
  await writeFile(file, 'earlier step output\n');
  const previous = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = file;
  try {
    const sink = createJobSummarySink({ summary: core.summary });
    await sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
    expect(await readFile(file, 'utf8')).toBe('earlier step output\n');
    await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
    await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('earlier step output\n### 🐤 Canary Gate: shop/checkout — ✅ Promoted')).toBe(true);
    expect(text.match(/Canary Gate:/g)).toHaveLength(1);
    expect(text).toMatch(/```mermaid\n%%\{init: .*\nxychart-beta/);
  } finally {
    if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previous;
    core.summary.emptyBuffer();
  }
});

test('JSON report is replaced atomically and leaves no temporary files', async () => {
  const path = join(dir, 'nested', 'canary-report.json');
  const sink = createJsonFileSink({ path });
  await Promise.all([sink.publish(runningReport(), { type: 'started' }), sink.publish(promotedReport(), { type: 'finished', result: 'promoted' })]);
  const parsed = JSON.parse(await readFile(path, 'utf8')) as RolloutReport;
  expect(['promoted', undefined]).toContain(parsed.result);
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect((JSON.parse(await readFile(path, 'utf8')) as RolloutReport).result).toBe('promoted');
  const { readdir } = await import('node:fs/promises');
  expect(await readdir(join(dir, 'nested'))).toEqual(['canary-report.json']);
});
