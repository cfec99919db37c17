/**
 * Checks across sections that the schemas cannot make alone, run by buildConfig before anything
 * touches the cluster: metric templates only use variables that exist, provider addresses are
 * http(s) URLs, and the Slack webhook is an https URL (http only on loopback). Secret values are
 * never quoted in the messages.
 */
import type { MetricsConfig } from '../metrics/config.ts';
import { templateVariables } from '../metrics/template.ts';
import type { Secrets } from './load.ts';
import type { ConfigProblem } from './problems.ts';
import { quoteValue } from '../util/redact.ts';

/** What runCanaryGate gives every metric template (app.ts), plus {{target}} per version. */
const TEMPLATE_VARIABLES = ['namespace', 'stable', 'canary', 'service', 'ingress', 'interval', 'target'] as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Problems at their config paths; empty when all is well. */
export function crossChecks(metrics: MetricsConfig, secrets: Secrets): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [index, m] of metrics.metrics.entries()) {
    const known = [...TEMPLATE_VARIABLES, ...Object.keys(m.variables)];
    const templates: [string[], string | undefined][] = [
      [['query'], m.query],
      [['baseline-query'], m['baseline-query']],
      [['requests-query'], m['requests-query']],
      ...Object.entries(m.queries ?? {}).map(([k, q]): [string[], string] => [['queries', k], q]),
    ];
    for (const [field, template] of templates) {
      if (template === undefined) continue;
      const unknown = templateVariables(template).filter((v) => !known.includes(v));
      if (unknown.length > 0) {
        problems.push({
          path: ['metrics', index, ...field],
          message: `metric ${m.name}: unknown template variable ${unknown.map((v) => `{{${v}}}`).join(', ')}; known variables: ${known.map((v) => `{{${v}}}`).join(', ')} (add it under variables: of the metric or fix the name)`,
        });
      }
    }
  }
  for (const [name, p] of Object.entries(metrics.providers)) {
    if (p.address === undefined) continue;
    const problem = urlProblem(p.address, 'http://prometheus.monitoring:9090');
    if (problem) problems.push({ path: ['providers', name, 'address'], message: problem });
  }
  const webhook = secrets['slack-webhook'];
  if (webhook !== undefined) {
    const problem = webhookProblem(webhook, '');
    if (problem) problems.push({ path: ['slack-webhook'], message: problem });
  }
  return problems;
}

/** A provider base URL must be http(s) with a host; quoted only when it cannot be a credential. */
export function urlProblem(address: string, example: string): string | undefined {
  const url = safeUrl(address.trim());
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return undefined;
  const schemeless = /^[a-z0-9.-]+:\d+(\/|$)/i.test(address.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(address.trim());
  return `must be an http:// or https:// URL, e.g. ${example}, got ${quoteValue(address)}${schemeless ? ' — add the scheme (http:// or https://) in front' : ''}`;
}

/** A Slack webhook must be https (http only on loopback, for local stand-ins); never quoted. */
export function webhookProblem(webhook: string, where: string): string | undefined {
  const url = safeUrl(webhook.trim());
  const ok = url && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
  return ok
    ? undefined
    : `${where ? `${where}: ` : ''}must be an https:// URL (a Slack incoming webhook, https://hooks.slack.com/services/…); the value is a secret and is not shown`;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
