import { createSlackSink } from '../../src/notify/slack.ts';
import { buildRolloutMessage, SLACK_COLORS } from '../../src/notify/slack-blocks.ts';
import { startFakeSlack } from '../../src/sim/slack.ts';
import type { FakeSlack } from '../../src/sim/slack.ts';
import type { RolloutEvent } from '../../src/rollout/report.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

const BOT_TOKEN = 'xoxb-1111-2222-secretsecret';

let slack: FakeSlack;
afterEach(async () => {
  await slack?.close();
});

/** Records the delays the sink asked for instead of waiting them. */
function sleepRecorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const gateFail: RolloutEvent = {
  type: 'gate',
  stepIndex: 1,
  weight: 20,
  gate: 'metrics',
  check: { verdict: 'fail', summary: 'latency p99 breached', metrics: [] },
};

test('bot mode: chat.postMessage once, then chat.update of the same ts; red on rollback', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN, channels: ['C0DEPLOYS'] });
  const warnings: string[] = [];
  const sink = createSlackSink({ botToken: BOT_TOKEN, channel: 'C0DEPLOYS', apiUrl: slack.apiUrl, warn: (m) => warnings.push(m) });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
  // A gate asking to check again changes nothing visible: no call.
  await sink.publish(runningReport(), { ...gateFail, check: { ...gateFail.check, verdict: 'continue' } });
  await sink.publish(rolledBackReport(), { type: 'finished', result: 'rolled-back' });

  expect(slack.calls.map((c) => c.kind)).toEqual(['chat.postMessage', 'chat.update', 'chat.update']);
  expect(slack.messages).toHaveLength(1);
  const final = slack.messages[0]!;
  expect(final.updates).toBe(2);
  const attachments = final.payload.attachments as { color: string; blocks: { type: string; text?: { text: string } }[] }[];
  expect(attachments[0]!.color).toBe(SLACK_COLORS.bad);
  expect(JSON.stringify(final.payload.blocks)).toContain('ROLLED BACK');
  expect(JSON.stringify(attachments)).toContain('gate-failed');
  expect(warnings).toEqual([]);
});

test('429 is retried after Retry-After, within a bounded number of attempts', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const rec = sleepRecorder();
  const sink = createSlackSink({ botToken: BOT_TOKEN, channel: 'C0DEPLOYS', apiUrl: slack.apiUrl, warn: () => undefined, sleep: rec.sleep, attempts: 4 });
  slack.rateLimitNext(2, 3);
  await sink.publish(runningReport(), { type: 'started' });
  expect(slack.calls.map((c) => c.status)).toEqual([429, 429, 200]);
  expect(rec.delays).toEqual([3000, 3000]);
  expect(slack.messages).toHaveLength(1);

  // More 429s than attempts: the publish fails (the reporter turns that into a warning).
  slack.rateLimitNext(10, 1);
  await expect(sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 })).rejects.toThrow(/429/);
  expect(slack.calls.filter((c) => c.status === 429)).toHaveLength(2 + 4);
});

test('a real wait honours Retry-After', async () => {
  slack = await startFakeSlack();
  const sink = createSlackSink({ webhookUrl: slack.webhookUrl, warn: () => undefined });
  slack.rateLimitNext(1, 1);
  const started = Date.now();
  await sink.publish(runningReport(), { type: 'started' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(slack.calls.map((c) => c.status)).toEqual([429, 200]);
});

test('webhook mode: one compact message per event that matters', async () => {
  slack = await startFakeSlack();
  const sink = createSlackSink({ webhookUrl: slack.webhookUrl, warn: () => undefined });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
  await sink.publish(runningReport(), { ...gateFail, check: { ...gateFail.check, verdict: 'pass' } }); // noise: skipped
  await sink.publish(runningReport(), gateFail);
  await sink.publish(rolledBackReport(), { type: 'rolling-back', reason: 'gate-failed', message: 'latency' });
  await sink.publish(rolledBackReport(), { type: 'finished', result: 'rolled-back' });
  expect(slack.calls.map((c) => [c.kind, c.status])).toEqual(Array(5).fill(['webhook', 200]));
  const texts = slack.calls.map((c) => String(c.payload.text));
  expect(texts[0]).toContain('started, ghcr.io/acme/checkout:1.41.2 → ghcr.io/acme/checkout:1.42.0');
  expect(texts[1]).toContain('step 2, 20%');
  expect(texts[4]).toContain('ROLLED BACK');
  const colors = slack.calls.map((c) => (c.payload.attachments as { color: string }[])[0]!.color);
  expect(colors).toEqual([SLACK_COLORS.progress, SLACK_COLORS.progress, SLACK_COLORS.bad, SLACK_COLORS.bad, SLACK_COLORS.bad]);
});

test('Web API errors come as HTTP 200 {ok:false}: a configuration error warns once and stops', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN, channels: ['C0DEPLOYS'] });
  const warnings: string[] = [];
  const sink = createSlackSink({ botToken: BOT_TOKEN, channel: 'C0WRONG', apiUrl: slack.apiUrl, warn: (m) => warnings.push(m) });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect(slack.calls).toHaveLength(1);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('channel_not_found');
  expect(warnings[0]).not.toContain(BOT_TOKEN);
});

