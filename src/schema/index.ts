/** Schema and config compatibility gate: public API. */
export { runSchemaCheck, type SchemaCheckOptions } from './check.ts';
export { renderSchemaJson, renderSchemaMarkdown, escapeMarkdown } from './render.ts';
export { schemaPreCheck, summarizeSchemaReport } from './precheck.ts';
export { schemaCheckCli, SCHEMA_CHECK_USAGE, type CliIo } from './cli.ts';
export { schemaConfigSchema, schemaOptionsFromConfig, type SchemaConfig } from './config-schema.ts';
export { allRules, ruleInfo, RULE_IDS, type RuleInfo } from './rules/catalog.ts';
export { startReplayDatabase, type ReplayDatabase } from './pg/replay.ts';
export type { SchemaFinding, SchemaReport, SchemaVerdict } from './types.ts';
