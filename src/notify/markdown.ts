/**
 * Pure Markdown rendering of a rollout report, for the pull-request comment and the job summary.
 * Everything that comes from outside (names, images, messages, query text, numbers from metric
 * backends) goes through escapeMarkdown / codeSpan / mermaidLabel, so it renders as text and can
 * neither open Markdown/HTML constructs nor mention people.
 */
import type { GateCheck } from '../rollout/gate.ts';
import { advancedSteps, type MetricPoint, type RolloutReport, type StepRecord, type StepVerdict } from '../rollout/report.ts';
import { detectableLine } from '../metrics/gate.ts';
import { formatDuration, formatNumber, formatValue } from '../util/format.ts';

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

/** Mermaid accepts plain decimal numbers only. */
function mermaidNumber(v: number): string {
  if (!Number.isFinite(v) || Math.abs(v) < 1e-9) return '0';
  const r = Number(v.toPrecision(6));
  if (Math.abs(r) >= 1e15) return r.toFixed(0);
  // Small values: fixed notation with enough decimals for 6 significant digits, no exponent.
  return Math.abs(r) < 1e-4 ? r.toFixed(12).replace(/0+$/, '') : String(r);
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
  'advanced-inconclusive': '⚠️ advanced undecided',
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

const DEFAULT_MAX_BYTES = 60_000;

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
  // Steps that advanced at step-timeout without evidence (on-inconclusive: advance): what they could not see.
  for (const s of advancedSteps(report)) out.push('> [!WARNING]', `> ${escapeMarkdown(s.advanced.message, 1500)}`, '');

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

  if (report.metricHistory.length > 0) out.push(...charts(report, level), '');

  out.push(finalLine(report));
  if (reduced) out.push('', '_Some history was shortened to stay under the size limit; the full report is in the JSON file (report-path)._');
  return out.join('\n') + '\n';
}

/** What and where, as one header row and one value row (no empty header), then images and notes. */
function overview(report: Readonly<RolloutReport>): string[] {
  const cells: [string, string][] = [
    // After a promotion the canary is at 0 because stable runs the new image: say where the traffic is.
    report.result === 'promoted' ? ['New image', '**100% of traffic**'] : ['Canary weight', `**${formatValue(report.weight, '%')}**`],
    ['Phase', escapeMarkdown(report.phase, 60)],
    ['Router', escapeMarkdown(report.router, 60)],
    ['Updated', new Date(report.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z')],
  ];
  const runLink = safeLink(report.runUrl);
  if (runLink) cells.push(['Workflow run', `[run ${escapeMarkdown(report.runId, 40)}](${runLink})`]);
  const lines = [
    `| ${cells.map(([k]) => k).join(' | ')} |`,
    `|${cells.map((_, i) => (i === 0 ? '---:' : '---')).join('|')}|`,
    `| ${cells.map(([, v]) => v).join(' | ')} |`,
    '',
    `Stable ${report.images.stable ? codeSpan(report.images.stable, 200) : '–'} → canary ${report.images.canary ? codeSpan(report.images.canary, 200) : '–'}`,
  ];
  for (const note of report.routerNotes.slice(0, 10)) lines.push('', `Router note: ${escapeMarkdown(note, 300)}`);
  return lines;
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
    return `| ${s.index + 1} | ${formatValue(s.weight, '%')} | ${verdictText(s.verdict)} | ${formatNumber(s.checks)} | ${duration} |`;
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
    `**Step ${step.index + 1} (${formatValue(step.weight, '%')}) — gates**`,
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
        `| ${escapeMarkdown(gateName, 80)} | ${escapeMarkdown(m.name, 80)} | ${verdictText(m.verdict)} | ${formatValue(m.canaryValue, m.unit)} | ${formatValue(m.stableValue, m.unit)} | ${m.threshold ? escapeMarkdown(m.threshold, 120) : '–'} |`,
      );
    }
  }
  // Why a metric failed, under the table: the explanation is a sentence, not a threshold. And what
  // a sequential metric's data could have caught at this step (its minimum detectable increase).
  const notes = Object.entries(step.gates).flatMap(([gateName, check]) => [
    ...check.metrics
      .filter((m) => m.verdict === 'fail')
      .slice(0, 5)
      .map((m) => `- ❌ ${escapeMarkdown(gateName, 80)} / ${escapeMarkdown(m.name, 80)}: ${escapeMarkdown(m.explanation.startsWith(`${m.name}: `) ? m.explanation.slice(m.name.length + 2) : m.explanation, 300)}`),
    ...check.metrics.filter((m) => m.power).slice(0, 5).map((m) => `- 🔎 ${escapeMarkdown(m.name, 80)}: ${escapeMarkdown(detectableLine(m.power!), 300)}`),
  ]);
  if (notes.length > 0) lines.push('', ...notes);
  return lines;
}

