/** What the metric gate needs from a metrics backend. One implementation per file. */

export interface SeriesValue {
  labels: Record<string, string>;
  /** NaN means "no data" for this series. */
  value: number;
}

export interface QueryResult {
  series: SeriesValue[];
  warnings: string[];
}

export interface InstantQuery {
  query: string;
  /** End of the window, ms epoch. */
  at: number;
  /** Length of the window the query covers (Datadog's from..to; Prometheus puts it in the query). */
  windowMs: number;
  /** Datadog v2: named sub-queries the formula in `query` refers to. */
  queries?: Record<string, string>;
  /** Datadog: how to reduce the complete points of the window; default the last complete point. */
  pointAggregate?: 'sum' | 'avg' | 'min' | 'max' | 'last';
  signal?: AbortSignal;
}

export interface MetricsProvider {
  readonly name: string;
  readonly type: 'prometheus' | 'datadog';
  query(q: InstantQuery): Promise<QueryResult>;
  close(): Promise<void>;
}
