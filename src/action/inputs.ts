import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildConfig, type Config } from '../config/index.ts';
import { readInputs, type Secrets } from '../config/load.ts';
import { InputError } from '../util/errors.ts';

export const DEFAULT_CONFIG_FILE = '.github/canary.yml';

/**
 * Reads every input once (through `getInput`), masks the secrets, reads the config file, and
 * returns the validated Config. Throws a CanaryGateError('invalid-input') naming the field.
 */
export function loadActionConfig(opts: {
  getInput: (name: string) => string;
  setSecret: (value: string) => void;
  cwd: string;
}): { config: Config; secrets: Secrets } {
  const { values, secrets } = readInputs(opts.getInput);
  for (const value of Object.values(secrets)) {
    if (!value) continue;
    opts.setSecret(value);
    // A kubeconfig's embedded tokens and keys are secrets on their own too — block style, flow
    // style ({token: x}) and JSON ("token": "x").
    for (const m of value.matchAll(/["']?\b(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token)["']?\s*:\s*["']?([^\s"',}\]]+)/g)) {
      if (m[2] && m[2].length >= 4) opts.setSecret(m[2]);
    }
  }
  const explicitFile = opts.getInput('config-file').trim();
  const fileName = explicitFile || DEFAULT_CONFIG_FILE;
  const filePath = path.resolve(opts.cwd, fileName);
  let fileText: string | undefined;
  if (existsSync(filePath)) fileText = readFileSync(filePath, 'utf8');
  else if (explicitFile) throw new InputError('config-file', `${fileName} does not exist (relative to ${opts.cwd}); check the path or remove the input`);
  const prometheusUrl = opts.getInput('prometheus-url').trim();
  const config = buildConfig({
    inputs: values,
    secrets,
    ...(prometheusUrl ? { prometheusUrl } : {}),
    ...(fileText !== undefined ? { fileText, fileName } : {}),
  });
  return { config, secrets };
}
