import * as core from '@actions/core';
import { writeFileSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import type { Logger } from '../rollout/report.ts';
import { schemaOptionsFromConfig } from '../schema/config-schema.ts';
import { defaultSchemaRefs } from './schema-refs.ts';

/** mode: check — the schema/config compatibility check alone, no cluster access. Returns true when blocked. */
export async function runSchemaCheckMode(config: Config, ctx: { cwd: string; log: Logger; env: Record<string, string | undefined> }): Promise<boolean> {
  if (!config.schema) return false;
  const { runSchemaCheck, renderSchemaJson, renderSchemaMarkdown, summarizeSchemaReport } = await import('../schema/index.ts');
  const report = await ctx.log.group('Schema and config compatibility', () =>
    runSchemaCheck(schemaOptionsFromConfig(config.schema!, ctx.cwd, defaultSchemaRefs(ctx.env))),
  );
  ctx.log.info(summarizeSchemaReport(report));
  const markdown = renderSchemaMarkdown(report);
  ctx.log.info(markdown);
  const reportPath = config.base['report-path'];
  if (reportPath) writeFileSync(reportPath, renderSchemaJson(report));
  core.setOutput('result', report.verdict);
  core.setOutput('report-path', reportPath ?? '');
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
  return report.verdict === 'block';
}
