/**
 * The rollout on the commit, as a check run (Checks API, `checks: write`): in progress while it
 * rolls out, with the whole report as its summary, then completed with a conclusion and, on a bad
 * result, an annotation on the workflow file naming the reason. Named like the commit status
 * (`canary-gate/<namespace>/<deployment>`), so branch protection that requires that name is
 * satisfied by either. When the token may not create check runs (no `checks: write`, a fork PR),
 * the sink says so once and falls back to a commit status (`statuses: write`), which carries the
 * one-line description only. A post step finds the check run its main step began (same commit,
 * name and run id as external_id) and completes it.
 */
import type { ReportSink, RolloutEvent, RolloutReport } from '../rollout/report.ts';
import { commitStatusContext, createCommitStatusSink } from './commit-status.ts';
import { callGitHub, describeGitHubError, isPermissionError } from './github-errors.ts';
import type { GitHubCallOptions } from './github-errors.ts';
import { LatestOnly } from './latest-only.ts';
import { isBadResult, renderReportMarkdown, renderStatusDescription, safeLink } from './markdown.ts';
import type { GitHubClient } from './pr-comment.ts';

/** GitHub caps a check run's output.summary at 65,535 characters; stay below in bytes. */
const CHECK_SUMMARY_MAX_BYTES = 60_000;

type CheckConclusion = 'success' | 'failure' | 'cancelled';

export interface CheckRunSinkOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
  /** Link to the workflow run (the check's details_url). */
  detailsUrl?: string;
  /** The workflow file in the repository (from GITHUB_WORKFLOW_REF): where annotations point. */
  workflowPath?: string;
  warn: (msg: string) => void;
  call?: GitHubCallOptions;
}

function checkConclusion(report: Readonly<RolloutReport>): CheckConclusion | undefined {
  switch (report.result) {
    case undefined:
      return undefined;
    case 'promoted':
    case 'noop':
      return 'success';
    case 'aborted':
      return 'cancelled';
    default:
      return 'failure';
  }
}

interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

/** Check-run annotations must point at a file and line: the reason goes on the workflow file's first line. */
function annotations(report: Readonly<RolloutReport>, workflowPath: string | undefined): CheckAnnotation[] {
  if (!workflowPath || !report.result) return [];
  const out: CheckAnnotation[] = [];
  const target = `${report.target.namespace}/${report.target.deployment}`;
  if (isBadResult(report)) {
    out.push({
      path: workflowPath,
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure' as const,
      title: `Canary Gate ${target}: ${report.result}${report.reason ? ` (${report.reason})` : ''}`.slice(0, 255),
      message: (report.message ?? report.reason ?? report.result).slice(0, 60_000),
    });
  }
  if (report.precheck && report.precheck.verdict !== 'pass') {
    out.push({
      path: workflowPath,
      start_line: 1,
      end_line: 1,
      annotation_level: report.precheck.verdict === 'warn' ? ('warning' as const) : ('failure' as const),
      title: `Canary Gate ${target}: schema ${report.precheck.verdict}`,
      message: report.precheck.summary.slice(0, 60_000),
    });
  }
  return out;
}

/** Events that change nothing visible (a gate asked to check again) do not cost an API call. */
function isWorthAnUpdate(event: RolloutEvent): boolean {
  return !(event.type === 'gate' && (event.check.verdict === 'continue' || event.check.verdict === 'inconclusive'));
}

export function createCheckRunSink(opts: CheckRunSinkOptions): ReportSink {
  let checkRunId: number | undefined;
  let fallback: ReportSink | undefined;
  let annotated = false;
  const call = <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => callGitHub(fn, opts.call);
  const detailsUrl = safeLink(opts.detailsUrl);

  async function findOwn(report: Readonly<RolloutReport>): Promise<number | undefined> {
    const res = await call((signal) =>
      opts.octokit.rest.checks.listForRef({
        owner: opts.owner,
        repo: opts.repo,
        ref: opts.sha,
        check_name: commitStatusContext(report.target.namespace, report.target.deployment),
        filter: 'all',
        per_page: 50,
        request: { signal },
      }),
    );
    return res.data.check_runs.find((r) => r.external_id === report.runId.slice(0, 200))?.id;
  }

  async function upsert(report: Readonly<RolloutReport>): Promise<void> {
    const conclusion = checkConclusion(report);
    const notes = conclusion && !annotated ? annotations(report, opts.workflowPath) : [];
    const output = {
      title: renderStatusDescription(report),
      summary: renderReportMarkdown(report, { maxBytes: CHECK_SUMMARY_MAX_BYTES }),
      ...(notes.length > 0 ? { annotations: notes.slice(0, 50) } : {}),
    };
    const state = conclusion
      ? { status: 'completed' as const, conclusion, completed_at: new Date(report.finishedAt ?? report.updatedAt).toISOString() }
      : { status: 'in_progress' as const };
    // A post step resolves the check run its main step began (same commit, name and run id).
    if (checkRunId === undefined) checkRunId = await findOwn(report);
    if (checkRunId === undefined) {
      const created = await call((signal) =>
        opts.octokit.rest.checks.create({
          owner: opts.owner,
          repo: opts.repo,
          name: commitStatusContext(report.target.namespace, report.target.deployment),
          head_sha: opts.sha,
          external_id: report.runId.slice(0, 200),
          started_at: new Date(report.startedAt).toISOString(),
          ...(detailsUrl ? { details_url: detailsUrl } : {}),
          ...state,
          output,
          request: { signal },
        }),
      );
      checkRunId = created.data.id;
    } else {
      const id = checkRunId;
      await call((signal) => opts.octokit.rest.checks.update({ owner: opts.owner, repo: opts.repo, check_run_id: id, ...state, output, request: { signal } }));
    }
    if (notes.length > 0) annotated = true;
  }

  async function publishCheck(report: Readonly<RolloutReport>): Promise<void> {
    if (fallback) return;
    try {
      await upsert(report);
    } catch (err) {
      if (!isPermissionError(err)) throw new Error(`could not update the check run: ${describeGitHubError(err)}`);
      opts.warn(
        `Check run not allowed: GitHub answered ${describeGitHubError(err)}. Grant \`permissions: checks: write\` for the check with the full report; ` +
          `reporting a commit status instead (needs statuses: write). The rollout continues.`,
      );
      fallback = createCommitStatusSink({
        octokit: opts.octokit,
        owner: opts.owner,
        repo: opts.repo,
        sha: opts.sha,
        ...(opts.detailsUrl ? { targetUrl: opts.detailsUrl } : {}),
        warn: opts.warn,
        call: opts.call,
      });
    }
  }

  const sender = new LatestOnly<Readonly<RolloutReport>>(publishCheck);
  return {
    name: 'check-run',
    async publish(report, event) {
      if (!fallback && isWorthAnUpdate(event)) await sender.submit(report);
      if (fallback) await fallback.publish(report, event);
    },
  };
}
