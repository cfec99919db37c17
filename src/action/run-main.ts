/**
 * The action's main step: one reading of inputs, then the requested mode, outputs on every path,
 * and a record for the post step so that a cancelled or killed run is still rolled back.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { runCanaryGate, runSchemaCheckMode } from '../app.ts';
import type { Config } from '../config/index.ts';
import { outcomeLine, runFailed } from '../exit-status.ts';
import { isTerminal, type RolloutState } from '../rollout/machine.ts';
import type { RunOutcome } from '../rollout/runner.ts';
import { CanaryGateError, errorMessage, errorReason } from '../util/errors.ts';
import { coreLogger } from './core-logger.ts';
import { githubContext } from './github-context.ts';
import { readActionConfig } from './read-config.ts';

export const STATE_RUN = 'canary-gate-run';
export const STATE_FINISHED = 'canary-gate-finished';

/** Output `result` values: promoted | rolled-back | aborted | failed | noop. */
function setOutcomeOutputs(outcome: RunOutcome): void {
  core.setOutput('result', outcome.result);
  // Share of traffic on the new image at the end: all of it once promoted, none after a rollback.
  core.setOutput('final-weight', String(outcome.result === 'promoted' ? 100 : outcome.weight));
  core.setOutput('canary-name', outcome.canary);
  core.setOutput('reason', outcome.reason ?? '');
  core.setOutput('message', outcome.message);
}

/** The runner's state file can be missing outside Actions; losing it only disables the post step. */
function saveStateSafely(name: string, value: string): void {
  try {
    core.saveState(name, value);
  } catch (err) {
    core.warning(`Could not record ${name} for the post step: ${errorMessage(err)}`);
  }
}

/** mode: check — outputs `result` (pass | warn | block) and `report-path`, the findings in the job summary. */
async function checkMode(config: Config, cwd: string): Promise<void> {
  const outcome = await runSchemaCheckMode(config, { cwd, log: coreLogger(), env: process.env });
  core.info(outcome.summary);
  core.info(outcome.markdown);
  core.setOutput('result', outcome.verdict);
  core.setOutput('report-path', outcome.reportPath ?? '');
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(outcome.markdown).write();
  if (outcome.verdict === 'block') core.setFailed('The schema compatibility check blocked this change (see the findings above).');
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
    const { config, secrets, cwd } = readActionConfig('action-main');
    const c = config.base;
    if (c.mode === 'check') {
      await checkMode(config, cwd);
      return;
    }
    core.setOutput('report-path', c['report-path'] ?? '');
    core.setOutput('canary-name', `${c.deployment ?? ''}-canary`);
    // Before any cluster write: the post step needs the run id to finish what this step started.
    saveStateSafely(STATE_RUN, JSON.stringify({ runId: c['run-id'] }));
    const outcome = await runCanaryGate(config, secrets, {
      runId: c['run-id'] ?? '',
      cwd,
      log,
      core,
      env: process.env,
      github: githubContext(process.env, secrets['github-token'], github.context.payload),
      signal: controller.signal,
      onState: (s) => {
        lastState = s;
      },
      // Later steps can thread replies under the rollout's Slack message or update it.
      onSlackMessage: (m) => {
        core.setOutput('slack-channel', m.channel);
        core.setOutput('slack-ts', m.ts);
      },
    });
    setOutcomeOutputs(outcome);
    const summary = `Canary Gate: ${outcomeLine(outcome)}`;
    if (runFailed(c.mode, outcome)) core.setFailed(summary);
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
