/**
 * From flat key/values — the action's inputs or the CLI's flags, both named as in action.yml — to
 * the typed Config: secrets read and masked first, the config file resolved and read, then
 * `buildConfig`. The entry points only say where the values come from; nothing here knows whether
 * it runs in a workflow (that is `adaptToEnvironment`, config/environment.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kubeconfigText } from '../kube/client.ts';
import { CanaryGateError, InputError } from '../util/errors.ts';
import { webhookProblem } from './checks.ts';
import { buildConfig, type Config } from './index.ts';
import { DEFAULT_CONFIG_FILE, readInputs, type Secrets } from './load.ts';

export { DEFAULT_CONFIG_FILE };

/** Which config file a run reads: the named one (must exist), or the default one if it exists. */
export function resolveConfigFile(input: string, cwd: string, exists: (file: string) => boolean): { path?: string; name?: string; note: string } {
  const named = input.trim();
  if (named) {
    const file = path.resolve(cwd, named);
    if (!exists(file)) throw new InputError('config-file', `${named} does not exist (relative to ${cwd}); check the path, or remove the input to use ${DEFAULT_CONFIG_FILE} when it exists`);
    return { path: file, name: named, note: `Config file: ${named} (input config-file).` };
  }
  const file = path.resolve(cwd, DEFAULT_CONFIG_FILE);
  if (exists(file)) return { path: file, name: DEFAULT_CONFIG_FILE, note: `Config file: ${DEFAULT_CONFIG_FILE} (the default).` };
  return { note: `Config file: none — ${DEFAULT_CONFIG_FILE} does not exist and config-file is not set; the inputs alone configure this run.` };
}

/** Reads one input by its action.yml name; '' when it was not given (as `core.getInput`). */
export type InputReader = (name: string) => string;

/**
 * A reader that treats an input still holding a `${{ … }}` expression as not set, and says so: a
 * GitHub runner evaluates every expression before the step starts, so such a value comes from a
 * runner that did not (a local one) — e.g. `github-token: ${{ github.token }}` is no token, and
 * using it would only make every GitHub call fail.
 */
function withoutUnevaluatedExpressions(input: InputReader, warn: (line: string) => void): InputReader {
  return (name) => {
    const value = input(name);
    if (!/\$\{\{[^}]*\}\}/.test(value)) return value;
    warn(`Input ${name} holds an expression the runner did not evaluate (${'$'}{{ … }}); it is treated as not set.`);
    return '';
  };
}

/** An InputReader over a plain record (CLI flags, tests). */
export function readerOf(values: Record<string, string | undefined>): InputReader {
  return (name) => values[name] ?? '';
}

/**
 * Every value to mask for one secret input: the value itself and, for a kubeconfig, the tokens and
 * keys inside it — block style, flow style ({token: x}) and JSON ("token": "x"), and decoded when
 * the kubeconfig came base64-encoded (the client decodes it).
 */
function secretValuesToMask(name: string, value: string): string[] {
  const out = [value];
  const texts = name === 'kubeconfig' ? [value, kubeconfigText(value.trim())] : [value];
  for (const m of texts.flatMap((t) => [...t.matchAll(/["']?\b(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token)["']?\s*:\s*["']?([^\s"',}\]]+)/g)])) {
    if (m[2] && m[2].length >= 4) out.push(m[2]);
  }
  return out;
}

/**
 * Reads every input once, masks the secrets (before anything could print them), reads the config
 * file and returns the validated Config. Throws a CanaryGateError('invalid-input') naming the field.
 */
export function configFromInputs(opts: {
  input: InputReader;
  /** The repository root: the config file is relative to it. */
  cwd: string;
  /** Where notify.slack's webhook-env / bot-token-env are looked up. */
  env: Record<string, string | undefined>;
  maskSecret: (value: string) => void;
  /** Says which config file was read, or that none was. */
  info?: (line: string) => void;
  /** Says which inputs were ignored (unevaluated expressions). */
  warn?: (line: string) => void;
}): { config: Config; secrets: Secrets } {
  const input = withoutUnevaluatedExpressions(opts.input, opts.warn ?? opts.info ?? (() => {}));
  const { values, secrets } = readInputs(input);
  for (const [name, value] of Object.entries(secrets)) {
    if (value) for (const s of secretValuesToMask(name, value)) opts.maskSecret(s);
  }
  const configFile = resolveConfigFile(input('config-file'), opts.cwd, existsSync);
  opts.info?.(configFile.note);
  const fileText = configFile.path ? readFileSync(configFile.path, 'utf8') : undefined;
  const prometheusUrl = input('prometheus-url').trim();
  const slackChannel = input('slack-channel').trim();
  const config = buildConfig({
    inputs: values,
    secrets,
    ...(prometheusUrl ? { prometheusUrl } : {}),
    ...(slackChannel ? { slackChannel } : {}),
    ...(fileText !== undefined && configFile.name !== undefined ? { fileText, fileName: configFile.name } : {}),
  });
  return { config, secrets: { ...secrets, ...slackSecretsFromEnv(config, secrets, opts.env, opts.maskSecret) } };
}

/**
 * notify.slack names the environment variables (secrets) holding the webhook URL or the bot token;
 * an input of the same kind wins. The values are masked, and a webhook is checked like the input.
 */
function slackSecretsFromEnv(config: Config, secrets: Secrets, env: Record<string, string | undefined>, maskSecret: (value: string) => void): Secrets {
  const slack = config.notify.slack;
  if (!slack) return {};
  const read = (name: string | undefined): string | undefined => (name ? env[name]?.trim() || undefined : undefined);
  const found: Secrets = {};
  const webhook = secrets['slack-webhook'] ? undefined : read(slack['webhook-env']);
  if (webhook) {
    maskSecret(webhook);
    const problem = webhookProblem(webhook, `environment variable ${slack['webhook-env']} (notify.slack.webhook-env)`);
    if (problem) throw new CanaryGateError('invalid-input', `Invalid configuration (nothing was changed in the cluster):\n- ${problem}`);
    found['slack-webhook'] = webhook;
  }
  const token = secrets['slack-bot-token'] ? undefined : read(slack['bot-token-env']);
  if (token) {
    maskSecret(token);
    found['slack-bot-token'] = token;
  }
  return found;
}
