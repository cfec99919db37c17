import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CanaryGateError, InputError } from '../util/errors.ts';
import { baseConfigSchema, type BaseConfig } from './schema.ts';

/** Inputs that hold secrets: read separately, masked at once, never part of the config file. */
export const SECRET_INPUTS = [
  'kubeconfig',
  'github-token',
  'slack-webhook',
  'slack-bot-token',
  'prometheus-token',
  'datadog-api-key',
  'datadog-app-key',
] as const;
export type SecretName = (typeof SECRET_INPUTS)[number];
export type Secrets = Partial<Record<SecretName, string>>;

/** Inputs that map one-to-one onto config keys (action.yml declares each of them). */
export const CONFIG_INPUTS = [
  'mode',
  'namespace',
  'deployment',
  'image',
  'container',
  'context',
  'router',
  'steps',
  'step-weight',
  'max-weight',
  'settle-time',
  'analysis-interval',
  'step-timeout',
  'ready-timeout',
  'timeout',
  'canary-replicas',
  'rollback',
  'canary-cleanup',
  'lease-duration',
  'run-id',
  'report-path',
] as const;

export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Parses the config file text. Bounded: size, and YAML aliases (an alias bomb expands
 * exponentially; the yaml library refuses past maxAliasCount).
 */
export function parseConfigFile(text: string, fileName: string): Record<string, unknown> {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw new InputError(fileName, `is larger than ${MAX_CONFIG_BYTES / 1024} KiB; a canary config is a few dozen lines — check the path`);
  }
  let doc: unknown;
  try {
    // logLevel error: warnings (unknown tags, directives) must not go to process.emitWarning.
    doc = parseYaml(text, { maxAliasCount: 50, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InputError(fileName, `is not valid YAML: ${reason}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError(fileName, 'must be a YAML mapping of keys (mode, deployment, steps, metrics, ...), not a list or a scalar');
  }
  return doc as Record<string, unknown>;
}

/** Collects the non-empty inputs through the given reader (core.getInput in the action). */
export function readInputs(getInput: (name: string) => string): { values: Record<string, string>; secrets: Secrets } {
  const values: Record<string, string> = {};
  for (const name of CONFIG_INPUTS) {
    const v = getInput(name).trim();
    if (v !== '') values[name] = v;
  }
  const secrets: Secrets = {};
  for (const name of SECRET_INPUTS) {
    const v = getInput(name);
    if (v.trim() !== '') secrets[name] = v;
  }
  return { values, secrets };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], fileName: string | undefined): string {
  const lines = issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const where = path === '' ? (fileName ?? 'configuration') : isInputName(path) ? `input '${path}'` : `${fileName ?? 'config file'} key '${path}'`;
    const message = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}: check the spelling against action.yml / README` : issue.message;
    return `- ${where}: ${message}`;
  });
  return `Invalid configuration (nothing was changed in the cluster):\n${lines.join('\n')}`;
}

function isInputName(path: string): boolean {
  return (CONFIG_INPUTS as readonly string[]).includes(path);
}

/** Inputs override the file; the merged object is validated once. */
export function buildBaseConfig(opts: {
  inputs: Record<string, string>;
  file?: Record<string, unknown>;
  fileName?: string;
}): BaseConfig {
  const merged: Record<string, unknown> = { ...(opts.file ?? {}), ...opts.inputs };
  const result = baseConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new CanaryGateError('invalid-input', formatIssues(result.error.issues, opts.fileName));
  }
  return result.data;
}
