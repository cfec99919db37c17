/**
 * Builds the enabled report sinks from the validated `notify:` config and what the entry point
 * knows (token, repository, commit, PR, secrets). Every secret it is given is masked first.
 */
import { getOctokit } from '@actions/github';
import type { ReportSink } from '../rollout/report.ts';
import { createAnnotationsSink } from './annotations.ts';
import { createCheckRunSink } from './check-run.ts';
import type { AnnotationWriter } from './annotations.ts';
import { createCommitStatusSink } from './commit-status.ts';
import type { NotifyConfig } from './config.ts';
import { createDeploymentSink } from './deployment.ts';
import type { GitHubCallOptions } from './github-errors.ts';
import { createJobSummarySink } from './job-summary.ts';
import type { SummaryWriter } from './job-summary.ts';
import { createJsonFileSink } from './json-file.ts';
import { createPrCommentSink } from './pr-comment.ts';
import { createSlackSink } from './slack.ts';
import type { SlackSinkOptions } from './slack.ts';

/** The subset of `@actions/core` the sinks use. */
export interface NotifyCore extends AnnotationWriter {
  setSecret(secret: string): void;
  summary: SummaryWriter;
}

export interface CreateSinksOptions {
  config: NotifyConfig;
  github: {
    token?: string;
    owner: string;
    repo: string;
    sha: string;
    prNumber?: number;
    runUrl?: string;
    /** REST base URL (GITHUB_API_URL on GHES; a local fake in tests). */
    apiUrl?: string;
    /** The workflow file (from GITHUB_WORKFLOW_REF), where check-run annotations point. */
    workflowPath?: string;
  };
  /** A GitHub Deployment in this environment (the environment input); none when absent. */
  deployment?: { environment: string; environmentUrl?: string };
  slack: { webhookUrl?: string; botToken?: string; channel?: string; apiUrl?: string };
  /** The Slack bot message that tracks the rollout, once posted (for the slack-ts / slack-channel outputs). */
  onSlackMessage?: (message: { channel: string; ts: string }) => void;
  /** Overrides config['report-path'] (e.g. from the action input). */
  reportPath?: string;
  core: NotifyCore;
  warn: (msg: string) => void;
  info?: (msg: string) => void;
  /** Test seams: retry/sleep behaviour of the HTTP sinks. */
  githubCall?: GitHubCallOptions;
  slackOverrides?: Partial<Pick<SlackSinkOptions, 'sleep' | 'fetch' | 'timeoutMs' | 'attempts'>>;
}

export function createSinks(opts: CreateSinksOptions): ReportSink[] {
  const { config, github, slack } = opts;
  for (const secret of [github.token, slack.webhookUrl, slack.botToken]) {
    if (secret) opts.core.setSecret(secret);
  }
  // Each sink warns on its own; the prefix says which one without exposing anything secret.
  const sinks: ReportSink[] = [];

  const reportPath = opts.reportPath ?? config['report-path'];
  if (reportPath) sinks.push(createJsonFileSink({ path: reportPath }));
  if (config.summary) sinks.push(createJobSummarySink({ summary: opts.core.summary }));
  if (config.annotations) sinks.push(createAnnotationsSink({ core: opts.core }));

  const wantsGitHub = config['pr-comment'] || config['check-run'] || config['commit-status'] || opts.deployment !== undefined;
  if (wantsGitHub && !github.token) {
    opts.warn('No GitHub token was given: the pull-request comment, the check run, the commit status and the deployment are skipped (pass github-token).');
  } else if (wantsGitHub && github.token) {
    const octokit = getOctokit(github.token, github.apiUrl ? { baseUrl: github.apiUrl } : {});
    if (config['pr-comment']) {
      sinks.push(
        createPrCommentSink({
          octokit,
          owner: github.owner,
          repo: github.repo,
          prNumber: github.prNumber,
          sha: github.sha,
          warn: opts.warn,
          info: opts.info,
          call: opts.githubCall,
        }),
      );
    }
    if (config['check-run']) {
      sinks.push(
        createCheckRunSink({
          octokit,
          owner: github.owner,
          repo: github.repo,
          sha: github.sha,
          ...(github.runUrl ? { detailsUrl: github.runUrl } : {}),
          ...(github.workflowPath ? { workflowPath: github.workflowPath } : {}),
          warn: opts.warn,
          call: opts.githubCall,
        }),
      );
    }
    if (opts.deployment) {
      sinks.push(
        createDeploymentSink({
          octokit,
          owner: github.owner,
          repo: github.repo,
          sha: github.sha,
          environment: opts.deployment.environment,
          ...(opts.deployment.environmentUrl ? { environmentUrl: opts.deployment.environmentUrl } : {}),
          ...(github.runUrl ? { logUrl: github.runUrl } : {}),
          warn: opts.warn,
          call: opts.githubCall,
        }),
      );
    }
    if (config['commit-status']) {
      sinks.push(
        createCommitStatusSink({
          octokit,
          owner: github.owner,
          repo: github.repo,
          sha: github.sha,
          ...(github.runUrl ? { targetUrl: github.runUrl } : {}),
          warn: opts.warn,
          call: opts.githubCall,
        }),
      );
    }
  }

  if (config.slack) {
    const channel = slack.channel ?? config.slack.channel;
    if (slack.botToken && channel) {
      sinks.push(createSlackSink({ botToken: slack.botToken, channel, ...(opts.onSlackMessage ? { onMessage: opts.onSlackMessage } : {}), ...slackCommon(opts) }));
    } else if (slack.webhookUrl) {
      sinks.push(createSlackSink({ webhookUrl: slack.webhookUrl, ...slackCommon(opts) }));
    } else {
      const name = config.slack['bot-token-env'] ?? config.slack['webhook-env'];
      opts.warn(`Slack is configured but the environment variable ${name} is empty or unset; Slack notifications are skipped.`);
    }
  }
  return sinks;
}

function slackCommon(opts: CreateSinksOptions): Omit<SlackSinkOptions, 'webhookUrl' | 'botToken' | 'channel'> {
  return { ...(opts.slack.apiUrl ? { apiUrl: opts.slack.apiUrl } : {}), warn: opts.warn, ...opts.slackOverrides };
}
