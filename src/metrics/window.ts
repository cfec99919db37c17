/**
 * The window of the built-in rate()/increase() queries. rate() needs two samples inside its window:
 * with a 30 s scrape, rate(x[30s]) is empty at most evaluation times. docs/metrics.md: at least
 * 4 x the scrape interval, never below 1 minute.
 */
export const MIN_WINDOW_MS = 60_000;
export const SCRAPES_PER_WINDOW = 4;
/** The scrape interval assumed when Prometheus does not say (kube-prometheus-stack's default). */
export const ASSUMED_SCRAPE_INTERVAL_MS = 30_000;
export const DEFAULT_WINDOW_MS = windowForScrape(ASSUMED_SCRAPE_INTERVAL_MS);

export function windowForScrape(scrapeIntervalMs: number): number {
  return Math.max(MIN_WINDOW_MS, SCRAPES_PER_WINDOW * scrapeIntervalMs);
}
