/**
 * The rollout as a GitHub Deployment (`deployments: write`), so it shows in the repository's
 * Environments view where release teams look: created when the rollout starts (ref = the commit,
 * the configured environment), then deployment statuses in_progress → success (promoted; GitHub
 * marks the environment's earlier deployments inactive), failure (rolled back), error (the run
 * failed) or inactive (aborted: nothing was deployed). Each status links the workflow run
 * (log_url) and, when given, the environment's URL.
 *
 * The post step of a killed run finds the deployment its main step created (same commit,
 * environment and run id in the payload) and resolves it, instead of leaving it in progress.
 * `required_contexts: []`: the deployment records the rollout; it must not wait for the commit's
 * other checks (GitHub answers 409 while any is pending, including our own).
 */
import type { ReportSink, RolloutReport } from '../rollout/report.ts';
import { callGitHub, describeGitHubError, isPermissionError } from './github-errors.ts';
import type { GitHubCallOptions } from './github-errors.ts';
import { LatestOnly } from './latest-only.ts';
import { renderStatusDescription, safeLink } from './markdown.ts';
import type { GitHubClient } from './pr-comment.ts';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface DeploymentSinkOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
  /** The GitHub environment (e.g. production). */
  environment: string;
  /** Where the deployed service can be reached (the environment's link in GitHub). */
  environmentUrl?: string;
  /** Link to the workflow run. */
  logUrl?: string;
  warn: (msg: string) => void;
  call?: GitHubCallOptions;
}

function deploymentState(report: Readonly<RolloutReport>): DeploymentState {
  switch (report.result) {
    case undefined:
      return 'in_progress';
    case 'promoted':
    case 'noop':
      return 'success';
    case 'rolled-back':
      return 'failure';
    case 'aborted':
      return 'inactive';
    default:
      return 'error';
  }
}

interface DeploymentPayload {
  'canary-gate': { runId: string; namespace: string; deployment: string; image?: string };
}

export function createDeploymentSink(opts: DeploymentSinkOptions): ReportSink {
  let disabled = false;
  let deploymentId: number | undefined;
  let lastState: DeploymentState | undefined;
  const call = <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => callGitHub(fn, opts.call);
  const logUrl = safeLink(opts.logUrl);
  const environmentUrl = safeLink(opts.environmentUrl);

  /** The deployment this run created earlier (main step, when this is the post step). */
  async function findOwn(runId: string): Promise<number | undefined> {
    const res = await call((signal) =>
      opts.octokit.rest.repos.listDeployments({ owner: opts.owner, repo: opts.repo, sha: opts.sha, environment: opts.environment, per_page: 30, request: { signal } }),
    );
    const own = res.data.find((d) => (d.payload as Partial<DeploymentPayload> | null | undefined)?.['canary-gate']?.runId === runId);
    return own?.id;
  }

  async function ensureDeployment(report: Readonly<RolloutReport>): Promise<number> {
    if (deploymentId !== undefined) return deploymentId;
    deploymentId = await findOwn(report.runId);
    if (deploymentId !== undefined) return deploymentId;
    const payload: DeploymentPayload = {
      'canary-gate': {
        runId: report.runId,
        namespace: report.target.namespace,
        deployment: report.target.deployment,
        ...(report.images.canary ? { image: report.images.canary } : {}),
      },
    };
    const created = await call((signal) =>
      opts.octokit.rest.repos.createDeployment({
        owner: opts.owner,
        repo: opts.repo,
        ref: opts.sha,
        environment: opts.environment,
        auto_merge: false,
        required_contexts: [],
        description: `Canary rollout of ${report.images.canary ?? 'a new image'} to ${report.target.namespace}/${report.target.deployment}`.slice(0, 140),
        payload: payload as unknown as Record<string, unknown>,
        request: { signal },
      }),
    );
    // 202 means GitHub merged the default branch first (auto_merge), which we turned off.
    const id = (created.data as { id?: number }).id;
    if (id === undefined) throw new Error(`GitHub did not create a deployment: ${(created.data as { message?: string }).message ?? 'no id'}`);
    deploymentId = id;
    return id;
  }

  async function send(report: Readonly<RolloutReport>): Promise<void> {
    if (disabled) return;
    const state = deploymentState(report);
    if (state === lastState) return;
    // A no-op run deploys nothing: no deployment is created for it.
    if (report.result === 'noop' && deploymentId === undefined) return;
    try {
      const id = await ensureDeployment(report);
      await call((signal) =>
        opts.octokit.rest.repos.createDeploymentStatus({
          owner: opts.owner,
          repo: opts.repo,
          deployment_id: id,
          state,
          description: renderStatusDescription(report),
          ...(logUrl ? { log_url: logUrl } : {}),
          ...(environmentUrl ? { environment_url: environmentUrl } : {}),
          environment: opts.environment,
          auto_inactive: true,
          request: { signal },
        }),
      );
      lastState = state;
    } catch (err) {
      if (isPermissionError(err)) {
        disabled = true;
        opts.warn(
          `GitHub deployment disabled: GitHub answered ${describeGitHubError(err)}. Grant \`permissions: deployments: write\` ` +
            `(a pull request from a fork gets a read-only token), or leave the environment input empty. The rollout continues.`,
        );
        return;
      }
      throw new Error(`could not update the GitHub deployment (environment ${opts.environment}): ${describeGitHubError(err)}`);
    }
  }

  const sender = new LatestOnly<Readonly<RolloutReport>>(send);
  return {
    name: 'deployment',
    async publish(report) {
      if (disabled) return;
      await sender.submit(report);
    },
  };
}
