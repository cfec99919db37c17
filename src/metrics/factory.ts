/**
 * One line per provider type, beside traffic/factory.ts: builds each configured metrics provider
 * with its secrets resolved (config value, else the named env var / action secret) and masked.
 */
import { InputError } from '../util/errors.ts';
import type { MetricsConfig, ProviderConfig } from './config.ts';
import { createDatadogProvider } from './datadog.ts';
import { createPrometheusProvider } from './prometheus.ts';
import type { MetricsProvider } from './provider.ts';

export interface ProviderFactoryOptions {
  /** Secret values by name (env var / action secret names used in providers:). */
  secrets: { [name: string]: string | undefined };
  log: (line: string) => void;
  /** Registers a value to be masked in logs (core.setSecret). */
  maskSecret?: (s: string) => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** Injected by tests to make provider retries instant. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Base delay of provider retries (default 250 ms). */
  retryBaseDelayMs?: number;
}

/** The configured providers by name. */
export function createProviders(providers: MetricsConfig['providers'], opts: ProviderFactoryOptions): Map<string, MetricsProvider> {
  return new Map(Object.entries(providers).map(([name, p]) => [name, buildProvider(name, p, opts)]));
}

function resolveSecret(
  field: string,
  value: string | undefined,
  envName: string | undefined,
  secrets: ProviderFactoryOptions['secrets'],
  required: boolean,
): string | undefined {
  if (value) return value;
  if (envName === undefined) return undefined;
  const v = secrets[envName];
  if (v) return v;
  if (required) {
    throw new InputError(field, `secret ${envName} is not set; pass it to the action (env: ${envName}: \${{ secrets.${envName} }}) or set the value in the config`);
  }
  return undefined;
}

function buildProvider(name: string, p: ProviderConfig, opts: ProviderFactoryOptions): MetricsProvider {
  const field = `providers.${name}`;
  const common = {
    name,
    timeoutMs: p.timeout,
    attempts: p.retries,
    log: opts.log,
    fetchImpl: opts.fetchImpl,
    sleep: opts.sleep,
    baseDelayMs: opts.retryBaseDelayMs,
  };
  if (p.type === 'prometheus') {
    const token = resolveSecret(`${field}.bearer-token-env`, p['bearer-token'], p['bearer-token-env'], opts.secrets, true);
    const ba = p['basic-auth'];
    const password = ba
      ? resolveSecret(`${field}.basic-auth.password-env`, ba.password, ba['password-env'], opts.secrets, true) ?? ''
      : undefined;
    for (const s of [token, password]) if (s) opts.maskSecret?.(s);
    if (ba && password) opts.maskSecret?.(Buffer.from(`${ba.username}:${password}`).toString('base64'));
    return createPrometheusProvider({
      ...common,
      address: p.address,
      headers: p.headers,
      bearerToken: token,
      ...(ba ? { basicAuth: { username: ba.username, password: password ?? '' } } : {}),
      tls: {
        ...(p.ca ? { ca: p.ca } : {}),
        ...(p['ca-file'] ? { caFile: p['ca-file'] } : {}),
        insecureSkipVerify: p['insecure-skip-verify'],
      },
    });
  }
  const apiKey = resolveSecret(`${field}.api-key-env`, p['api-key'], p['api-key-env'], opts.secrets, true)!;
  const appKey = resolveSecret(`${field}.application-key-env`, p['application-key'], p['application-key-env'], opts.secrets, true)!;
  opts.maskSecret?.(apiKey);
  opts.maskSecret?.(appKey);
  return createDatadogProvider({
    ...common,
    site: p.site,
    ...(p.address ? { address: p.address } : {}),
    apiKey,
    applicationKey: appKey,
    api: p.api,
    headers: p.headers,
    now: opts.now,
  });
}
