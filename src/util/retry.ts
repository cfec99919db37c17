/**
 * Bounded retries with exponential backoff and full jitter. Every external call in Canary Gate goes
 * through this (or an adapter-specific wrapper of it), so no call can hang or retry forever.
 */
export interface RetryOptions {
  /** Total attempts including the first (>= 1). */
  attempts: number;
  /** Delay before the second attempt, in ms; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Decides whether an error is worth another attempt; may return a delay the server asked for. */
  retryable: (err: unknown) => boolean | { afterMs: number };
  /** Source of randomness in [0,1) for jitter; injectable so tests are deterministic. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter (AWS architecture blog): spreads retries of many clients, never below 1/4 of the cap
  // so a single client still backs off.
  return Math.round(cap * (0.25 + 0.75 * random()));
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const random = opts.random ?? Math.random;
  const doSleep = opts.sleep ?? sleep;
  let lastErr: unknown;
  for (let attempt = 1; attempt <= Math.max(1, opts.attempts); attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      lastErr = err;
      if (attempt >= opts.attempts || opts.signal?.aborted) break;
      const decision = opts.retryable(err);
      if (decision === false) break;
      const delay =
        typeof decision === 'object'
          ? Math.min(decision.afterMs, opts.maxDelayMs * 4)
          : backoffDelay(attempt, opts.baseDelayMs, opts.maxDelayMs, random);
      opts.onRetry?.(err, attempt, delay);
      await doSleep(delay, opts.signal);
    }
  }
  throw lastErr;
}

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
