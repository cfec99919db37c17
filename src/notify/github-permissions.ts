/**
 * Every GitHub API call the report sinks make, with the token permission it needs (the
 * `permissions:` key of a workflow, i.e. a GitHub App permission of GITHUB_TOKEN), as data: the
 * README's `permissions:` block and the OpenAPI test (__tests__/notify/github-openapi.test.ts) are
 * checked against it. Sources: docs.github.com/rest, "Fine-grained permissions" of each endpoint.
 */
export interface GitHubCall {
  method: 'GET' | 'POST' | 'PATCH';
  /** The path as in GitHub's OpenAPI description. */
  path: string;
  /** `<permission>: read|write`, or undefined when any token may call it. */
  permission: string | undefined;
  /** Which report needs it. */
  usedBy: 'pr-comment' | 'check-run' | 'commit-status' | 'deployment';
}

export const GITHUB_CALLS: readonly GitHubCall[] = [
  // GraphQL `viewer`: who the token is, to recognise our own comment; needs no permission.
  { method: 'POST', path: '/graphql', permission: undefined, usedBy: 'pr-comment' },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', permission: 'pull-requests: read', usedBy: 'pr-comment' },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', permission: 'pull-requests: read', usedBy: 'pr-comment' },
  { method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', permission: 'pull-requests: write', usedBy: 'pr-comment' },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}', permission: 'pull-requests: write', usedBy: 'pr-comment' },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref}/check-runs', permission: 'checks: read', usedBy: 'check-run' },
  { method: 'POST', path: '/repos/{owner}/{repo}/check-runs', permission: 'checks: write', usedBy: 'check-run' },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/check-runs/{check_run_id}', permission: 'checks: write', usedBy: 'check-run' },
  { method: 'POST', path: '/repos/{owner}/{repo}/statuses/{sha}', permission: 'statuses: write', usedBy: 'commit-status' },
  { method: 'GET', path: '/repos/{owner}/{repo}/deployments', permission: 'deployments: read', usedBy: 'deployment' },
  { method: 'POST', path: '/repos/{owner}/{repo}/deployments', permission: 'deployments: write', usedBy: 'deployment' },
  { method: 'POST', path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses', permission: 'deployments: write', usedBy: 'deployment' },
];

/** The OpenAPI path template a concrete request path matches, if any of ours. */
export function matchGitHubCall(method: string, path: string): GitHubCall | undefined {
  return GITHUB_CALLS.find((c) => {
    if (c.method !== method) return false;
    const pattern = new RegExp(`^${c.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path);
  });
}
