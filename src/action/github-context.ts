import type { GitHubContext } from '../app.ts';

interface EventPayload {
  pull_request?: { number?: number; head?: { sha?: string } };
}

/**
 * What the report sinks need from the workflow run, read from the runner's environment: the token,
 * the repository, the commit (the PR head on pull_request events), the PR and the run's link.
 * Both the main and the post step build it, so the post step can resolve what the main step began.
 */
export function githubContext(env: Record<string, string | undefined>, token: string | undefined, eventPayload: EventPayload | undefined): GitHubContext | undefined {
  const repository = env.GITHUB_REPOSITORY;
  if (!repository || !repository.includes('/')) return undefined;
  const [owner = '', repo = ''] = repository.split('/');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const pr = eventPayload?.pull_request;
  const workflow = workflowPath(env.GITHUB_WORKFLOW_REF, repository);
  return {
    ...(token ? { token } : {}),
    owner,
    repo,
    sha: pr?.head?.sha ?? env.GITHUB_SHA ?? '',
    prNumber: pr?.number,
    ...(env.GITHUB_RUN_ID ? { runUrl: `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
    ...(workflow ? { workflowPath: workflow } : {}),
  };
}

/** The workflow file in the repository, from GITHUB_WORKFLOW_REF ("owner/repo/.github/workflows/deploy.yml@refs/heads/main"). */
function workflowPath(workflowRef: string | undefined, repository: string): string | undefined {
  if (!workflowRef?.startsWith(`${repository}/`)) return undefined;
  const file = workflowRef.slice(repository.length + 1).replace(/@[^@]*$/, '');
  return /^\.github\/workflows\/[^\s]+\.ya?ml$/.test(file) ? file : undefined;
}
