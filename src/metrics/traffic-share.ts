/**
 * The traffic-share check: the canary's measured share of requests since the step began must be near
 * the weight that was set. A route that did not take effect — a shadowed route, a mesh sidecar not
 * injected, an annotation the controller ignores — shows as a share far from the weight at the first
 * step, with this message, instead of as "no data" later.
 *
 * The tolerance accounts for counts: requests split by weight are binomial, so the share is judged
 * wrong only when it lies outside [weight / 2, 2 x weight] by more than Z standard deviations of the
 * count. With too few requests to tell, the check passes and says so (the metric gates still need
 * their own data).
 */
import type { Verdict } from '../analysis/types.ts';

/** Standard deviations beyond the band before a share is called wrong (two-sided p < 1e-4). */
export const SHARE_Z = 4;

export interface TrafficShareInput {
  /** Requests each version served since the step began. */
  canary: number;
  stable: number;
  /** Weight set, percent. */
  weight: number;
}

export interface TrafficShareResult {
  verdict: Verdict;
  explanation: string;
  /** Measured share, percent (undefined without requests). */
  share?: number;
  details: Record<string, number | string>;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export function judgeTrafficShare(i: TrafficShareInput): TrafficShareResult {
  const canary = Math.max(0, i.canary);
  const n = canary + Math.max(0, i.stable);
  const p = Math.min(1, Math.max(0, i.weight / 100));
  const details = { canaryRequests: Math.round(canary), requests: Math.round(n), weight: i.weight };
  if (n < 1) {
    return { verdict: 'inconclusive', explanation: 'no requests to either version since the step began', details };
  }
  const share = canary / n;
  const low = p / 2;
  const high = Math.min(1, 2 * p);
  // Standard deviation of the canary count if the share were at the band's edge.
  const sd = (q: number): number => Math.sqrt(n * q * (1 - q));
  const tooLow = p > 0 && canary + SHARE_Z * sd(low) < n * low;
  const tooHigh = p < 1 && canary - SHARE_Z * sd(high) > n * high;
  const measured = `the canary served ${Math.round(canary)} of ${Math.round(n)} requests (${pct(share)}) with weight ${i.weight}%`;
  if (tooLow || tooHigh) {
    const hint = tooLow
      ? share < 0.005
        ? 'the route change did not take effect: check for a route that shadows it, a data plane that ignores it (ingress class, mesh injection of the canary pods), or a controller that rejected it'
        : 'less traffic reaches the canary than the route asks for: check for a route that takes part of it first'
      : 'more traffic reaches the canary than the route asks for: something else routes to the canary pods (a Service that selects them, sticky sessions, another route)';
    return { verdict: 'fail', share: share * 100, explanation: `${measured}, outside ${pct(low)}..${pct(high)}: ${hint}`, details };
  }
  // With so few requests that even a canary serving none would be within the band, say so.
  const resolvable = n * low - SHARE_Z * sd(low) > 0;
  return {
    verdict: 'pass',
    share: share * 100,
    explanation: resolvable ? `${measured}: as routed` : `${measured}: too few requests to check the share yet`,
    details,
  };
}
