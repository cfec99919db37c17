/**
 * Fault injection and the request log. A rule matches by method and path and then delays, resets
 * the connection, or answers with an error status (with Retry-After), a given number of times.
 */
export interface FaultRule {
  method?: string;
  /** RegExp tested against path+query, or a substring of it. */
  path?: RegExp | string;
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  resetConnection?: boolean;
  /** How many matching requests the rule affects (default 1; Infinity allowed). */
  times?: number;
}

export interface RequestRecord {
  method: string;
  /** Path with query string, e.g. `/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=x`. */
  path: string;
  contentType?: string;
  /** 0 when the connection was reset by a fault. */
  status: number;
  requestBytes: number;
  responseBytes: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599)) {
      throw new Error(`fault status must be an HTTP error code 400..599, got ${String(rule.status)}`);
    }
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still active (for /_sim/state). */
  list(): FaultRule[] {
    return this.rules.map(({ remaining, ...rule }) => ({ ...rule, times: remaining, path: rule.path instanceof RegExp ? String(rule.path) : rule.path }));
  }

  /** The first active rule matching the request, consumed once; undefined when none. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method.toUpperCase()) &&
        (r.path === undefined || (r.path instanceof RegExp ? r.path.test(path) : path.includes(r.path))),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }
}

/** A rule sent as JSON to POST /_sim/faults: path is a substring; times may be "Infinity" or -1. */
export function faultRuleFromJson(body: unknown): FaultRule {
  if (typeof body !== 'object' || body === null) throw new Error('fault rule must be a JSON object');
  const b = body as Record<string, unknown>;
  const rule: FaultRule = {};
  if (typeof b.method === 'string') rule.method = b.method;
  if (typeof b.path === 'string') rule.path = b.path;
  if (typeof b.status === 'number') rule.status = b.status;
  if (typeof b.retryAfterSeconds === 'number') rule.retryAfterSeconds = b.retryAfterSeconds;
  if (typeof b.delayMs === 'number') rule.delayMs = b.delayMs;
  if (typeof b.resetConnection === 'boolean') rule.resetConnection = b.resetConnection;
  if (b.times === 'Infinity' || b.times === -1 || b.times === null) rule.times = Infinity;
  else if (typeof b.times === 'number') rule.times = b.times;
  return rule;
}
