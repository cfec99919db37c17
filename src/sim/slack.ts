/**
 * A local stand-in for Slack: an incoming webhook (answers the text "ok", or 400 "invalid_payload")
 * and the Web API methods chat.postMessage / chat.update (HTTP 200 with {"ok":true,...} or
 * {"ok":false,"error":"..."}). It can answer the next N calls with 429 + Retry-After, and records
 * every payload (never the token or the webhook path). For tests and the demo; never bundled.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  /** 'webhook', 'chat.postMessage' or 'chat.update'. */
  kind: string;
  payload: Record<string, unknown>;
  /** The HTTP status the fake answered. */
  status: number;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  payload: Record<string, unknown>;
  updates: number;
}

export interface FakeSlackOptions {
  /** Bot token accepted by the Web API methods. */
  botToken?: string;
  /** Channels that exist (by id or name). Default: any channel. */
  channels?: string[];
}

export interface FakeSlack {
  readonly url: string;
  /** Full URL of the incoming webhook (contains the secret path). */
  readonly webhookUrl: string;
  /** Base URL for the Web API (`<url>/api/`). */
  readonly apiUrl: string;
  readonly calls: SlackCall[];
  readonly messages: FakeSlackMessage[];
  /** The next `count` calls get HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

const WEBHOOK_PATH = '/services/T0000FAKE/B0000FAKE/fakeWebhookSecret0123456789';

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-fake-bot-token';
  const calls: SlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  let limited = 0;
  let retryAfter = 1;
  let tsCounter = 1_700_000_000;

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => sendText(res, 500, 'internal_error'));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let payload: Record<string, unknown> = {};
    let parsed = true;
    try {
      const ct = req.headers['content-type'] ?? '';
      payload = ct.includes('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(raw))
        : (JSON.parse(raw || '{}') as Record<string, unknown>);
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) parsed = false;
    } catch {
      parsed = false;
    }
    const kind = url.pathname === WEBHOOK_PATH ? 'webhook' : url.pathname.startsWith('/api/') ? url.pathname.slice(5) : url.pathname;
    const record = (status: number): void => {
      calls.push({ kind, payload: parsed ? payload : {}, status });
    };

    if (limited > 0) {
      limited--;
      record(429);
      res.writeHead(429, { 'retry-after': String(retryAfter), 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }

    if (kind === 'webhook') {
      const hasContent = parsed && (typeof payload.text === 'string' || Array.isArray(payload.blocks) || Array.isArray(payload.attachments));
      record(hasContent ? 200 : 400);
      if (!hasContent) return sendText(res, 400, 'invalid_payload');
      return sendText(res, 200, 'ok');
    }
    if (kind === 'chat.postMessage' || kind === 'chat.update') {
      // The Web API answers HTTP 200 even for most errors; the body says ok:false.
      if (req.headers.authorization !== `Bearer ${botToken}`) {
        record(200);
        return sendJson(res, { ok: false, error: req.headers.authorization ? 'invalid_auth' : 'not_authed' });
      }
      if (!parsed) {
        record(200);
        return sendJson(res, { ok: false, error: 'invalid_json' });
      }
      const channel = String(payload.channel ?? '');
      if (!channel || (opts.channels && !opts.channels.includes(channel))) {
        record(200);
        return sendJson(res, { ok: false, error: 'channel_not_found' });
      }
      if (!payload.text && !payload.blocks && !payload.attachments) {
        record(200);
        return sendJson(res, { ok: false, error: 'no_text' });
      }
      if (kind === 'chat.postMessage') {
        const ts = `${tsCounter++}.000100`;
        messages.push({ channel, ts, payload, updates: 0 });
        record(200);
        return sendJson(res, { ok: true, channel, ts, message: { ts, text: payload.text } });
      }
      const msg = messages.find((m) => m.channel === channel && m.ts === payload.ts);
      record(200);
      if (!msg) return sendJson(res, { ok: false, error: 'message_not_found' });
      msg.payload = payload;
      msg.updates++;
      return sendJson(res, { ok: true, channel, ts: msg.ts, text: payload.text });
    }
    record(404);
    sendText(res, 404, 'not_found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    webhookUrl: `${base}${WEBHOOK_PATH}`,
    apiUrl: `${base}/api/`,
    calls,
    messages,
    rateLimitNext(count, seconds) {
      limited = count;
      retryAfter = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
