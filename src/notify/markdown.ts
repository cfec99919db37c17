/**
 * Pure Markdown rendering of a rollout report, for the pull-request comment and the job summary.
 * Everything that comes from outside (names, images, messages, query text, numbers from metric
 * backends) goes through escapeMarkdown / codeSpan / mermaidLabel, so it renders as text and can
 * neither open Markdown/HTML constructs nor mention people.
 */
import type { GateCheck, MetricReport } from '../rollout/gate.ts';
import type { MetricPoint, RolloutReport, StepRecord, StepVerdict } from '../rollout/report.ts';

// C0/C1 control characters (tab and newlines are handled separately), bidi overrides, BOM.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const INLINE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // A zero-width space after @ keeps "@org/team" from notifying anyone.
  '@': '@\u200B',
};

/** Keeps at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncateText(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Text from outside rendered as inert inline Markdown: HTML is entity-encoded, Markdown punctuation
 * is backslash-escaped, control characters are dropped, line breaks become spaces (safe inside
 * table cells), `@` cannot form a mention, and the length is bounded.
 */
export function escapeMarkdown(s: string, maxLength = 500): string {
  const flat = truncateText(String(s).replace(CONTROL_CHARS, '').replace(/[\r\n\t\u2028\u2029]+/g, ' '), maxLength);
  const escaped = flat.replace(/[&<>"'@\\`*_{}[\]|#~!]/g, (c) => INLINE_ESCAPES[c] ?? `\\${c}`);
  // Block syntax only matters at the start of a line: lists, thematic breaks, setext, "1." lists.
  return escaped.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/**
 * A code span that cannot be broken out of: the fence is one backtick longer than the longest run
 * inside, pipes are escaped (GFM splits table cells on them even inside code), line breaks are
 * flattened and the length is bounded.
 */
export function codeSpan(s: string, maxLength = 400): string {
  const flat = truncateText(String(s).replace(CONTROL_CHARS, '').replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim(), maxLength);
  if (flat === '') return '';
  const longestRun = Math.max(0, ...Array.from(flat.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Text for Mermaid labels: a conservative allow-list, no quotes, brackets or fences. */
export function mermaidLabel(s: string, maxLength = 60): string {
  const safe = String(s)
    .replace(CONTROL_CHARS, '')
    .replace(/[^A-Za-z0-9 _.,:/%+=()-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (safe.length > maxLength ? `${safe.slice(0, maxLength - 3).trim()}...` : safe) || 'metric';
}

/** A number as shown in reports: finite values with up to 4 significant digits, else a dash. */
export function formatNumber(v: number | undefined): string {
  if (v === undefined || typeof v !== 'number' || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Mermaid accepts plain decimal numbers only. */
function mermaidNumber(v: number): string {
  if (!Number.isFinite(v) || Math.abs(v) < 1e-9) return '0';
  const r = Number(v.toPrecision(6));
  if (Math.abs(r) >= 1e15) return r.toFixed(0);
  // Small values: fixed notation with enough decimals for 6 significant digits, no exponent.
  return Math.abs(r) < 1e-4 ? r.toFixed(12).replace(/0+$/, '') : String(r);
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const RESULT_TITLE: Record<string, string> = {
  promoted: '✅ Promoted',
  'rolled-back': '❌ Rolled back',
  aborted: '🛑 Aborted',
  failed: '💥 Failed',
  noop: '➖ Nothing to do',
};

const VERDICT_ICON: Record<StepVerdict | GateCheck['verdict'], string> = {
  pending: '⚪ pending',
  running: '⏳ running',
  pass: '✅ pass',
  fail: '❌ fail',
  inconclusive: '❔ inconclusive',
  skipped: '⏭️ skipped',
  continue: '⏳ continue',
};

function verdictText(v: string): string {
  return VERDICT_ICON[v as StepVerdict] ?? escapeMarkdown(v, 40);
}

/** Whether the report describes a rollout that ended badly (reason goes to the top). */
export function isBadResult(report: Readonly<RolloutReport>): boolean {
  return report.result === 'rolled-back' || report.result === 'failed' || report.result === 'aborted';
}

function headline(report: Readonly<RolloutReport>): string {
  const target = `${report.target.namespace}/${report.target.deployment}`;
  const state = report.result
    ? (RESULT_TITLE[report.result] ?? escapeMarkdown(report.result, 40))
    : `⏳ Rolling out (${escapeMarkdown(report.phase, 60)})`;
  return `### 🐤 Canary Gate: ${escapeMarkdown(target, 200)} — ${state}`;
}

/** Detail levels tried in order until the document fits the byte budget. */
interface DetailLevel {
  /** Steps whose gate tables are shown (the most recent ones). */
  gateSteps: number;
  /** Rows of the steps table (first and last ones kept). */
  stepRows: number;
  /** Points per chart. */
  chartPoints: number;
  /** Metrics charted. */
  charts: number;
  /** Characters of the schema findings. */
  precheckChars: number;
}

const DETAIL_LEVELS: DetailLevel[] = [
  { gateSteps: Infinity, stepRows: 200, chartPoints: 60, charts: 12, precheckChars: 40_000 },
  { gateSteps: 10, stepRows: 100, chartPoints: 40, charts: 8, precheckChars: 20_000 },
  { gateSteps: 3, stepRows: 40, chartPoints: 24, charts: 4, precheckChars: 8_000 },
  { gateSteps: 1, stepRows: 20, chartPoints: 12, charts: 2, precheckChars: 2_000 },
  { gateSteps: 0, stepRows: 10, chartPoints: 0, charts: 0, precheckChars: 0 },
];

export interface RenderOptions {
  /** Upper bound of the UTF-8 size of the result (GitHub: comments 65,536 chars, summaries 1 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 60_000;

/**
 * The report as Markdown: headline, the reason first on a bad result, weight and images, the steps
 * table, each gate's metrics (query, canary, stable, threshold), the schema findings, one Mermaid
 * chart per gated metric, and the final verdict. When the whole history does not fit `maxBytes`,
 * older detail is dropped and the document says so.
 */
export function renderReportMarkdown(report: Readonly<RolloutReport>, opts: RenderOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let lastDoc = '';
  for (let i = 0; i < DETAIL_LEVELS.length; i++) {
    const level = DETAIL_LEVELS[i]!;
    const doc = renderAtLevel(report, level, i > 0);
    if (byteLength(doc) <= maxBytes) return doc;
    lastDoc = doc;
  }
  // Even the leanest form is too big (a huge number of steps): cut at a line boundary.
  const note = '\n\n_Report truncated to fit the size limit; the full report is in the JSON file (report-path)._\n';
  return cutToBytes(lastDoc, Math.max(0, maxBytes - byteLength(note))) + note;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function cutToBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let cut = buf.subarray(0, maxBytes).toString('utf8');
  // Drop a partially decoded character and the partial last line.
  cut = cut.replace(/\uFFFD$/, '');
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl) : '';
}

function renderAtLevel(report: Readonly<RolloutReport>, level: DetailLevel, reduced: boolean): string {
  const out: string[] = [headline(report), ''];

  if (isBadResult(report) && (report.reason || report.message)) {
    const reason = report.reason ? `**${escapeMarkdown(report.reason, 80)}**` : '';
    const message = report.message ? escapeMarkdown(report.message, 1500) : '';
    out.push(`> [!CAUTION]`, `> ${[reason, message].filter(Boolean).join(': ')}`, '');
  } else if (report.message) {
    out.push(escapeMarkdown(report.message, 1500), '');
  }

  out.push(...overview(report), '');

  if (report.steps.length > 0) out.push(...stepsTable(report.steps, level.stepRows), '');

  const gateSteps = report.steps.filter((s) => Object.keys(s.gates).length > 0);
  const shownGateSteps = level.gateSteps >= gateSteps.length ? gateSteps : gateSteps.slice(gateSteps.length - level.gateSteps);
  for (const step of shownGateSteps) out.push(...gatesTable(step), '');
  if (shownGateSteps.length < gateSteps.length) {
    out.push(`_Gate details of ${gateSteps.length - shownGateSteps.length} earlier step(s) omitted to fit the size limit._`, '');
  }
  if (level.gateSteps > 0) {
    const queries = queriesTable(gateSteps);
    if (queries.length > 0) out.push(...queries, '');
  }

  if (report.precheck) out.push(...precheckSection(report, level.precheckChars), '');

  if (report.metricHistory.length > 0) out.push(...charts(report.metricHistory, level), '');

  out.push(finalLine(report));
  if (reduced) out.push('', '_Some history was shortened to stay under the size limit; the full report is in the JSON file (report-path)._');
  return out.join('\n') + '\n';
}

function overview(report: Readonly<RolloutReport>): string[] {
  const rows: [string, string][] = [
    ['Canary weight', `**${formatNumber(report.weight)} %**`],
    ['Canary image', report.images.canary ? codeSpan(report.images.canary, 200) : '–'],
    ['Stable image', report.images.stable ? codeSpan(report.images.stable, 200) : '–'],
    ['Router', escapeMarkdown(report.router, 60)],
    ['Phase', escapeMarkdown(report.phase, 60)],
    ['Updated', new Date(report.updatedAt).toISOString()],
  ];
  const runLink = safeLink(report.runUrl);
  if (runLink) rows.push(['Workflow run', `[run ${escapeMarkdown(report.runId, 40)}](${runLink})`]);
  for (const note of report.routerNotes.slice(0, 10)) rows.push(['Router note', escapeMarkdown(note, 300)]);
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

/** An http(s) URL normalised so it cannot close the Markdown link it sits in; else undefined. */
export function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.href.replace(/[()[\]<>"'`|\\ ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}

function stepsTable(steps: readonly StepRecord[], maxRows: number): string[] {
  const lines = ['| Step | Weight | Verdict | Checks | Duration |', '|---:|---:|---|---:|---:|'];
  const row = (s: StepRecord): string => {
    const duration = s.startedAt !== undefined && s.endedAt !== undefined ? formatDuration(s.endedAt - s.startedAt) : '–';
    return `| ${s.index + 1} | ${formatNumber(s.weight)} % | ${verdictText(s.verdict)} | ${formatNumber(s.checks)} | ${duration} |`;
  };
  if (steps.length <= maxRows) return [...lines, ...steps.map(row)];
  const head = Math.floor(maxRows / 2);
  const tail = maxRows - head;
  return [
    ...lines,
    ...steps.slice(0, head).map(row),
    `| … | | _${steps.length - maxRows} steps omitted_ | | |`,
    ...steps.slice(steps.length - tail).map(row),
  ];
}

function gatesTable(step: StepRecord): string[] {
  const lines = [
    `**Step ${step.index + 1} (${formatNumber(step.weight)} %) — gates**`,
    '',
    '| Gate | Metric | Verdict | Canary | Stable | Threshold |',
    '|---|---|---|---:|---:|---|',
  ];
  for (const [gateName, check] of Object.entries(step.gates)) {
    if (check.metrics.length === 0) {
      lines.push(`| ${escapeMarkdown(gateName, 80)} | ${escapeMarkdown(check.summary, 200)} | ${verdictText(check.verdict)} | – | – | – |`);
      continue;
    }
    for (const m of check.metrics.slice(0, 20)) {
      lines.push(
        `| ${escapeMarkdown(gateName, 80)} | ${escapeMarkdown(m.name, 80)} | ${verdictText(m.verdict)} | ${formatNumber(m.canaryValue)} | ${formatNumber(m.stableValue)} | ${m.threshold ? escapeMarkdown(m.threshold, 120) : '–'} |`,
      );
    }
    for (const m of check.metrics.filter((x) => x.verdict === 'fail').slice(0, 5)) {
      lines.push(`| | ↳ ${escapeMarkdown(m.name, 80)} | | | | ${escapeMarkdown(m.explanation, 300)} |`);
    }
  }
  return lines;
}

/** Each gate metric's rendered query, once (the latest step's), rather than in every step's table. */
function queriesTable(gateSteps: readonly StepRecord[]): string[] {
  const queries = new Map<string, { gate: string; metric: string; query: string }>();
  for (const step of gateSteps) {
    for (const [gate, check] of Object.entries(step.gates)) {
      for (const m of check.metrics) if (m.query) queries.set(`${gate}\u0000${m.name}`, { gate, metric: m.name, query: m.query });
    }
  }
  if (queries.size === 0) return [];
  return [
    '<details><summary>Queries</summary>',
    '',
    '| Gate | Metric | Query |',
    '|---|---|---|',
    ...[...queries.values()].slice(0, 50).map((q) => `| ${escapeMarkdown(q.gate, 80)} | ${escapeMarkdown(q.metric, 80)} | ${codeSpan(q.query, 1000)} |`),
    '',
    '</details>',
  ];
}

function precheckSection(report: Readonly<RolloutReport>, maxChars: number): string[] {
  const pc = report.precheck!;
  const icon = pc.verdict === 'pass' ? '✅' : pc.verdict === 'warn' ? '⚠️' : '⛔';
  const lines = [`#### Schema and config compatibility: ${icon} ${escapeMarkdown(pc.verdict, 20)}`, '', escapeMarkdown(pc.summary, 500), ''];
  if (maxChars <= 0) {
    lines.push(`_${pc.findings.length} finding(s) omitted to fit the size limit._`);
    return lines;
  }
  // The findings' Markdown is produced by src/schema (which escapes what it quotes); it is bounded
  // here and, when cut, closed so an open fence cannot swallow the rest of the report.
  let md = pc.markdown;
  if (md.length > maxChars) {
    md = md.slice(0, maxChars);
    const nl = md.lastIndexOf('\n');
    if (nl > 0) md = md.slice(0, nl);
    const fences = md.match(/^\s*(```|~~~)/gm)?.length ?? 0;
    if (fences % 2 === 1) md += '\n```';
    md += `\n\n_Schema findings truncated (${pc.findings.length} in total)._`;
  }
  lines.push(md);
  return lines;
}

/** Evenly spaced samples (always including the last one). */
function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.slice(-1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]!);
  return out;
}

function charts(history: readonly MetricPoint[], level: DetailLevel): string[] {
  if (level.charts <= 0 || level.chartPoints <= 0) return ['_Charts omitted to fit the size limit._'];
  const byMetric = new Map<string, MetricPoint[]>();
  for (const p of history) {
    if (!byMetric.has(p.metric)) byMetric.set(p.metric, []);
    byMetric.get(p.metric)!.push(p);
  }
  const out: string[] = ['#### Canary vs stable'];
  const metricNames = [...byMetric.keys()];
  for (const name of metricNames.slice(0, level.charts)) {
    const points = byMetric
      .get(name)!
      .filter((p) => typeof p.canary === 'number' && Number.isFinite(p.canary))
      .sort((a, b) => a.at - b.at);
    if (points.length === 0) continue;
    const withStable = points.some((p) => typeof p.stable === 'number' && Number.isFinite(p.stable));
    // Mermaid lines cannot have gaps: a missing stable value repeats the previous one.
    let lastStable = points.find((p) => Number.isFinite(p.stable))?.stable ?? 0;
    const sampled = downsample(points, level.chartPoints).map((p) => {
      if (typeof p.stable === 'number' && Number.isFinite(p.stable)) lastStable = p.stable;
      return { ...p, stable: lastStable };
    });
    const values = sampled.flatMap((p) => (withStable ? [p.canary!, p.stable] : [p.canary!]));
    // Zoom the axis on the data (a success rate of 0.998 vs 0.999 must be visible), with 10 % margin.
    const max = Math.max(...values);
    const min = Math.min(...values);
    const margin = max > min ? (max - min) * 0.1 : Math.max(Math.abs(max) * 0.05, 1e-6);
    const bottom = min >= 0 && min - margin < 0 ? 0 : min - margin;
    const top = max + margin;
    const t0 = sampled[0]!.at;
    const xLabels = sampled.map((p) => `"+${mermaidLabel(formatDuration(p.at - t0), 12)}"`);
    out.push(
      '',
      '```mermaid',
      'xychart-beta',
      `  title "${mermaidLabel(name)}"`,
      `  x-axis [${xLabels.join(', ')}]`,
      `  y-axis "${mermaidLabel(name, 30)}" ${mermaidNumber(bottom)} --> ${mermaidNumber(top)}`,
      // Weight on the same axis, scaled so 0 % is the bottom and 100 % the top.
      `  bar [${sampled.map((p) => mermaidNumber(bottom + (Math.max(0, Math.min(100, p.weight)) / 100) * (top - bottom))).join(', ')}]`,
      `  line [${sampled.map((p) => mermaidNumber(p.canary!)).join(', ')}]`,
      ...(withStable ? [`  line [${sampled.map((p) => mermaidNumber(p.stable)).join(', ')}]`] : []),
      '```',
      '',
      `_${escapeMarkdown(name, 80)}: first line canary${withStable ? ', second line stable' : ''}; bars are the canary traffic weight (top of the axis = 100 %).${points.length > sampled.length ? ` ${sampled.length} of ${points.length} points shown.` : ''}_`,
    );
  }
  if (metricNames.length > level.charts) out.push('', `_${metricNames.length - level.charts} more metric chart(s) omitted._`);
  return out;
}

function finalLine(report: Readonly<RolloutReport>): string {
  const duration = report.finishedAt !== undefined ? ` after ${formatDuration(report.finishedAt - report.startedAt)}` : '';
  if (!report.result) return `**Verdict:** in progress — ${formatNumber(report.weight)} % of traffic on the canary.`;
  const title = RESULT_TITLE[report.result] ?? escapeMarkdown(report.result, 40);
  return `**Verdict:** ${title}${duration}.`;
}

/** One line for the commit status (GitHub caps descriptions at 140 characters). Plain text. */
export function renderStatusDescription(report: Readonly<RolloutReport>): string {
  const plain = (s: string): string => s.replace(CONTROL_CHARS, '').replace(/\s+/g, ' ').trim();
  const total = report.steps.length;
  const current = report.steps.findIndex((s) => s.verdict === 'running');
  let text: string;
  switch (report.result) {
    case undefined:
      text =
        current >= 0
          ? `Rolling out: step ${current + 1}/${total} at ${report.weight}% canary`
          : `Rolling out (${plain(report.phase)}) at ${report.weight}% canary`;
      break;
    case 'promoted':
      text = `Promoted after ${total} step(s)`;
      break;
    case 'noop':
      text = 'Nothing to do: the target already runs this image';
      break;
    default: {
      const verb = report.result === 'rolled-back' ? 'Rolled back' : report.result === 'aborted' ? 'Aborted' : 'Failed';
      const why = [report.reason, report.message].filter(Boolean).map((s) => plain(s!)).join(': ');
      text = why ? `${verb}: ${why}` : verb;
    }
  }
  return truncateText(text, 140);
}
