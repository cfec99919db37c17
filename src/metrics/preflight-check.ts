/** The metric gate's preparation and preflight as a pre-check: it runs before the canary gets traffic. */
import type { PreCheck, PreCheckResult } from '../rollout/gate.ts';
import type { MetricGate } from './gate.ts';

export function metricPreCheck(gate: Pick<MetricGate, 'prepare'>): PreCheck {
  return {
    name: 'metrics',
    async run(signal?: AbortSignal): Promise<PreCheckResult> {
      const r = await gate.prepare(signal);
      const failed = r.findings.filter((f) => !f.ok);
      return {
        verdict: r.ok ? 'pass' : 'block',
        summary: r.ok
          ? `${r.findings.length === 1 ? '1 metric query returns' : `${r.findings.length} metric queries return`} data for the stable`
          : failed.map((f) => f.message).join('\n'),
        markdown: ['| metric | preflight |', '|---|---|', ...r.findings.map((f) => `| ${f.metric} | ${f.ok ? '✅' : '❌'} ${f.message.replace(/\|/g, '\\|')} |`)].join('\n'),
        findings: r.findings,
        ...(r.ok ? {} : { reason: 'metrics-unavailable' as const }),
      };
    },
  };
}

/** A rollout gated on readiness only says so in the report (the log and an annotation say it too). */
export function readinessOnlyNotice(message: string): PreCheck {
  return {
    name: 'metrics',
    run: async () => ({ verdict: 'warn', summary: message, markdown: `⚠️ ${message}`, findings: [] }),
  };
}
