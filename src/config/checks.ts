/**
 * Checks across sections that the schemas cannot make alone, run by buildConfig before anything
 * touches the cluster: metric templates only use variables that exist, provider addresses are
 * http(s) URLs, and the Slack webhook is an https URL (http only on loopback). Secret values are
 * never quoted in the messages.
 */
import type { MetricsConfig } from '../metrics/config.ts';
import { templateVariables } from '../metrics/template.ts';
import type { Secrets } from './load.ts';

/** What runCanaryGate gives every metric template (app.ts), plus {{target}} per version. */
export const TEMPLATE_VARIABLES = ['namespace', 'stable', 'canary', 'service', 'ingress', 'interval', 'target'] as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Problems as "where: what" lines; empty when all is well. */
export function crossChecks(metrics: MetricsConfig, secrets: Secrets, fileName = 'config file'): string[] {
  const problems: string[] = [];
  for (const m of metrics.metrics) {
    const known = [...TEMPLATE_VARIABLES, ...Object.keys(m.variables)];
    const templates: [string, string | undefined][] = [
      ['query', m.query],
      ['baseline-query', m['baseline-query']],
      ['requests-query', m['requests-query']],
      ...Object.entries(m.queries ?? {}).map(([k, q]): [string, string] => [`queries.${k}`, q]),
    ];
    for (const [field, template] of templates) {
      if (template === undefined) continue;
      const unknown = templateVariables(template).filter((v) => !known.includes(v));
      if (unknown.length > 0) {
        problems.push(
          `${fileName} key 'metrics.${m.name}.${field}': unknown template variable ${unknown.map((v) => `{{${v}}}`).join(', ')}; known variables: ${known.map((v) => `{{${v}}}`).join(', ')} (add it under variables: of the metric or fix the name)`,
        );
      }
    }
  }
  for (const [name, p] of Object.entries(metrics.providers)) {
    const address = p.address;
    if (address === undefined) continue;
    const protocol = safeUrl(address)?.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      problems.push(`${fileName} key 'providers.${name}.address': must be an http:// or https:// URL, e.g. https://prometheus.monitoring:9090, got ${JSON.stringify(address.slice(0, 100))}`);
    }
  }
  const webhook = secrets['slack-webhook'];
  if (webhook !== undefined) {
    const problem = webhookProblem(webhook, "input 'slack-webhook'");
    if (problem) problems.push(problem);
  }
  return problems;
}

/** A Slack webhook must be https (http only on loopback, for local stand-ins); never quoted. */
export function webhookProblem(webhook: string, where: string): string | undefined {
  const url = safeUrl(webhook.trim());
  const ok = url && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
  return ok
    ? undefined
    : `${where}: must be an https:// URL (a Slack incoming webhook, https://hooks.slack.com/services/…); the value is a secret and is not shown`;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
