/**
 * The metric preflight: before the canary gets any traffic, every metric's stable query must return
 * exactly one series with a value, and the canary query must be accepted by the backend (it has no
 * data yet). A query that errors, finds nothing or finds several series where one is expected stops
 * the rollout with nothing shifted, naming the query, the labels it selected and what the backend has
 * instead — Flagger's "no values found" turned into a check that takes seconds.
 *
 * Pure apart from the queries it is given to run.
 */
import { MetricsProviderError } from './http.ts';
import { errorMessage } from '../util/errors.ts';
import { formatNumber } from '../util/format.ts';
import type { MetricsProvider, QueryResult } from './provider.ts';

export interface PreflightItem {
  metric: string;
  provider: MetricsProvider;
  /** Window of the query (Datadog's from..to). */
  windowMs: number;
  /** The stable's value query; undefined when the metric has no baseline. */
  stable?: string;
  /** The canary's value query (checked for errors only: the canary has no traffic yet). */
  canary: string;
  /** Datadog v2 named sub-queries, per role. */
  subQueries?: { canary?: Record<string, string>; stable?: Record<string, string> };
  /** The metric reduces several series itself (aggregate:), so several are fine. */
  aggregates: boolean;
  /** For built-ins: a query listing the label values the data plane has for the workload. */
  diagnose?: { query: string; labels: readonly string[]; selector: string };
}

export interface PreflightFinding {
  metric: string;
  ok: boolean;
  message: string;
}

export interface PreflightResult {
  ok: boolean;
  findings: PreflightFinding[];
}

const describe = (r: QueryResult, max = 5): string =>
  r.series
    .slice(0, max)
    .map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`)
    .join(', ') + (r.series.length > max ? `, … (${r.series.length} in all)` : '');

async function labelValuesFound(item: PreflightItem, at: number, signal?: AbortSignal): Promise<string> {
  const d = item.diagnose;
  if (!d) return '';
  try {
    const r = await item.provider.query({ query: d.query, at, windowMs: item.windowMs, ...(signal ? { signal } : {}) });
    if (r.series.length === 0) return ` The backend has no such series in that scope at all (${d.query} is empty): is the data plane scraped, and is the workload in it?`;
    const values = d.labels.map((l) => {
      const vs = [...new Set(r.series.map((s) => s.labels[l] ?? ''))].sort().slice(0, 10);
      return `${l}: ${vs.map((v) => JSON.stringify(v)).join(', ')}`;
    });
    return ` Label values found (${d.query}): ${values.join('; ')}.`;
  } catch (err) {
    return ` Listing the label values failed too: ${errorMessage(err)}.`;
  }
}

export async function runMetricPreflight(items: readonly PreflightItem[], at: number, signal?: AbortSignal): Promise<PreflightResult> {
  const findings = await Promise.all(
    items.map(async (item): Promise<PreflightFinding> => {
      const run = (query: string, queries?: Record<string, string>) =>
        item.provider.query({ query, at, windowMs: item.windowMs, ...(queries ? { queries } : {}), ...(signal ? { signal } : {}) });
      const where = `metric "${item.metric}" (${item.provider.name})`;
      const why = (err: unknown): string =>
        errorMessage(err).replace(/\.+$/, '') +
        (err instanceof MetricsProviderError && err.unreachable
          ? ` — check the provider's address (the prometheus-url input, or providers.${item.provider.name}.address in the config file) and that this runner can reach it: an in-cluster Prometheus needs a self-hosted runner in the cluster, a port-forward or an ingress`
          : '');
      let r: QueryResult | undefined;
      if (item.stable !== undefined) {
        try {
          r = await run(item.stable, item.subQueries?.stable);
        } catch (err) {
          if (signal?.aborted) throw err;
          return { metric: item.metric, ok: false, message: `${where}: the stable query failed: ${why(err)}. Query: ${item.stable}` };
        }
      }
      try {
        await run(item.canary, item.subQueries?.canary);
      } catch (err) {
        if (signal?.aborted) throw err;
        return { metric: item.metric, ok: false, message: `${where}: the canary query failed: ${why(err)}. Query: ${item.canary}` };
      }
      if (r === undefined || item.stable === undefined) return { metric: item.metric, ok: true, message: `${where}: canary query accepted (no stable baseline)` };
      const withValue = r.series.filter((s) => !Number.isNaN(s.value));
      if (withValue.length === 0) {
        const selected = item.diagnose ? ` It selected {${item.diagnose.selector}}.` : '';
        return {
          metric: item.metric,
          ok: false,
          message:
            `${where}: the stable query returned no data, so the gate could never compare the canary with it.${selected}` +
            (await labelValuesFound(item, at, signal)) +
            ` Query: ${item.stable}`,
        };
      }
      if (r.series.length > 1 && !item.aggregates) {
        return {
          metric: item.metric,
          ok: false,
          message: `${where}: the stable query returned ${r.series.length} series where one is expected (${describe(r)}): aggregate it (e.g. sum(...)) or set aggregate: on the metric. Query: ${item.stable}`,
        };
      }
      return { metric: item.metric, ok: true, message: `${where}: stable ${formatNumber(withValue[0]!.value)} (${r.series.length} series); canary query accepted` };
    }),
  );
  return { ok: findings.every((f) => f.ok), findings };
}
