/**
 * The one reading of inputs: action inputs + the optional config file → one validated `Config`.
 * Nothing below the entry points reads inputs or the environment for settings.
 */
import { metricsConfigSchema, type MetricsConfig } from '../metrics/config.ts';
import { parseNotifyConfig, type NotifyConfig } from '../notify/config.ts';
import { schemaConfigSchema, type SchemaConfig } from '../schema/config-schema.ts';
import { parseRouterConfig, type RouterKind, type RouterOptions } from '../traffic/config.ts';
import { CanaryGateError } from '../util/errors.ts';
import { crossChecks } from './checks.ts';
import { buildBaseConfig, formatIssues, parseConfigFile, type Secrets } from './load.ts';
import type { BaseConfig } from './schema.ts';

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

export function buildConfig(opts: {
  inputs: Record<string, string>;
  /** Extra inputs that shape sections rather than keys (prometheus-url). */
  prometheusUrl?: string;
  secrets: Secrets;
  fileText?: string;
  fileName?: string;
}): Config {
  const file = opts.fileText !== undefined ? parseConfigFile(opts.fileText, opts.fileName ?? 'config file') : {};
  const base = buildBaseConfig({ inputs: opts.inputs, file, fileName: opts.fileName });

  const routingRaw = { ...base.routing } as Record<string, unknown>;
  const routerFromInput = opts.inputs.router;
  routingRaw.router = routerFromInput ?? (routingRaw.router as string | undefined) ?? base.router;
  const routing = parseRouterConfig(routingRaw, 'routing');

  const metricsRaw = {
    providers: (base.providers as Record<string, unknown> | undefined) ?? {},
    metrics: (base.metrics as unknown[] | undefined) ?? [],
  };
  if (opts.prometheusUrl && Object.keys(metricsRaw.providers).length === 0) {
    metricsRaw.providers = {
      prometheus: {
        type: 'prometheus',
        address: opts.prometheusUrl,
        ...(opts.secrets['prometheus-token'] ? { 'bearer-token-env': PROMETHEUS_TOKEN_ENV } : {}),
      },
    };
  }
  const metricsResult = metricsConfigSchema.safeParse(metricsRaw);
  if (!metricsResult.success) {
    throw new CanaryGateError('invalid-input', formatIssues(metricsResult.error.issues, opts.fileName));
  }
  if (metricsResult.data.metrics.length > 0 && Object.keys(metricsResult.data.providers).length === 0) {
    throw new CanaryGateError('invalid-input', 'metrics are configured but no provider: set the prometheus-url input or a providers: section');
  }
  const problems = crossChecks(metricsResult.data, opts.secrets, opts.fileName);
  if (problems.length > 0) {
    throw new CanaryGateError('invalid-input', `Invalid configuration (nothing was changed in the cluster):\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const notify = parseNotifyConfig(withSlackFromInput(base.notify, opts.secrets));
  let schema: SchemaConfig | undefined;
  if (base.schema !== undefined) {
    const parsed = schemaConfigSchema.safeParse(base.schema);
    if (!parsed.success) {
      throw new CanaryGateError('invalid-input', formatIssues(parsed.error.issues.map((i) => ({ ...i, path: ['schema', ...i.path] })), opts.fileName));
    }
    schema = parsed.data;
  }
  if (base.mode === 'check' && !schema) {
    throw new CanaryGateError('invalid-input', `mode check needs a schema: section in ${opts.fileName ?? '.github/canary.yml'} (at least schema.dir: the migrations directory)`);
  }
  return {
    base,
    routing,
    metrics: metricsResult.data,
    notify,
    ...(schema ? { schema } : {}),
    ...(opts.fileName !== undefined ? { configFile: opts.fileName } : {}),
  };
}

/**
 * The slack-webhook input alone turns Slack on (README: `slack-webhook: ${{ secrets.SLACK_WEBHOOK }}`
 * with no notify.slack section); the sink takes the URL from the input, the env name is only named
 * in warnings.
 */
function withSlackFromInput(notify: unknown, secrets: Secrets): unknown {
  if (!secrets['slack-webhook']) return notify;
  const raw = notify && typeof notify === 'object' && !Array.isArray(notify) ? (notify as Record<string, unknown>) : notify === undefined || notify === null ? {} : undefined;
  if (!raw || raw.slack !== undefined) return notify;
  return { ...raw, slack: { 'webhook-env': 'SLACK_WEBHOOK' } };
}
