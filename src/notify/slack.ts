/**
 * Slack, two ways:
 * - incoming webhook: a new compact message for each event that matters;
 * - bot token + channel: chat.postMessage once, then chat.update with the stored ts, so one message
 *   tracks the rollout.
 * At most one request is in flight; 429 is retried after Retry-After (bounded), 5xx and network
 * errors with backoff. The Web API answers HTTP 200 with {"ok":false,"error":...} for most errors.
 * The webhook URL and the token never appear in an error or a log line.
 */
import type { ReportSink, RolloutEvent, RolloutReport } from '../rollout/report.ts';
import { CanaryGateError } from '../util/errors.ts';
import { withRetry } from '../util/retry.ts';
import { LatestOnly } from './latest-only.ts';
import { buildEventMessage, buildRolloutMessage } from './slack-blocks.ts';
import type { SlackMessage } from './slack-blocks.ts';

export interface SlackSinkOptions {
  webhookUrl?: string;
  botToken?: string;
  channel?: string;
  /** Web API base, default https://slack.com/api/ */
  apiUrl?: string;
  warn: (msg: string) => void;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Total attempts per message, including 429 retries. Default 4. */
  attempts?: number;
  /** Upper bound of a Retry-After wait, ms. Default 30 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Bot mode: the message that tracks the rollout, once posted (the slack-ts / slack-channel outputs). */
  onMessage?: (message: { channel: string; ts: string }) => void;
}

