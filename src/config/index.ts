/**
 * The one reading of inputs: action inputs + the optional config file → one validated `Config`.
 * Nothing below the entry points reads inputs or the environment for settings.
 *
 * Every section is checked and every problem reported at once, each naming where the value came
 * from (`input 'steps'` or `.github/canary.yml:4 key 'steps'`), what is wrong and what to write.
 */
import { metricsConfigSchema, type MetricsConfig } from '../metrics/config.ts';
import { NotifyConfigSchema, type NotifyConfig } from '../notify/config.ts';
import { schemaConfigSchema, type SchemaConfig } from '../schema/config-schema.ts';
import { parseRouterConfig, routerConfigSchema, type RouterKind, type RouterOptions } from '../traffic/config.ts';
import { crossChecks, urlProblem } from './checks.ts';
import { DEFAULT_CONFIG_FILE, INPUT_ONLY_IN_FILE, type Secrets } from './load.ts';
import { configError, problemsFromIssues, secretLeaves, type ConfigProblem } from './problems.ts';
import { baseConfigSchema, type BaseConfig } from './schema.ts';
import { readConfigFile, type KeyPath } from './sources.ts';

export interface Config {
  base: BaseConfig;
  routing: { kind: RouterKind; options: RouterOptions };
  metrics: MetricsConfig;
  notify: NotifyConfig;
  /** The `schema:` section: the schema/config compatibility gate, when configured. */
  schema?: SchemaConfig;
  configFile?: string;
}

/** Environment variable names under which input secrets reach the metric providers. */
export const PROMETHEUS_TOKEN_ENV = 'CANARY_GATE_PROMETHEUS_TOKEN';

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function buildConfig(opts: {
  inputs: Record<string, string>;
  /** Extra inputs that shape sections rather than keys (prometheus-url, slack-channel). */
  prometheusUrl?: string;
  slackChannel?: string;
  secrets: Secrets;
  fileText?: string;
  fileName?: string;
}): Config {
  const file = opts.fileText !== undefined ? readConfigFile(opts.fileText, opts.fileName ?? 'config file') : undefined;
  const fileValues: Record<string, unknown> = { ...(file?.values ?? {}) };
  const problems: ConfigProblem[] = [];

  // Keys that only exist as inputs (secrets, the file's own path, the Prometheus shortcut).
  for (const key of Object.keys(fileValues)) {
    const why = INPUT_ONLY_IN_FILE[key];
    if (why === undefined) continue;
    problems.push({ path: [key], message: why, inFile: true });
    delete fileValues[key];
  }

  const merged: Record<string, unknown> = { ...fileValues, ...opts.inputs };
  const baseResult = baseConfigSchema.safeParse(merged);
  if (!baseResult.success) problems.push(...problemsFromIssues(baseResult.error.issues, { raw: merged, schema: baseConfigSchema }));

  const routing = parseRouting(merged, opts.inputs.router, problems);
  const metrics = parseMetrics(fileValues, opts, problems);
  const notify = parseNotify(merged.notify, opts.secrets, opts.slackChannel, problems);
  const schema = parseSchema(merged.schema, problems);

  const base = baseResult.success ? baseResult.data : undefined;
  if (base && notify) {
    const fromNotify = notify['report-path'];
    if (fromNotify !== undefined && base['report-path'] !== undefined && fromNotify !== base['report-path']) {
      problems.push({ path: ['notify', 'report-path'], message: `conflicts with report-path ${JSON.stringify(base['report-path'])}; keep one of the two (the top-level report-path, or the input)` });
    } else if (fromNotify !== undefined) base['report-path'] = fromNotify;
  }
  if (base?.mode === 'check' && !schema && merged.schema === undefined) {
    problems.push({ path: ['schema'], message: `mode check needs a schema: section in ${opts.fileName ?? DEFAULT_CONFIG_FILE}; add at least schema: { dir: db/migrations } (the migrations directory)` });
  }

  if (problems.length > 0 || !base || !routing || !metrics || !notify) {
    const given = Object.fromEntries(
      [...Object.keys(opts.inputs), ...Object.keys(opts.secrets), ...(opts.prometheusUrl ? ['prometheus-url'] : [])].map((k) => [k, '(given)']),
    );
    throw configError(problems, {
      inputs: given,
      ...(file ? { file } : {}),
      aliases: [
        { path: ['routing', 'router'], input: 'router' },
        ...(opts.prometheusUrl ? [{ path: (isMapping(fileValues.providers) ? ['providers', 'prometheus', 'address'] : ['providers', 'prometheus']) as KeyPath, input: 'prometheus-url' }] : []),
        ...(isMapping(merged.notify) && merged.notify.slack !== undefined ? [] : [{ path: ['notify', 'slack'] as KeyPath, input: 'slack-webhook' }]),
      ],
      secrets: [
        ...Object.values(opts.secrets).filter((s): s is string => typeof s === 'string'),
        ...secretLeaves(file?.values ?? {}),
        ...secretLeaves(opts.inputs),
        ...(opts.prometheusUrl ? secretLeaves(opts.prometheusUrl) : []),
      ],
    });
  }
  return {
    base,
    routing,
    metrics,
    notify,
    ...(schema ? { schema } : {}),
    configFile: opts.fileName,
  };
}

