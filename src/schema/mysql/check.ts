/** The MySQL/MariaDB pipeline: parse, build the stable model, classify each new statement. */
import { cloneModel, emptyModel, markAllStable, type SchemaModel } from '../model.ts';
import { hitsToFindings, type RuleHit } from '../rules/hit.ts';
import { MYSQL_RULES } from '../rules/mysql.ts';
import type { MigrationFile } from '../discovery.ts';
import type { SchemaFinding } from '../types.ts';
import { applyMysqlStatement } from './model-builder.ts';
import { loadMysqlParser, type MysqlStatement } from './parse.ts';

export function buildMysqlModel(stmts: readonly MysqlStatement[], contract: Iterable<string> = []): SchemaModel {
  const model = emptyModel();
  for (const s of stmts) applyMysqlStatement(model, s, 'stable');
  markAllStable(model);
  for (const c of contract) model.contract.add(c);
  return model;
}

export function classifyMysqlChange(stable: SchemaModel, change: readonly MysqlStatement[]): SchemaFinding[] {
  const model = cloneModel(stable);
  const findings: SchemaFinding[] = [];
  for (const s of change) {
    const later = change.filter((o) => o.index > s.index);
    let hits: RuleHit[] = [];
    for (const rule of MYSQL_RULES) hits = hits.concat(rule(s, { model, later }));
    findings.push(...hitsToFindings(hits, s, model.contract));
    applyMysqlStatement(model, s, 'change');
  }
  return findings;
}

export async function parseMysqlFiles(files: readonly MigrationFile[]): Promise<MysqlStatement[]> {
  const parser = await loadMysqlParser();
  const out: MysqlStatement[] = [];
  for (const f of files) out.push(...parser.parseFile(f.text, f.path, out.length));
  return out;
}

export async function checkMysql(input: { stable: readonly MigrationFile[]; change: readonly MigrationFile[]; contract: readonly string[]; stableModel?: SchemaModel }): Promise<{ findings: SchemaFinding[]; notes: string[] }> {
  const notes: string[] = [];
  const stableStmts = await parseMysqlFiles(input.stable);
  const bad = stableStmts.filter((s) => !s.ast);
  if (bad.length) notes.push(`${bad.length} stable statement(s) do not parse as MySQL (first: ${bad[0]!.file}:${bad[0]!.line}); the stable model leaves them out.`);
  const model = input.stableModel ?? buildMysqlModel(stableStmts, input.contract);
  for (const c of input.contract) model.contract.add(c);
  const change = await parseMysqlFiles(input.change);
  return { findings: classifyMysqlChange(model, change), notes };
}
