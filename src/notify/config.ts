/**
 * The `notify:` section of .github/canary.yml. Secrets never live in the file: Slack is configured
 * by the *name* of the environment variable (or input) that holds the webhook URL or bot token.
 *
 * ```yaml
 * notify:
 *   slack:
 *     webhook-env: SLACK_WEBHOOK_URL     # incoming webhook: one message per event
 *     # or: bot-token-env: SLACK_BOT_TOKEN + channel: C0123456789 (one message, updated in place)
 *   pr-comment: true
 *   check-run: true         # a check run with the report (a commit status instead without checks: write)
 *   commit-status: false    # a commit status as well
 *   summary: true
 *   annotations: true
 *   report-path: canary-report.json
 * ```
 */
import { z } from 'zod';
import { InputError } from '../util/errors.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envName = (what: string) =>
  z
    .string({ error: `${what} must be the NAME of an environment variable (e.g. SLACK_WEBHOOK_URL), not its value` })
    .regex(ENV_NAME, {
      error: `${what} must be the NAME of an environment variable (letters, digits, _), not the secret itself; put the secret in the workflow's env: from secrets`,
    });

const SlackNotifySchema = z
  .strictObject({
    'webhook-env': envName('slack.webhook-env').optional(),
    'bot-token-env': envName('slack.bot-token-env').optional(),
    channel: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[#@]?[A-Za-z0-9._-]+$/, { error: 'slack.channel must be a channel id (C0123456789) or name (#deploys)' })
      .optional(),
  })
  .refine((s) => !s['bot-token-env'] || s.channel, {
    error: 'slack.bot-token-env needs slack.channel (the channel the bot posts to, e.g. C0123456789)',
    path: ['channel'],
  })
  .refine((s) => s['webhook-env'] || s['bot-token-env'], {
    error: 'slack needs webhook-env (incoming webhook) or bot-token-env + channel (bot); remove the slack section to turn Slack off',
  });

export const NotifyConfigSchema = z
  .strictObject({
    slack: SlackNotifySchema.optional(),
    'pr-comment': z.boolean({ error: 'pr-comment must be true or false' }).default(true),
    // The rollout on the commit: a check run with the full report (checks: write), falling back to
    // a commit status when the token may not create check runs; commit-status adds the status too.
    'check-run': z.boolean({ error: 'check-run must be true or false' }).default(true),
    'commit-status': z.boolean({ error: 'commit-status must be true or false' }).default(false),
    summary: z.boolean({ error: 'summary must be true or false' }).default(true),
    annotations: z.boolean({ error: 'annotations must be true or false' }).default(true),
    'report-path': z
      .string({ error: 'report-path must be a file path' })
      .min(1)
      .refine((p) => !p.includes('\0'), { error: 'report-path must not contain NUL' })
      .optional(),
  })
  .default({ 'pr-comment': true, 'check-run': true, 'commit-status': false, summary: true, annotations: true });

export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;

/** Validates the raw `notify:` value (undefined when the section is absent). Throws InputError. */
export function parseNotifyConfig(raw: unknown): NotifyConfig {
  const result = NotifyConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const path = ['notify', ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') {
      const allowed = i.path.length === 0 ? Object.keys(NotifyConfigSchema.unwrap().shape) : ['webhook-env', 'bot-token-env', 'channel'];
      return `${path}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}; expected ${allowed.join(', ')}`;
    }
    return `${path}: ${i.message}`;
  });
  throw new InputError('notify', `invalid configuration in .github/canary.yml:\n  ${problems.join('\n  ')}`);
}
