/**
 * Shared handling of GitHub REST failures for the sinks: which errors are worth a retry, which mean
 * "this token may not do that" (warn once, stop trying), and a bounded retry around each call.
 */
import { withRetry } from '../util/retry.ts';

function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headersOf(err: unknown): Record<string, string | undefined> {
  return (err as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers ?? {};
}

/** GitHub signals primary and secondary rate limits with 403 (or 429); those are not permission problems. */
function isRateLimited(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status === 429) return true;
  if (status !== 403) return false;
  const headers = headersOf(err);
  return headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(describeGitHubError(err));
}

/** 401/403/404: the token lacks the permission (fork PR, missing `permissions:`) or the thing is gone. */
export function isPermissionError(err: unknown): boolean {
  const s = httpStatusOf(err);
  return (s === 401 || s === 403 || s === 404) && !isRateLimited(err);
}

/** Server errors, GitHub's secondary rate limits (403/429 with retry-after) and network errors. */
function githubRetryDecision(err: unknown): boolean | { afterMs: number } {
  const status = httpStatusOf(err);
  const retryAfter = Number(headersOf(err)['retry-after']);
  if (isRateLimited(err) && Number.isFinite(retryAfter)) return { afterMs: Math.max(0, retryAfter) * 1000 };
  if (isRateLimited(err)) return true;
  if (status === undefined) return true; // network error, timeout
  return status >= 500;
}

export interface GitHubCallOptions {
  attempts?: number;
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs one GitHub call with a per-attempt timeout (passed as an AbortSignal) and bounded retries. */
export function callGitHub<T>(fn: (signal: AbortSignal) => Promise<T>, opts: GitHubCallOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return withRetry(() => fn(AbortSignal.timeout(timeoutMs)), {
    attempts: opts.attempts ?? 3,
    baseDelayMs: 500,
    maxDelayMs: 5_000,
    retryable: githubRetryDecision,
    sleep: opts.sleep,
  });
}

/** A GitHub error as one line, without headers (which could hold a token) or the request body. */
export function describeGitHubError(err: unknown): string {
  const status = httpStatusOf(err);
  const data = (err as { response?: { data?: { message?: unknown } } } | null)?.response?.data;
  const message = typeof data?.message === 'string' ? data.message : err instanceof Error ? err.message : String(err);
  return status !== undefined ? `HTTP ${status}: ${message}` : message;
}
