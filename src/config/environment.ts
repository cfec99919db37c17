/**
 * What a run's settings become where it runs — a GitHub Actions job (main or post step) or a
 * terminal — decided in one pure function instead of patches in each entry point.
 */
import path from 'node:path';
import type { Config } from './index.ts';

export type EntryPoint = 'action-main' | 'action-post' | 'cli';

export interface RunEnvironment {
  entry: EntryPoint;
  /** The process environment (GITHUB_*, RUNNER_TEMP). */
  vars: Record<string, string | undefined>;
  /** The system's temporary directory (os.tmpdir()), for reports when RUNNER_TEMP is not set. */
  tmpDir: string;
  /** The identity of a run outside a workflow; the entry point makes one (pid and time). */
  localRunId: string;
}

/** One id per workflow job attempt, stable across the main and post steps; else the local id. */
export function defaultRunId(vars: Record<string, string | undefined>, localRunId: string): string {
  if (vars.GITHUB_RUN_ID) return `gh-${vars.GITHUB_RUN_ID}-${vars.GITHUB_RUN_ATTEMPT ?? '1'}-${vars.GITHUB_JOB ?? 'job'}`.slice(0, 120);
  return localRunId;
}

/** Refs the schema check compares when the config leaves them out: the PR base and HEAD. */
export function defaultSchemaRefs(vars: Record<string, string | undefined>): { base?: string; head?: string } {
  if (vars.GITHUB_BASE_REF) return { base: `origin/${vars.GITHUB_BASE_REF}`, head: 'HEAD' };
  return { head: 'HEAD' };
}

/**
 * The config as it applies here:
 * - `run-id` resolved (the workflow run's id, else the local one);
 * - in a job, the JSON report defaults to RUNNER_TEMP (the `report-path` output names it);
 * - the job summary only where the runner gives a summary file; the PR comment, check run and
 *   commit status only where there is a repository; in a terminal none of the workflow reports, nor annotations;
 * - the post step aborts what its main step left (mode abort).
 */
export function adaptToEnvironment(config: Config, env: RunEnvironment): Config {
  const { vars } = env;
  const inJob = env.entry !== 'cli';
  const runId = config.base['run-id'] ?? defaultRunId(vars, env.localRunId);
  const reportPath = config.base['report-path'] ?? (inJob ? path.join(vars.RUNNER_TEMP ?? env.tmpDir, `canary-gate-${runId}.json`) : undefined);
  const notify = { ...config.notify };
  if (!inJob || !vars.GITHUB_STEP_SUMMARY) notify.summary = false;
  if (!inJob || !vars.GITHUB_REPOSITORY) {
    notify['pr-comment'] = false;
    notify['check-run'] = false;
    notify['commit-status'] = false;
  }
  if (!inJob) notify.annotations = false;
  return {
    ...config,
    base: {
      ...config.base,
      'run-id': runId,
      ...(reportPath !== undefined ? { 'report-path': reportPath } : {}),
      ...(env.entry === 'action-post' ? { mode: 'abort' as const } : {}),
    },
    notify,
  };
}
