/**
 * The post step (post-if: always()): when the main step did not finish — cancelled, killed, or it
 * crashed mid-rollout — read the rollout state and roll back what that run started. It has the same
 * GitHub context as the main step, so the reports that run began (the pending commit status, the PR
 * comment) end with the rollback's result instead of staying pending.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { runCanaryGate } from '../app.ts';
import { outcomeLine } from '../exit-status.ts';
import { errorMessage } from '../util/errors.ts';
import { coreLogger } from './core-logger.ts';
import { githubContext } from './github-context.ts';
import { readActionConfig } from './read-config.ts';
import { STATE_FINISHED, STATE_RUN } from './run-main.ts';

export async function runPost(): Promise<void> {
  const log = coreLogger();
  if (core.getState(STATE_FINISHED) === 'true') {
    core.info('Canary Gate: the main step finished; nothing to clean up.');
    return;
  }
  const saved = core.getState(STATE_RUN);
  if (!saved) {
    core.info('Canary Gate: the main step stopped before touching the cluster; nothing to clean up.');
    return;
  }
  try {
    const { runId } = JSON.parse(saved) as { runId: string };
    const { config, secrets, cwd } = readActionConfig('action-post');
    core.warning(`Canary Gate: the main step did not finish (cancelled or killed); rolling back run ${runId}.`);
    const outcome = await runCanaryGate(config, secrets, {
      runId,
      cwd,
      log,
      core,
      env: process.env,
      github: githubContext(process.env, secrets['github-token'], github.context.payload),
      cleanupOfCancelledRun: true,
    });
    const line = `Canary Gate post step: ${outcomeLine(outcome)}`;
    if (outcome.result === 'failed') core.setFailed(line);
    else core.warning(line);
  } catch (err) {
    core.setFailed(`Canary Gate post step could not roll back: ${errorMessage(err)}`);
  }
}
