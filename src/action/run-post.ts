/**
 * The post step (post-if: always()): when the main step did not finish — cancelled, killed, or it
 * crashed mid-rollout — read the rollout state and roll back what that run started.
 */
import * as core from '@actions/core';
import { runCanaryGate } from '../app.ts';
import { errorMessage } from '../util/errors.ts';
import { coreLogger } from './core-logger.ts';
import { loadActionConfig } from './inputs.ts';
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
    const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const { config, secrets } = loadActionConfig({ getInput: (n) => core.getInput(n), setSecret: (s) => core.setSecret(s), cwd, info: (m) => core.info(m) });
    config.base = { ...config.base, mode: 'abort' };
    core.warning(`Canary Gate: the main step did not finish (cancelled or killed); rolling back run ${runId}.`);
    const outcome = await runCanaryGate(config, secrets, { runId, log, core, env: process.env, cleanupOfCancelledRun: true });
    const line = `Canary Gate post step: ${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''} — ${outcome.message}`;
    if (outcome.result === 'failed') core.setFailed(line);
    else core.warning(line);
  } catch (err) {
    core.setFailed(`Canary Gate post step could not roll back: ${errorMessage(err)}`);
  }
}
