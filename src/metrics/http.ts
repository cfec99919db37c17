import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { CanaryGateError, errorMessage } from '../util/errors.ts';
import { withRetry } from '../util/retry.ts';

/**
 * A metrics query that failed after the provider's retries, or could not succeed at all (bad
 * query). `status` is the HTTP status when there was a response.
 */
export class MetricsProviderError extends CanaryGateError {
  readonly provider: string;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** No HTTP answer at all (connection refused, DNS, TLS, timeout): the address is the suspect. */
  readonly unreachable: boolean;
  constructor(
    provider: string,
    message: string,
    opts: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown; unreachable?: boolean },
  ) {
    super('metrics-unavailable', `${provider}: ${message}`, { cause: opts.cause });
    this.name = 'MetricsProviderError';
    this.provider = provider;
    if (opts.status !== undefined) this.status = opts.status;
    this.retryable = opts.retryable;
    this.unreachable = opts.unreachable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

export interface TlsOptions {
  /** PEM text of CA certificates to trust (in addition to nothing else: replaces the default store). */
  ca?: string;
  caFile?: string;
  insecureSkipVerify?: boolean;
}

export interface HttpClientOptions {
  /** Provider name used in messages ("prometheus", "datadog"). */
  provider: string;
  timeoutMs: number;
  attempts: number;
  headers: Record<string, string>;
  tls?: TlsOptions;
  /** Secret values to remove from every message (they are also passed to maskSecret). */
  secrets: readonly string[];
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Decides whether a response is an error; returns the error to throw (retryable or not). */
  check?: (res: HttpResponse) => MetricsProviderError | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  redact(text: string): string;
  close(): Promise<void>;
}

/** Message of any thrown value, also for errors from another realm. */
function messageOf(err: unknown): string {
  const m = (err as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : errorMessage(err);
}

function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Seconds (Retry-After, X-RateLimit-Reset) to ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && /^\d+(\.\d+)?$/.test(reset.trim())) return Number(reset) * 1000;
  const ra = headers.get('retry-after');
  if (ra === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function defaultCheck(provider: string, res: HttpResponse): MetricsProviderError | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  const retryable = res.status === 429 || res.status === 408 || res.status >= 500;
  return new MetricsProviderError(provider, `HTTP ${res.status}: ${res.text.slice(0, 300)}`, {
    status: res.status,
    retryable,
    retryAfterMs: retryAfterMs(res.headers),
  });
}

/**
 * JSON-over-HTTP with a timeout per attempt, bounded retries with backoff and jitter (server
 * "retry after" honoured), TLS options through an undici Agent (verification on by default) and
 * secrets scrubbed from every message.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  let dispatcher: Agent | undefined;
  const tls = opts.tls;
  if (tls && (tls.ca || tls.caFile || tls.insecureSkipVerify)) {
    const ca = tls.ca ?? (tls.caFile ? readFileSync(tls.caFile, 'utf8') : undefined);
    dispatcher = new Agent({ connect: { ...(ca ? { ca } : {}), rejectUnauthorized: !tls.insecureSkipVerify } });
  }
  const doFetch = (opts.fetchImpl ?? (dispatcher ? (undiciFetch as unknown as typeof fetch) : fetch)) as typeof fetch;
  const redact = (t: string): string => redactSecrets(t, opts.secrets);

  async function attempt(req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      const init: RequestInit & { dispatcher?: Agent } = {
        method: req.method,
        headers: { accept: 'application/json', ...opts.headers, ...req.headers },
        signal,
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(dispatcher ? { dispatcher } : {}),
      };
      res = await doFetch(req.url, init as RequestInit);
      text = await res.text();
    } catch (err) {
      if (req.signal?.aborted) throw err;
      const timedOut = timeout.aborted;
      // undici puts the reason (ECONNREFUSED, certificate errors) in `cause`. Duck-typed: errors
      // may come from another realm (test VMs), where instanceof Error is false.
      const causeMsg = (err as { cause?: { message?: unknown } } | undefined)?.cause?.message;
      const cause = typeof causeMsg === 'string' ? `: ${causeMsg}` : '';
      throw new MetricsProviderError(
        opts.provider,
        timedOut
          ? `no answer from ${redact(new URL(req.url).origin)} within ${opts.timeoutMs} ms`
          : `cannot reach ${redact(new URL(req.url).origin)}: ${redact(messageOf(err))}${redact(cause)}`,
        { retryable: true, cause: err, unreachable: true },
      );
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const response: HttpResponse = { status: res.status, headers: res.headers, text: redact(text), json };
    const problem = req.check ? req.check(response) : defaultCheck(opts.provider, response);
    if (problem) {
      problem.message = redact(problem.message);
      throw problem;
    }
    if (json === undefined) {
      throw new MetricsProviderError(opts.provider, `HTTP ${res.status} with a body that is not JSON: ${response.text.slice(0, 200)}`, {
        status: res.status,
        retryable: res.status >= 500,
      });
    }
    return response;
  }

  return {
    redact,
    async request(req) {
      try {
        return await withRetry(() => attempt(req), {
          attempts: opts.attempts,
          baseDelayMs: opts.baseDelayMs ?? 250,
          maxDelayMs: opts.maxDelayMs ?? 4000,
          random: opts.random,
          sleep: opts.sleep,
          signal: req.signal,
          retryable: (err) => {
            if (!(err instanceof MetricsProviderError) || !err.retryable) return false;
            return err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : true;
          },
          onRetry: (err, n, delay) =>
            opts.log?.(`${opts.provider}: attempt ${n} failed (${redact(messageOf(err))}); retrying in ${delay} ms`),
        });
      } catch (err) {
        if (err instanceof MetricsProviderError) throw err;
        throw new MetricsProviderError(opts.provider, redact(messageOf(err)), { retryable: false, cause: err });
      }
    },
    async close() {
      await dispatcher?.close();
    },
  };
}
