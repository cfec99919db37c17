/**
 * A commit status per target (`canary-gate/<namespace>/<deployment>`): pending while rolling out,
 * success on promotion, failure with the reason on rollback or abort, error when the run failed.
 * Branch protection can then require it. Needs `statuses: write`.
 */
import type { ReportSink, RolloutReport } from '../rollout/report.ts';
import { callGitHub, describeGitHubError, isPermissionError } from './github-errors.ts';
import type { GitHubCallOptions } from './github-errors.ts';
import { renderStatusDescription, safeLink } from './markdown.ts';
import type { GitHubClient } from './pr-comment.ts';

type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusSinkOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
  /** Default `canary-gate/<namespace>/<deployment>` from the report's target. */
  context?: string;
  targetUrl?: string;
  warn: (msg: string) => void;
  call?: GitHubCallOptions;
}

export function commitStatusContext(namespace: string, deployment: string): string {
  return `canary-gate/${namespace}/${deployment}`.slice(0, 255);
}

function commitState(report: Readonly<RolloutReport>): CommitState {
  switch (report.result) {
    case undefined:
      return 'pending';
    case 'promoted':
    case 'noop':
      return 'success';
    case 'failed':
      return 'error';
    default:
      return 'failure';
  }
}

export function createCommitStatusSink(opts: CommitStatusSinkOptions): ReportSink {
  let disabled = false;
  // GitHub keeps at most 1000 statuses per sha and context: post only when what it says changes.
  let lastPosted = '';
  return {
    name: 'commit-status',
    async publish(report) {
      if (disabled) return;
      const state = commitState(report);
      const description = renderStatusDescription(report);
      const key = `${state}\u0000${description}`;
      if (key === lastPosted) return;
      const context = opts.context ?? commitStatusContext(report.target.namespace, report.target.deployment);
      const targetUrl = safeLink(opts.targetUrl ?? report.runUrl);
      try {
        await callGitHub(
          (signal) =>
            opts.octokit.rest.repos.createCommitStatus({
              owner: opts.owner,
              repo: opts.repo,
              sha: opts.sha,
              state,
              context,
              description,
              ...(targetUrl ? { target_url: targetUrl } : {}),
              request: { signal },
            }),
          opts.call,
        );
        lastPosted = key;
      } catch (err) {
        if (isPermissionError(err)) {
          disabled = true;
          opts.warn(
            `Commit status disabled: GitHub answered ${describeGitHubError(err)}. Grant \`permissions: statuses: write\` ` +
              `(a pull request from a fork gets a read-only token). The rollout continues.`,
          );
          return;
        }
        throw new Error(`could not set commit status ${context}: ${describeGitHubError(err)}`);
      }
    },
  };
}