test('a bad token is reported without the token', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const warnings: string[] = [];
  const sink = createSlackSink({ botToken: 'xoxb-wrong-token-value', channel: 'C0DEPLOYS', apiUrl: slack.apiUrl, warn: (m) => warnings.push(m) });
  await sink.publish(runningReport(), { type: 'started' });
  expect(warnings[0]).toContain('invalid_auth');
  expect(warnings.join()).not.toContain('xoxb-wrong-token-value');
});

test('a webhook network failure names no URL', async () => {
  slack = await startFakeSlack();
  const url = slack.webhookUrl;
  await slack.close();
  const rec = sleepRecorder();
  const sink = createSlackSink({ webhookUrl: url, warn: () => undefined, sleep: rec.sleep, attempts: 2 });
  const err = await sink.publish(runningReport(), { type: 'started' }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.message).toBe('Slack webhook: network error');
  expect(rec.delays).toHaveLength(1);
});

test('external text goes into plain_text, so Slack markup from outside is inert', () => {
  const r = rolledBackReport();
  r.message = '<!channel> <https://evil.example|click> *bold*';
  r.images.canary = 'img:<@U123>';
  const msg = buildRolloutMessage(r);
  const walk = (node: unknown, out: { type: string; text: string }[]): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, out));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && typeof o.text === 'string') out.push({ type: o.type, text: o.text });
      Object.values(o).forEach((v) => walk(v, out));
    }
  };
  const texts: { type: string; text: string }[] = [];
  walk({ blocks: msg.blocks, attachments: msg.attachments }, texts);
  const carrying = texts.filter((t) => t.text.includes('<!channel>') || t.text.includes('<@U123>'));
  expect(carrying.length).toBeGreaterThan(0);
  expect(carrying.every((t) => t.type === 'plain_text')).toBe(true);
  // The notification text is mrkdwn-ish: escaped.
  expect(msg.text).not.toMatch(/</);
});

test('the title is shown once: top-level blocks hold it (Slack then uses text only for notifications), the attachment the details', () => {
  const msg = buildRolloutMessage(rolledBackReport());
  expect(msg.blocks).toEqual([{ type: 'header', text: { type: 'plain_text', text: 'Canary shop/checkout: ROLLED BACK', emoji: false } }]);
  const shown = JSON.stringify([msg.blocks, msg.attachments]);
  expect(shown.split('Canary shop/checkout: ROLLED BACK')).toHaveLength(2);
  expect(msg.text).toBe('Canary shop/checkout: ROLLED BACK');
});

test('bot mode reports the tracking message once posted (the slack-channel / slack-ts outputs)', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const posted: { channel: string; ts: string }[] = [];
  const sink = createSlackSink({ botToken: BOT_TOKEN, channel: 'C0DEPLOYS', apiUrl: slack.apiUrl, warn: () => undefined, onMessage: (m) => posted.push(m) });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect(posted).toEqual([{ channel: 'C0DEPLOYS', ts: slack.messages[0]!.ts }]);
});

test('bot mode coalesces a burst of events: one request in flight, the final state delivered', async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const sink = createSlackSink({ botToken: BOT_TOKEN, channel: 'C0DEPLOYS', apiUrl: slack.apiUrl, warn: () => undefined });
  await Promise.all([
    sink.publish(runningReport(), { type: 'started' }),
    sink.publish(runningReport(), { type: 'step', stepIndex: 0, weight: 5 }),
    sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 }),
    sink.publish(promotedReport(), { type: 'finished', result: 'promoted' }),
  ]);
  expect(slack.calls.map((c) => c.kind)).toEqual(['chat.postMessage', 'chat.update']);
  const attachments = slack.messages[0]!.payload.attachments as { color: string }[];
  expect(attachments[0]!.color).toBe(SLACK_COLORS.good);
});
