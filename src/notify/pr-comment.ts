/**
 * One sticky pull-request comment per target, found again by a hidden marker and its author, and
 * updated in place at every event that changes what it shows. Needs `pull-requests: write`; on a
 * fork PR (read-only token) or without that permission it warns once and stays quiet after.
 */
import type { getOctokit } from '@actions/github';
import type { ReportSink, RolloutEvent, RolloutReport } from '../rollout/report.ts';
import { callGitHub, describeGitHubError, isPermissionError } from './github-errors.ts';
import type { GitHubCallOptions } from './github-errors.ts';
import { LatestOnly } from './latest-only.ts';
import { renderReportMarkdown } from './markdown.ts';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The login GITHUB_TOKEN posts as (GitHub Actions' app). */
const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]';

/** GitHub caps comment bodies at 65,536 characters; stay well below in bytes. */
const COMMENT_MAX_BYTES = 60_000;

export interface PrCommentSinkOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The pull request (pull_request events). Without it, the PR of `sha` is looked up. */
  prNumber?: number;
  /** The commit (release workflows on a tag push). */
  sha?: string;
  /** Hidden HTML comment that identifies this target's comment; default prCommentMarker(report.target). */
  marker?: string;
  warn: (msg: string) => void;
  info?: (msg: string) => void;
  call?: GitHubCallOptions;
}

/** `<!-- canary-gate:<namespace>/<deployment> -->`, with anything that could end the comment removed. */
export function prCommentMarker(namespace: string, deployment: string): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `<!-- canary-gate:${clean(namespace)}/${clean(deployment)} -->`;
}

/** Events that change nothing visible (a gate asked to check again) do not cost an API call. */
function isWorthAnUpdate(event: RolloutEvent): boolean {
  return !(event.type === 'gate' && (event.check.verdict === 'continue' || event.check.verdict === 'inconclusive'));
}

interface CommentRef {
  id: number;
}

export function createPrCommentSink(opts: PrCommentSinkOptions): ReportSink {
  const info = opts.info ?? (() => undefined);
  let disabled = false;
  let prNumber: number | undefined = opts.prNumber;
  let prLookedUp = opts.prNumber !== undefined;
  let comment: CommentRef | undefined;
  let selfLogin: string | undefined; // undefined: not asked yet

  const call = <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => callGitHub(fn, opts.call);

  async function resolvePr(): Promise<number | undefined> {
    if (prLookedUp) return prNumber;
    prLookedUp = true;
    if (!opts.sha) return undefined;
    const res = await call((signal) =>
      opts.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: opts.owner, repo: opts.repo, commit_sha: opts.sha!, request: { signal } }),
    );
    const prs = res.data as { number: number; state?: string }[];
    const pr = prs.find((p) => p.state === 'open') ?? prs[0];
    prNumber = pr?.number;
    if (prNumber === undefined) info(`PR comment: commit ${opts.sha} belongs to no pull request; no comment is posted.`);
    return prNumber;
  }

  /**
   * Who the token belongs to, through GraphQL's `viewer`, which answers for GitHub App installation
   * tokens (GITHUB_TOKEN) as well as personal tokens; REST `GET /user` refuses installation tokens.
   * When GraphQL is unavailable (403 on a locked-down GHES), the Actions bot's login stands in: that
   * is who GITHUB_TOKEN posts as.
   */
  async function whoAmI(): Promise<string> {
    if (selfLogin !== undefined) return selfLogin;
    try {
      const res = await call((signal) => opts.octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }', { request: { signal } }));
      selfLogin = res.viewer.login;
    } catch (err) {
      if (!isPermissionError(err)) throw err;
      selfLogin = GITHUB_ACTIONS_LOGIN;
    }
    return selfLogin;
  }

  async function findOwnComment(pr: number, marker: string, signal: AbortSignal): Promise<CommentRef | undefined> {
    const login = await whoAmI();
    const iterator = opts.octokit.paginate.iterator(opts.octokit.rest.issues.listComments, {
      owner: opts.owner,
      repo: opts.repo,
      issue_number: pr,
      per_page: 100,
      request: { signal },
    });
    for await (const page of iterator) {
      for (const c of page.data) {
        if (!c.body?.includes(marker)) continue;
        // Only our own comment: another bot or a person may quote the marker.
        if (c.user?.login === login) return { id: c.id };
      }
    }
    return undefined;
  }

  async function upsert(report: Readonly<RolloutReport>): Promise<void> {
    if (disabled) return;
    try {
      const pr = await resolvePr();
      if (pr === undefined) return;
      const marker = opts.marker ?? prCommentMarker(report.target.namespace, report.target.deployment);
      const body = `${marker}\n${renderReportMarkdown(report, { maxBytes: COMMENT_MAX_BYTES })}`;
      if (!comment) comment = await call((signal) => findOwnComment(pr, marker, signal));
      if (comment) {
        try {
          const id = comment.id;
          await call((signal) => opts.octokit.rest.issues.updateComment({ owner: opts.owner, repo: opts.repo, comment_id: id, body, request: { signal } }));
          return;
        } catch (err) {
          // Someone deleted our comment: post a new one below.
          if ((err as { status?: number }).status !== 404) throw err;
          comment = undefined;
        }
      }
      const created = await call((signal) =>
        opts.octokit.rest.issues.createComment({ owner: opts.owner, repo: opts.repo, issue_number: pr, body, request: { signal } }),
      );
      comment = { id: created.data.id };
    } catch (err) {
      if (isPermissionError(err)) {
        disabled = true;
        opts.warn(
          `PR comment disabled: GitHub answered ${describeGitHubError(err)}. The token cannot write comments ` +
            `(a pull request from a fork gets a read-only token; otherwise grant \`permissions: pull-requests: write\`). The rollout continues.`,
        );
        return;
      }
      throw new Error(`could not update the pull-request comment: ${describeGitHubError(err)}`);
    }
  }

  const sender = new LatestOnly<Readonly<RolloutReport>>(upsert);

  return {
    name: 'pr-comment',
    async publish(report, event) {
      if (disabled || !isWorthAnUpdate(event)) return;
      await sender.submit(report);
    },
  };
}