class SlackRateLimited extends CanaryGateError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('api-error', `Slack answered 429 (rate limited), retry after ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

class SlackHttpError extends CanaryGateError {
  readonly status: number | undefined;
  readonly slackError: string | undefined;
  constructor(message: string, status?: number, slackError?: string) {
    super('api-error', message);
    this.status = status;
    this.slackError = slackError;
  }
}

/** Errors that no retry will fix: the configuration is wrong. The sink warns once and stops. */
const FATAL_SLACK_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'invalid_token',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'action_prohibited',
  'posting_to_general_channel_denied',
]);

const WHAT_TO_DO: Record<string, string> = {
  channel_not_found: 'check the channel id/name and that the bot can see it',
  not_in_channel: 'invite the bot to the channel (/invite @your-bot)',
  invalid_auth: 'the bot token is wrong or revoked',
  not_authed: 'no bot token was sent',
  missing_scope: 'the bot token needs the chat:write scope',
  no_service: 'the incoming webhook was removed; create a new one',
};

/** Events worth a new webhook message; the rest (gate re-checks, passes) would be noise. */
function isWorthAWebhookMessage(event: RolloutEvent): boolean {
  switch (event.type) {
    case 'gate':
      return event.check.verdict === 'fail';
    case 'precheck':
      return event.result.verdict !== 'pass';
    default:
      return true;
  }
}

export function createSlackSink(opts: SlackSinkOptions): ReportSink {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
  const apiUrl = (opts.apiUrl ?? 'https://slack.com/api/').replace(/\/?$/, '/');
  const mode: 'webhook' | 'bot' | undefined = opts.botToken && opts.channel ? 'bot' : opts.webhookUrl ? 'webhook' : undefined;
  let disabled = mode === undefined;
  let tracked: { channel: string; ts: string } | undefined;

  async function postOnce(url: string, payload: unknown, headers: Record<string, string>, what: string): Promise<string> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // The fetch error may quote the URL (the webhook's secret): keep only its kind.
      const kind = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'network error';
      throw new SlackHttpError(`Slack ${what}: ${kind}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after'));
      throw new SlackRateLimited(Math.min(maxRetryAfterMs, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000));
    }
    if (res.status >= 400) {
      const code = /^[a-z_]{1,60}$/.test(text.trim()) ? text.trim() : undefined;
      throw new SlackHttpError(`Slack ${what}: HTTP ${res.status}${code ? ` ${code}` : ''}`, res.status, code);
    }
    return text;
  }

  function post(url: string, payload: unknown, headers: Record<string, string>, what: string): Promise<string> {
    return withRetry(() => postOnce(url, payload, headers, what), {
      attempts: opts.attempts ?? 4,
      baseDelayMs: 500,
      maxDelayMs: Math.ceil(maxRetryAfterMs / 4),
      retryable: (err) => {
        if (err instanceof SlackRateLimited) return { afterMs: err.retryAfterMs };
        if (err instanceof SlackHttpError) return err.status === undefined || err.status >= 500;
        return false;
      },
      sleep: opts.sleep,
    });
  }

  async function callApi(method: 'chat.postMessage' | 'chat.update', payload: Record<string, unknown>): Promise<{ channel?: string; ts?: string }> {
    const text = await post(`${apiUrl}${method}`, payload, { authorization: `Bearer ${opts.botToken}` }, method);
    let body: { ok?: boolean; error?: string; channel?: string; ts?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new SlackHttpError(`Slack ${method}: the answer was not JSON`);
    }
    if (body.ok !== true) {
      const code = typeof body.error === 'string' ? body.error.slice(0, 60) : 'unknown_error';
      throw new SlackHttpError(`Slack ${method}: ${code}${WHAT_TO_DO[code] ? ` (${WHAT_TO_DO[code]})` : ''}`, 200, code);
    }
    return body;
  }

  function disableOn(err: unknown): boolean {
    if (err instanceof SlackHttpError && ((err.slackError && FATAL_SLACK_ERRORS.has(err.slackError)) || err.status === 403 || err.status === 404)) {
      disabled = true;
      opts.warn(`Slack notifications disabled: ${err.message}. The rollout continues.`);
      return true;
    }
    return false;
  }

  async function sendWebhook(message: SlackMessage): Promise<void> {
    if (disabled) return;
    try {
      await post(opts.webhookUrl!, message, {}, 'webhook');
    } catch (err) {
      if (!disableOn(err)) throw err;
    }
  }

  async function sendTracked(report: Readonly<RolloutReport>): Promise<void> {
    if (disabled) return;
    const message = buildRolloutMessage(report);
    try {
      if (tracked) {
        try {
          await callApi('chat.update', { channel: tracked.channel, ts: tracked.ts, ...message });
          return;
        } catch (err) {
          // The message was deleted: start a new one.
          if (!(err instanceof SlackHttpError && err.slackError === 'message_not_found')) throw err;
          tracked = undefined;
        }
      }
      const res = await callApi('chat.postMessage', { channel: opts.channel, ...message });
      if (res.ts) {
        tracked = { channel: res.channel ?? opts.channel!, ts: res.ts };
        opts.onMessage?.(tracked);
      }
    } catch (err) {
      if (!disableOn(err)) throw err;
    }
  }

  // Webhook: every message in order, one at a time, a bounded backlog. Bot: latest state wins.
  let webhookChain: Promise<void> = Promise.resolve();
  let backlog = 0;
  const tracker = new LatestOnly<Readonly<RolloutReport>>(sendTracked);

  return {
    name: mode === 'bot' ? 'slack-bot' : 'slack-webhook',
    async publish(report, event) {
      if (disabled) return;
      if (mode === 'bot') {
        if (event.type === 'gate' && event.check.verdict !== 'fail' && event.check.verdict !== 'pass') return;
        await tracker.submit(report);
        return;
      }
      if (!isWorthAWebhookMessage(event)) return;
      if (backlog >= 10 && event.type !== 'finished' && event.type !== 'rolling-back') {
        throw new Error('Slack is slow to answer; intermediate messages are being dropped');
      }
      const message = buildEventMessage(report, event);
      backlog++;
      const delivery = webhookChain.then(() => sendWebhook(message));
      webhookChain = delivery.catch(() => undefined).finally(() => {
        backlog--;
      });
      await delivery;
    },
  };
}
