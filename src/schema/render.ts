/**
 * Renders a schema report as JSON (machines) and Markdown (PR comment, job summary). Everything
 * taken from the input (SQL, names, file paths, messages quoting them) is escaped so it cannot
 * inject Markdown, HTML or @-mentions.
 */
import { ruleInfo, type RuleId } from './rules/catalog.ts';
import { ruleDocUrl } from './rules/doc.ts';
import type { ExecutionProof, SchemaFinding, SchemaReport } from './types.ts';

const ORDER = { block: 0, warn: 1, pass: 2 } as const;
const ICON = { block: '⛔ block', warn: '⚠️ warn', pass: '✅ pass' } as const;

export function sortFindings(findings: readonly SchemaFinding[]): SchemaFinding[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => ORDER[a.f.verdict] - ORDER[b.f.verdict] || a.i - b.i).map((x) => x.f);
}

/** Escapes text for Markdown and HTML; newlines become spaces (safe in table cells). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;')
    .replace(/[\\`*_{}[\]()#+\-.!|~:]/g, (c) => `\\${c}`)
    .replace(/\r?\n|\r/g, ' ');
}

function code(text: string): string {
  return `<code>${escapeMarkdown(text)}</code>`;
}

function where(f: SchemaFinding): string {
  if (!f.file) return '';
  return code(f.line ? `${f.file}:${f.line}` : f.file);
}

export function renderSchemaJson(r: SchemaReport): string {
  const findings = sortFindings(r.findings).map((f) => ({
    rule: f.rule,
    verdict: f.verdict,
    file: f.file ?? null,
    line: f.line ?? null,
    object: f.object ?? null,
    statement: f.statement ?? null,
    message: f.message,
    alternative: f.alternative ?? null,
    proof: f.proof ?? null,
  }));
  return `${JSON.stringify({ verdict: r.verdict, replay: r.replay, execution: r.execution, filesChecked: r.filesChecked, notes: r.notes, findings }, null, 2)}\n`;
}

export function renderSchemaMarkdown(r: SchemaReport): string {
  const lines: string[] = [];
  const counts = { block: 0, warn: 0, pass: 0 };
  for (const f of r.findings) counts[f.verdict]++;
  lines.push(`### Schema and config compatibility: ${ICON[r.verdict]}`);
  lines.push('');
  const replay = r.replay === 'ran' ? 'ran in PGlite' : r.replay === 'unavailable' ? 'unavailable (static analysis only)' : 'skipped';
  const exec =
    r.execution.status === 'ran'
      ? `execution: ${r.execution.statements} stable statement(s) run, ${r.execution.failures} fail after the change`
      : `execution not run (${r.execution.reason ?? 'not applicable'})`;
  lines.push(`${counts.block} blocking, ${counts.warn} warning(s), ${counts.pass} informational · ${r.filesChecked.length} file(s) checked · replay ${replay} · ${escapeMarkdown(exec)}`);
  lines.push('');
  const sorted = sortFindings(r.findings);
  if (sorted.length === 0) {
    lines.push('No change that would break the stable version was found.');
  } else {
    lines.push('| Verdict | Rule | Where | Object | Why the stable version breaks |');
    lines.push('|---|---|---|---|---|');
    for (const f of sorted) {
      lines.push(`| ${ICON[f.verdict]} | ${ruleLink(f.rule)} | ${where(f)} | ${f.object ? code(f.object) : ''} | ${escapeMarkdown(f.message)} |`);
    }
    const detailed = sorted.filter((f) => f.verdict !== 'pass' && (f.statement || f.alternative || f.proof));
    if (detailed.length) {
      lines.push('');
      lines.push('<details><summary>Statements and safe alternatives</summary>');
      lines.push('');
      for (const f of detailed) {
        lines.push(`- **${escapeMarkdown(f.rule)}** ${where(f)}${f.statement ? ` ${code(f.statement)}` : ''}`);
        for (const p of f.proof ?? []) lines.push(`  ${proofLine(p)}`);
        if (f.alternative) lines.push(`  Instead: ${escapeMarkdown(f.alternative)}`);
      }
      lines.push('');
      lines.push('</details>');
    }
  }
  if (r.notes.length) {
    lines.push('');
    lines.push('Notes:');
    for (const n of r.notes) lines.push(`- ${escapeMarkdown(n)}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** One line of proof: the stable statement, its SQLSTATE and message, and the migration statement that broke it. */
function proofLine(p: ExecutionProof): string {
  const params = p.params ? ` with ${code(JSON.stringify(p.params))}` : '';
  const from = p.source ? ` (${code(`${p.source.file}:${p.source.line}`)})` : '';
  const cause = p.cause ? `; broken by ${code(`${p.cause.file}:${p.cause.line}`)} ${code(p.cause.statement)}` : '; the statement that breaks it could not be isolated';
  return `Proof: ${code(p.statement)}${params}${from} fails with SQLSTATE ${code(p.sqlstate)}: ${escapeMarkdown(p.error)}${cause}`;
}

/** The rule id linked to its section of docs/schema-rules.md (the alternative is there), and its title. */
function ruleLink(id: RuleId): string {
  return `[**${id}**](${ruleDocUrl(id)}) ${escapeMarkdown(ruleInfo(id).title)}`;
}
