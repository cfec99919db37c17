/** The schema check as a rollout pre-check: `block` stops the rollout before the canary gets traffic. */
import type { PreCheck, PreCheckResult } from '../rollout/gate.ts';
import { runSchemaCheck, type SchemaCheckOptions } from './check.ts';
import { renderSchemaMarkdown, sortFindings } from './render.ts';
import type { SchemaReport } from './types.ts';

export function summarizeSchemaReport(r: SchemaReport): string {
  const by = (v: string) => r.findings.filter((f) => f.verdict === v);
  const block = by('block');
  const warn = by('warn');
  const head = sortFindings([...block, ...warn])
    .slice(0, 3)
    .map((f) => `${f.rule} ${f.object ?? ''}`.trim());
  const detail = head.length ? `: ${head.join(', ')}${block.length + warn.length > 3 ? ', …' : ''}` : '';
  const exec = r.execution.status === 'ran' ? `; execution ${r.execution.failures}/${r.execution.statements} stable statement(s) fail` : '';
  return `schema ${r.verdict} — ${block.length} blocking, ${warn.length} warning(s)${detail}; replay ${r.replay}${exec}`;
}

export function schemaPreCheck(opts: SchemaCheckOptions): PreCheck {
  return {
    name: 'schema',
    async run(signal?: AbortSignal): Promise<PreCheckResult> {
      const report = await runSchemaCheck({ ...opts, signal: signal ?? opts.signal });
      return { verdict: report.verdict, summary: summarizeSchemaReport(report), markdown: renderSchemaMarkdown(report), findings: report.findings };
    },
  };
}