/** routing: from the file, with the router input (or a top-level router:) filling routing.router. */
function parseRouting(merged: Record<string, unknown>, routerInput: string | undefined, problems: ConfigProblem[]): Config['routing'] | undefined {
  if (merged.routing !== undefined && !isMapping(merged.routing)) return undefined; // the base schema reported it
  const raw: Record<string, unknown> = { ...(merged.routing as Record<string, unknown> | undefined) };
  raw.router = routerInput ?? raw.router ?? merged.router ?? 'replicas';
  const result = routerConfigSchema.safeParse(raw);
  if (!result.success) {
    // A bad top-level router is reported by the base schema already.
    const own = problemsFromIssues(result.error.issues, { prefix: ['routing'], raw, schema: routerConfigSchema });
    problems.push(...own.filter((p) => !(p.path[1] === 'router' && (routerInput !== undefined || (merged.routing as Record<string, unknown> | undefined)?.router === undefined))));
    return undefined;
  }
  return parseRouterConfig(raw, 'routing');
}

/**
 * providers: and metrics: from the file; the prometheus-url input is the `prometheus` provider
 * (it overrides that provider's address when the file has one; with other providers in the file
 * it would be ignored, so that is refused).
 */
function parseMetrics(fileValues: Record<string, unknown>, opts: { prometheusUrl?: string; secrets: Secrets }, problems: ConfigProblem[]): MetricsConfig | undefined {
  const fileProviders = fileValues.providers;
  let providers: unknown = fileProviders ?? {};
  const url = opts.prometheusUrl;
  if (url !== undefined) {
    const problem = urlProblem(url, 'http://prometheus.monitoring:9090');
    if (problem) problems.push({ path: ['prometheus-url'], message: problem });
    const token = opts.secrets['prometheus-token'] ? { 'bearer-token-env': PROMETHEUS_TOKEN_ENV } : {};
    if (!isMapping(fileProviders) || Object.keys(fileProviders).length === 0) {
      providers = { prometheus: { type: 'prometheus', address: url, ...token } };
    } else if (isMapping(fileProviders.prometheus)) {
      providers = { ...fileProviders, prometheus: { ...fileProviders.prometheus, address: url, ...token } };
    } else {
      problems.push({
        path: ['prometheus-url'],
        message: `would be ignored: the config file has its own providers: (${Object.keys(fileProviders).join(', ')}) and none is named prometheus; set the address there, or name the provider prometheus so that this input overrides its address`,
      });
    }
  }
  const raw = { providers, metrics: fileValues.metrics ?? [], ...(fileValues['data-plane'] !== undefined ? { 'data-plane': fileValues['data-plane'] } : {}) };
  const noProvider = Array.isArray(raw.metrics) && raw.metrics.length > 0 && (!isMapping(providers) || Object.keys(providers).length === 0);
  if (noProvider) {
    problems.push({ path: ['metrics'], message: 'are configured but there is no provider to query: set the prometheus-url input or add a providers: section' });
  }
  const result = metricsConfigSchema.safeParse(raw);
  if (!result.success) {
    // "provider: is required when providers: has 0 entries" says less than the problem above.
    const issues = result.error.issues.filter((i) => !(noProvider && i.path[i.path.length - 1] === 'provider'));
    problems.push(...problemsFromIssues(issues, { raw, schema: metricsConfigSchema }));
    return undefined;
  }
  if (noProvider) return undefined;
  problems.push(...crossChecks(result.data, opts.secrets));
  return result.data;
}

function parseNotify(raw: unknown, secrets: Secrets, slackChannel: string | undefined, problems: ConfigProblem[]): NotifyConfig | undefined {
  const withSlack = withSlackFromInput(raw, secrets, slackChannel);
  const result = NotifyConfigSchema.safeParse(withSlack);
  if (!result.success) {
    problems.push(...problemsFromIssues(result.error.issues, { prefix: ['notify'], raw: withSlack, schema: NotifyConfigSchema }));
    return undefined;
  }
  return result.data;
}

function parseSchema(raw: unknown, problems: ConfigProblem[]): SchemaConfig | undefined {
  if (raw === undefined) return undefined;
  const result = schemaConfigSchema.safeParse(raw);
  if (!result.success) {
    problems.push(...problemsFromIssues(result.error.issues, { prefix: ['schema'], raw, schema: schemaConfigSchema }));
    return undefined;
  }
  return result.data;
}

/**
 * The slack-webhook input alone turns Slack on (README: `slack-webhook: ${{ secrets.SLACK_WEBHOOK }}`
 * with no notify.slack section), and so do the slack-bot-token and slack-channel inputs together;
 * the sink takes the secret from the input, the env name is only named in warnings. The
 * slack-channel input overrides notify.slack.channel.
 */
function withSlackFromInput(notify: unknown, secrets: Secrets, slackChannel: string | undefined): unknown {
  const raw = notify && typeof notify === 'object' && !Array.isArray(notify) ? (notify as Record<string, unknown>) : notify === undefined || notify === null ? {} : undefined;
  if (!raw) return notify;
  if (raw.slack !== undefined) {
    if (!slackChannel || !raw.slack || typeof raw.slack !== 'object' || Array.isArray(raw.slack)) return notify;
    return { ...raw, slack: { ...(raw.slack as Record<string, unknown>), channel: slackChannel } };
  }
  if (secrets['slack-bot-token'] && slackChannel) return { ...raw, slack: { 'bot-token-env': 'SLACK_BOT_TOKEN', channel: slackChannel } };
  if (secrets['slack-webhook']) return { ...raw, slack: { 'webhook-env': 'SLACK_WEBHOOK' } };
  return notify;
}