/** Each gate metric's rendered query, once (the latest step's), rather than in every step's table. */
function queriesTable(gateSteps: readonly StepRecord[]): string[] {
  const queries = new Map<string, { gate: string; metric: string; query: string }>();
  for (const step of gateSteps) {
    for (const [gate, check] of Object.entries(step.gates)) {
      for (const m of check.metrics) {
        if (!m.query) continue;
        // The metric gate joins the canary's and the stable's query with a newline.
        const parts = m.query.split('\n').filter((q) => q.trim() !== '');
        parts.forEach((query, i) => {
          const metric = parts.length === 2 ? `${m.name} (${i === 0 ? 'canary' : 'stable'})` : m.name;
          queries.set(`${gate}\u0000${m.name}\u0000${i}`, { gate, metric, query });
        });
      }
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
  const lines = [`#### Pre-checks (schema, config, metrics): ${icon} ${escapeMarkdown(pc.verdict, 20)}`, '', escapeMarkdown(pc.summary, 1000), ''];
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

/**
 * Fixed chart colours, the same in GitHub's light and dark themes: the plot palette is given in the
 * block's init directive (Mermaid applies plotColorPalette to the plots in order: weight bars,
 * canary line, stable line). Orange and blue stay apart for the common colour-vision deficiencies;
 * the grey of the bars sits behind both lines in either theme.
 */
const CHART_COLORS = { weight: '#8c959f', canary: '#e8590c', stable: '#1f6feb' } as const;

/** One chart point: a time (ms since the rollout started) and the values shown there. */
interface ChartPoint {
  offsetMs: number;
  weight: number;
  canary: number;
  stable?: number;
}

/**
 * The samples on an evenly spaced time grid (Mermaid's numeric x-axis spreads the values evenly over
 * its range), at most `max` slots. Each slot shows, of the samples since the previous slot, the one
 * where canary and stable differ most (the last one without a stable value), so a spike between
 * slots still shows; a slot without a new sample holds the previous values.
 */
function resampleForChart(points: readonly ChartPoint[], max: number): ChartPoint[] {
  if (points.length <= 1 || max <= 1) return points.slice(-1);
  const first = points[0]!.offsetMs;
  const last = points.at(-1)!.offsetMs;
  const slots = Math.min(max, points.length);
  if (last <= first) return [points.at(-1)!];
  const out: ChartPoint[] = [];
  let next = 0;
  let held = points[0]!;
  for (let i = 0; i < slots; i++) {
    const t = first + ((last - first) * i) / (slots - 1);
    let pick: ChartPoint | undefined;
    while (next < points.length && points[next]!.offsetMs <= t + 1e-9) {
      const p = points[next++]!;
      const gap = (q: ChartPoint): number => (q.stable === undefined ? -1 : Math.abs(q.canary - q.stable));
      if (!pick || gap(p) >= gap(pick)) pick = p;
    }
    if (pick) held = pick;
    out.push({ ...held, offsetMs: t });
  }
  return out;
}

/** Fewer samples than this are reported as text: a chart of one or two points says nothing. */
const MIN_CHART_POINTS = 3;

function charts(report: Readonly<RolloutReport>, level: DetailLevel): string[] {
  const history = report.metricHistory;
  if (level.charts <= 0 || level.chartPoints <= 0) return ['_Charts omitted to fit the size limit._'];
  const byMetric = new Map<string, MetricPoint[]>();
  for (const p of history) {
    if (!byMetric.has(p.metric)) byMetric.set(p.metric, []);
    byMetric.get(p.metric)!.push(p);
  }
  const out: string[] = ['#### Canary vs stable'];
  const metricNames = [...byMetric.keys()];
  for (const name of metricNames.slice(0, level.charts)) {
    const raw = byMetric
      .get(name)!
      .filter((p) => typeof p.canary === 'number' && Number.isFinite(p.canary))
      .sort((a, b) => a.at - b.at);
    if (raw.length === 0) continue;
    const unit = metricUnit(report, name);
    if (raw.length < MIN_CHART_POINTS) {
      // A line needs points: a check or two is said in words.
      const last = raw.at(-1)!;
      out.push('', `_${escapeMarkdown(name, 80)}: ${raw.length} sample(s) only, the last one canary ${formatValue(last.canary, unit)}${last.stable !== undefined ? `, stable ${formatValue(last.stable, unit)}` : ''} at ${formatValue(last.weight, '%')} weight._`);
      continue;
    }
    const withStable = raw.some((p) => typeof p.stable === 'number' && Number.isFinite(p.stable));
    // Mermaid lines cannot have gaps: a missing stable value repeats the previous one.
    let lastStable = raw.find((p) => Number.isFinite(p.stable))?.stable;
    const points: ChartPoint[] = raw.map((p) => {
      if (typeof p.stable === 'number' && Number.isFinite(p.stable)) lastStable = p.stable;
      return { offsetMs: p.at - report.startedAt, weight: p.weight, canary: p.canary!, ...(withStable && lastStable !== undefined ? { stable: lastStable } : {}) };
    });
    const sampled = resampleForChart(points, level.chartPoints);
    const values = sampled.flatMap((p) => (p.stable !== undefined ? [p.canary, p.stable] : [p.canary]));
    // Zoom the axis on the data (a success rate of 99.8 vs 99.9 must be visible), with 10 % margin.
    const max = Math.max(...values);
    const min = Math.min(...values);
    const margin = max > min ? (max - min) * 0.1 : Math.max(Math.abs(max) * 0.05, 1e-6);
    const bottom = min >= 0 && min - margin < 0 ? 0 : min - margin;
    const top = max + margin;
    const axisName = mermaidLabel(unit ? `${name} (${unit})` : name, 40);
    // Minutes since the start; a rollout shorter than three minutes reads better in seconds.
    const spanMs = sampled.at(-1)!.offsetMs - sampled[0]!.offsetMs;
    const [perUnit, axisUnit] = spanMs < 180_000 ? [1000, 'seconds'] : [60_000, 'minutes'];
    const fromMin = sampled[0]!.offsetMs / perUnit;
    const toMin = Math.max(sampled.at(-1)!.offsetMs / perUnit, fromMin + 1000 / perUnit);
    const palette = withStable ? [CHART_COLORS.weight, CHART_COLORS.canary, CHART_COLORS.stable] : [CHART_COLORS.weight, CHART_COLORS.canary];
    out.push(
      '',
      '```mermaid',
      `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette.join(', ')}"}}}}%%`,
      'xychart-beta',
      `  title "${mermaidLabel(name)}: canary orange, stable blue"`,
      `  x-axis "${axisUnit} since start" ${mermaidNumber(roundTo(fromMin, 2))} --> ${mermaidNumber(roundTo(toMin, 2))}`,
      `  y-axis "${axisName}" ${mermaidNumber(bottom)} --> ${mermaidNumber(top)}`,
      // Weight on the same axis, scaled so 0 % is the bottom and 100 % the top: the steps show as bars.
      `  bar [${sampled.map((p) => mermaidNumber(bottom + (Math.max(0, Math.min(100, p.weight)) / 100) * (top - bottom))).join(', ')}]`,
      `  line [${sampled.map((p) => mermaidNumber(p.canary)).join(', ')}]`,
      ...(withStable ? [`  line [${sampled.map((p) => mermaidNumber(p.stable ?? p.canary)).join(', ')}]`] : []),
      '```',
      '',
      `_${escapeMarkdown(name, 80)}: 🟧 canary${withStable ? ', 🟦 stable' : ''}; grey bars: canary traffic weight (top of the axis = 100%).` +
        `${raw.length > sampled.length ? ` ${raw.length} samples shown in ${sampled.length} slots (each slot shows its largest canary–stable gap).` : ''}_`,
    );
  }
  if (metricNames.length > level.charts) out.push('', `_${metricNames.length - level.charts} more metric chart(s) omitted._`);
  return out;
}

/** The unit of a charted metric, from its latest gate report. */
function metricUnit(report: Readonly<RolloutReport>, metric: string): string {
  for (const step of [...report.steps].reverse()) {
    for (const check of Object.values(step.gates)) {
      const m = check.metrics.find((x) => x.name === metric);
      if (m) return m.unit ?? '';
    }
  }
  return '';
}

function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

function finalLine(report: Readonly<RolloutReport>): string {
  const duration = report.finishedAt !== undefined ? ` after ${formatDuration(report.finishedAt - report.startedAt)}` : '';
  if (!report.result) return `**Verdict:** in progress — ${formatValue(report.weight, '%')} of traffic on the canary.`;
  const title = RESULT_TITLE[report.result] ?? escapeMarkdown(report.result, 40);
  // A promotion through steps that advanced at step-timeout was not promoted on evidence: say so here too.
  const advanced = advancedSteps(report).length;
  const caveat = report.result === 'promoted' && advanced > 0 ? `, ${advanced} step${advanced > 1 ? 's' : ''} advanced without the power to see the configured regression` : '';
  return `**Verdict:** ${title}${duration}${caveat}.`;
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
          ? `Rolling out: step ${current + 1}/${total} at ${formatValue(report.weight, '%')} canary`
          : `Rolling out (${plain(report.phase)}) at ${formatValue(report.weight, '%')} canary`;
      break;
    case 'promoted': {
      const advanced = advancedSteps(report).length;
      text = `Promoted after ${total} step(s)${advanced ? `, ${advanced} advanced undecided (on-inconclusive: advance)` : ''}`;
      break;
    }
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
