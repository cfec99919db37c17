import { buildConfig } from '../../src/config/index.ts';

const base = { inputs: { deployment: 'web', image: 'web:2' } };

describe('Slack from inputs', () => {
  test('slack-bot-token and slack-channel turn on the bot without a notify.slack section', () => {
    const c = buildConfig({ ...base, secrets: { 'slack-bot-token': 'xoxb-1' }, slackChannel: 'C0DEPLOYS' });
    expect(c.notify.slack).toEqual({ 'bot-token-env': 'SLACK_BOT_TOKEN', channel: 'C0DEPLOYS' });
  });

  test('slack-channel overrides notify.slack.channel from the file', () => {
    const c = buildConfig({
      ...base,
      secrets: {},
      slackChannel: '#deploys',
      fileText: 'notify:\n  slack: { bot-token-env: SLACK_BOT_TOKEN, channel: C0OLD }\n',
      fileName: '.github/canary.yml',
    });
    expect(c.notify.slack).toEqual({ 'bot-token-env': 'SLACK_BOT_TOKEN', channel: '#deploys' });
  });

  test('slack-channel in the file is refused with the key to use instead', () => {
    expect(() => buildConfig({ ...base, secrets: {}, fileText: 'slack-channel: C0X\n', fileName: '.github/canary.yml' })).toThrow(/notify: \{ slack: \{ channel/);
  });
});
