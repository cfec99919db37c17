/**
 * The action's main step: one reading of inputs, then the requested mode, outputs on every path,
 * and a record for the post step so that a cancelled or killed run is still rolled back.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import os from 'node:os';
import path from 'node:path';
import { runCanaryGate } from '../app.ts';
import { isTerminal, type RolloutState } from '../rollout/machine.ts';
import type { RunOutcome } from '../rollout/runner.ts';
import { CanaryGateError, errorMessage, errorReason } from '../util/errors.ts';
import { coreLogger } from './core-logger.ts';
import { defaultRunId, githubContext } from './github-context.ts';
import { loadActionConfig } from './inputs.ts';
import { runSchemaCheckMode } from './schema-mode.ts';

export const STATE_RUN = 'canary-gate-run';
export const STATE_FINISHED = 'canary-gate-finished';

/** Output `result` values: promoted | rolled-back | aborted | failed | noop. */
export function setOutcomeOutputs(outcome: RunOutcome): void {
  core.setOutput('result', outcome.result);
  // Share of traffic on the new image at the end: all of it once promoted, none after a rollback.
  core.setOutput('final-weight', String(outcome.result === 'promoted' ? 100 : outcome.weight));
  core.setOutput('canary-name', outcome.canary);
  core.setOutput('reason', outcome.reason ?? '');
  core.setOutput('message', outcome.message);
}

/** Whether the job should fail for this outcome in this mode. */
export function jobFails(mode: string, outcome: RunOutcome): boolean {
  switch (mode) {
    case 'rollout':
    case 'promote':
      return outcome.result !== 'promoted' && outcome.result !== 'noop';
    case 'abort':
      return outcome.result === 'failed';
    default:
      return false;
  }
}

/** The runner's state file can be missing outside Actions; losing it only disables the post step. */
function saveStateSafely(name: string, value: string): void {
  try {
    core.saveState(name, value);
  } catch (err) {
    core.warning(`Could not record ${name} for the post step: ${errorMessage(err)}`);
  }
}

export async function runMain(): Promise<void> {
  const log = coreLogger();
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      core.warning(`${signal} received again: the rollback is still running and will finish.`);
      return;
    }
    core.warning(`${signal} received: stopping the rollout and rolling back.`);
    controller.abort(new CanaryGateError('cancelled', `the run was cancelled (${signal})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let lastState: RolloutState | undefined;
  try {
    const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const { config, secrets } = loadActionConfig({ getInput: (n) => core.getInput(n), setSecret: (s) => core.setSecret(s), cwd, info: (m) => core.info(m) });
    const c = config.base;
    if (c.mode === 'check') {
      const failed = await runSchemaCheckMode(config, { cwd, log, env: process.env });
      if (failed) core.setFailed('The schema compatibility check blocked this change (see the findings above).');
      return;
    }
    const runId = c['run-id'] ?? defaultRunId(process.env);
    const reportPath = c['report-path'] ?? path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), `canary-gate-${runId}.json`);
    config.base = { ...c, 'report-path': reportPath };
    // Job summaries exist only on a runner; elsewhere the sink could only warn.
    if (!process.env.GITHUB_STEP_SUMMARY) config.notify = { ...config.notify, summary: false };
    // Outside a workflow run (local runs, the demo) there is no repository to comment on.
    if (!process.env.GITHUB_REPOSITORY) config.notify = { ...config.notify, 'pr-comment': false, 'commit-status': false };
    core.setOutput('report-path', reportPath);
    core.setOutput('canary-name', `${c.deployment ?? ''}-canary`);
    // Before any cluster write: the post step needs the run id to finish what this step started.
    saveStateSafely(STATE_RUN, JSON.stringify({ runId }));
    const outcome = await runCanaryGate(config, secrets, {
      runId,
      log,
      core,
      env: process.env,
      github: githubContext(process.env, secrets['github-token'], github.context.payload),
      signal: controller.signal,
      onState: (s) => {
        lastState = s;
      },
    });
    setOutcomeOutputs(outcome);
    const summary = `Canary Gate: ${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''} — ${outcome.message}`;
    if (jobFails(c.mode, outcome)) core.setFailed(summary);
    else core.info(summary);
  } catch (err) {
    core.setOutput('result', 'failed');
    core.setOutput('reason', errorReason(err));
    core.setOutput('message', errorMessage(err));
    core.setFailed(errorMessage(err));
  } finally {
    // Only a run that left nothing in flight is finished; otherwise the post step rolls back.
    if (!lastState || isTerminal(lastState.phase)) saveStateSafely(STATE_FINISHED, 'true');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
