/**
 * How often Prometheus scrapes the metrics the built-ins read, from its own HTTP API: the jobs whose
 * targets export a metric (`/api/v1/targets/metadata?metric=`), then each job's interval from the
 * active targets (`scrapeInterval`, Prometheus >= 2.30) or, failing that, the loaded configuration
 * (`/api/v1/status/config`: the job's scrape_interval, else the global one, else Prometheus' default
 * 1m). The longest interval wins: the window must hold enough samples of every series it sums.
 */
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../util/duration.ts';

export interface ScrapeIntervalAnswer {
  ms?: number;
  /** Where the answer came from, or why there is none (for the log). */
  source: string;
}

/** GET a Prometheus API path; resolves to the response's `data`. */
export type PrometheusGet = (path: string, params: Record<string, string>) => Promise<unknown>;

const PROMETHEUS_DEFAULT_SCRAPE_MS = 60_000;

interface TargetMetadata {
  target?: { job?: string };
}
interface ActiveTarget {
  labels?: { job?: string };
  scrapePool?: string;
  scrapeInterval?: string;
}
interface ScrapeConfigFile {
  global?: { scrape_interval?: string };
  scrape_configs?: Array<{ job_name?: string; scrape_interval?: string }>;
}

export async function learnScrapeInterval(get: PrometheusGet, metricNames: readonly string[]): Promise<ScrapeIntervalAnswer> {
  const jobs = new Set<string>();
  for (const metric of metricNames) {
    const meta = (await get('/api/v1/targets/metadata', { metric })) as TargetMetadata[] | undefined;
    for (const m of meta ?? []) if (m.target?.job) jobs.add(m.target.job);
  }
  if (jobs.size === 0) return { source: `no scrape target exports ${metricNames.join(' or ')} (targets/metadata)` };
  const found = new Map<string, number>();
  const targets = (await get('/api/v1/targets', { state: 'active' })) as { activeTargets?: ActiveTarget[] } | undefined;
  for (const t of targets?.activeTargets ?? []) {
    const job = t.labels?.job;
    const ms = t.scrapeInterval ? parseDuration(t.scrapeInterval) : undefined;
    if (job && jobs.has(job) && ms !== undefined) found.set(job, Math.max(found.get(job) ?? 0, ms));
  }
  let source = 'active targets';
  if (found.size < jobs.size) {
    const cfg = (await get('/api/v1/status/config', {})) as { yaml?: string } | undefined;
    const file = (cfg?.yaml ? parseYaml(cfg.yaml) : {}) as ScrapeConfigFile;
    const global = (file.global?.scrape_interval && parseDuration(file.global.scrape_interval)) || PROMETHEUS_DEFAULT_SCRAPE_MS;
    for (const job of jobs) {
      if (found.has(job)) continue;
      const sc = file.scrape_configs?.find((c) => c.job_name === job);
      found.set(job, (sc?.scrape_interval && parseDuration(sc.scrape_interval)) || global);
    }
    source = 'the loaded configuration';
  }
  const ms = Math.max(...found.values());
  return { ms, source: `${source}, job${jobs.size > 1 ? 's' : ''} ${[...jobs].sort().join(', ')}` };
}
