import * as core from '@actions/core';
import os from 'node:os';
import type { Config } from '../config/index.ts';
import { adaptToEnvironment, type EntryPoint } from '../config/environment.ts';
import { configFromInputs } from '../config/from-inputs.ts';
import type { Secrets } from '../config/load.ts';

/** The step's Config: its inputs through `configFromInputs`, secrets masked, adapted to the job. */
export function readActionConfig(entry: Extract<EntryPoint, 'action-main' | 'action-post'>): { config: Config; secrets: Secrets; cwd: string } {
  const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const { config, secrets } = configFromInputs({
    input: (name) => core.getInput(name),
    cwd,
    env: process.env,
    maskSecret: (s) => core.setSecret(s),
    info: (line) => core.info(line),
    warn: (line) => core.warning(line),
  });
  const localRunId = `local-${process.pid}-${Date.now().toString(36)}`;
  return { config: adaptToEnvironment(config, { entry, vars: process.env, tmpDir: os.tmpdir(), localRunId }), secrets, cwd };
}
