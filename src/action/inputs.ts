import { existsSync, readFileSync } from 'node:fs';
import { buildConfig, type Config } from '../config/index.ts';
import { readInputs, type Secrets } from '../config/load.ts';
import { webhookProblem } from '../config/checks.ts';
import { resolveConfigFile } from '../config/from-inputs.ts';
import { kubeconfigText } from '../kube/client.ts';
import { CanaryGateError } from '../util/errors.ts';

/**
 * Reads every input once (through `getInput`), masks the secrets, reads the config file, and
 * returns the validated Config. Throws a CanaryGateError('invalid-input') naming the field.
 */
export function loadActionConfig(opts: {
  getInput: (name: string) => string;
  setSecret: (value: string) => void;
  cwd: string;
  /** Where notify.slack's webhook-env / bot-token-env are looked up (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Says which config file was read, or that none was. */
  info?: (line: string) => void;
}): { config: Config; secrets: Secrets } {
  const { values, secrets } = readInputs(opts.getInput);
  for (const [name, value] of Object.entries(secrets)) {
    if (!value) continue;
    opts.setSecret(value);
    // A kubeconfig's embedded tokens and keys are secrets on their own too — block style, flow
    // style ({token: x}) and JSON ("token": "x").
    // A base64 kubeconfig is decoded by the client, so its tokens are masked decoded as well.
    const texts = name === 'kubeconfig' ? [value, kubeconfigText(value.trim())] : [value];
    for (const m of texts.flatMap((t) => [...t.matchAll(/["']?\b(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token)["']?\s*:\s*["']?([^\s"',}\]]+)/g)])) {
      if (m[2] && m[2].length >= 4) opts.setSecret(m[2]);
    }
  }
  const configFile = resolveConfigFile(opts.getInput('config-file'), opts.cwd, existsSync);
  opts.info?.(configFile.note);
  const fileName = configFile.name;
  const fileText = configFile.path ? readFileSync(configFile.path, 'utf8') : undefined;
  const prometheusUrl = opts.getInput('prometheus-url').trim();
  const config = buildConfig({
    inputs: values,
    secrets,
    ...(prometheusUrl ? { prometheusUrl } : {}),
    ...(fileText !== undefined && fileName !== undefined ? { fileText, fileName } : {}),
  });
  resolveSlackFromEnv(config, secrets, opts.env ?? process.env, opts.setSecret);
  return { config, secrets };
}

/**
 * notify.slack names the environment variables (secrets) holding the webhook URL or the bot token;
 * an input of the same kind wins. The values are masked, and a webhook is checked like the input.
 */
function resolveSlackFromEnv(config: Config, secrets: Secrets, env: Record<string, string | undefined>, setSecret: (value: string) => void): void {
  const slack = config.notify.slack;
  if (!slack) return;
  const read = (name: string | undefined): string | undefined => (name ? env[name]?.trim() || undefined : undefined);
  const webhook = secrets['slack-webhook'] ? undefined : read(slack['webhook-env']);
  if (webhook) {
    setSecret(webhook);
    const problem = webhookProblem(webhook, `environment variable ${slack['webhook-env']} (notify.slack.webhook-env)`);
    if (problem) throw new CanaryGateError('invalid-input', `Invalid configuration (nothing was changed in the cluster):\n- ${problem}`);
    secrets['slack-webhook'] = webhook;
  }
  const token = secrets['slack-bot-token'] ? undefined : read(slack['bot-token-env']);
  if (token) {
    setSecret(token);
    secrets['slack-bot-token'] = token;
  }
}
