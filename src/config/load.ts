import { readConfigFile } from './sources.ts';

/**
 * The config file read when the `config-file` input is not set. It is optional; a file the user
 * names is required. action.yml declares no `default:` for the input: a runner passes a declared
 * default as if the user had typed it, and the two could then not be told apart.
 */
export const DEFAULT_CONFIG_FILE = '.github/canary.yml';

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
  'on-inconclusive',
  'ready-timeout',
  'timeout',
  'canary-replicas',
  'rollback',
  'canary-cleanup',
  'lease-duration',
  'run-id',
  'report-path',
  'environment',
  'environment-url',
] as const;

export { MAX_CONFIG_BYTES } from './sources.ts';

/** Parses the config file text into its values (see readConfigFile for the bounds). */
export function parseConfigFile(text: string, fileName: string): Record<string, unknown> {
  return readConfigFile(text, fileName).values;
}

const secretInFile = (name: string, secret: string) =>
  `is a secret and exists only as an action input: remove it from this file (a file in the repository is no place for a credential) and pass it under with:, e.g. ${name}: \${{ secrets.${secret} }}`;

/**
 * Keys a user may write in the file by analogy with the inputs, but which only exist as inputs —
 * refused with the reason and the fix instead of "unknown key" (or, worse, silently ignored).
 */
export const INPUT_ONLY_IN_FILE: Readonly<Record<string, string>> = {
  kubeconfig: secretInFile('kubeconfig', 'KUBECONFIG'),
  'github-token': secretInFile('github-token', 'GITHUB_TOKEN'),
  'slack-webhook': `${secretInFile('slack-webhook', 'SLACK_WEBHOOK')} (or name the variable in notify.slack.webhook-env)`,
  'slack-bot-token': `${secretInFile('slack-bot-token', 'SLACK_BOT_TOKEN')} (or name the variable in notify.slack.bot-token-env)`,
  'prometheus-token': `${secretInFile('prometheus-token', 'PROMETHEUS_TOKEN')} (or name the variable in providers.<name>.bearer-token-env)`,
  'datadog-api-key': secretInFile('datadog-api-key', 'DD_API_KEY'),
  'datadog-app-key': secretInFile('datadog-app-key', 'DD_APP_KEY'),
  'prometheus-url':
    'exists only as an action input (a shortcut); in this file write providers: { prometheus: { type: prometheus, address: http://prometheus.monitoring:9090 } }, or pass prometheus-url under with:',
  'slack-channel': 'exists only as an action input; in this file write notify: { slack: { channel: C0123456789 } }, or pass slack-channel under with:',
  'config-file': 'names this file, so it exists only as an action input: remove it here (pass config-file under with: to read another file)',
};

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
