import type { GitHubContext } from '../app.ts';

/** What the report sinks need from the workflow run, read from the runner's environment. */
export function githubContext(env: Record<string, string | undefined>, token: string | undefined, eventPayload: { pull_request?: { number?: number; head?: { sha?: string } } } | undefined): GitHubContext | undefined {
  const repository = env.GITHUB_REPOSITORY;
  if (!repository || !repository.includes('/')) return undefined;
  const [owner = '', repo = ''] = repository.split('/');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const pr = eventPayload?.pull_request;
  return {
    ...(token ? { token } : {}),
    owner,
    repo,
    sha: pr?.head?.sha ?? env.GITHUB_SHA ?? '',
    ...(pr?.number !== undefined ? { prNumber: pr.number } : {}),
    ...(env.GITHUB_RUN_ID ? { runUrl: `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
  };
}

/** One id per workflow job attempt, stable across the main and post steps. */
export function defaultRunId(env: Record<string, string | undefined>): string {
  if (env.GITHUB_RUN_ID) return `gh-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${env.GITHUB_JOB ?? 'job'}`.slice(0, 120);
  return `local-${process.pid}-${Date.now().toString(36)}`;
}
