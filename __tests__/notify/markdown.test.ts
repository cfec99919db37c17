import { codeSpan, escapeMarkdown, mermaidLabel, renderReportMarkdown, renderStatusDescription } from '../../src/notify/markdown.ts';
import type { MetricPoint, RolloutReport } from '../../src/rollout/report.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

/**
 * CommonMark code spans: a run of n backticks opens, the next run of exactly n closes. Returns the
 * text outside code spans (code span content is literal, so it cannot inject anything but pipes).
 */
function outsideCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '`' && line[i - 1] !== '\\') {
      let n = 0;
      while (line[i + n] === '`') n++;
      const rest = line.slice(i + n);
      const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`).exec(rest);
      if (close) {
        i += n + close.index + n;
        out += ' CODE ';
        continue;
      }
      out += line.slice(i, i + n);
      i += n;
      continue;
    }
    out += line[i];
    i++;
  }
  return out;
}

/** Unescaped pipes: the cell separators GFM sees (also inside code spans). */
function cellSeparators(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

/** Asserts that a rendered document has no live Markdown/HTML from outside and intact tables. */
function expectInert(md: string): void {
  const lines = md.split('\n');
  let header: number | undefined;
  let inFence = false;
  for (const line of lines) {
    if (/^```/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (line.startsWith('|')) {
      header ??= cellSeparators(line);
      expect({ line, cells: cellSeparators(line) }).toEqual({ line, cells: header });
    } else {
      header = undefined;
    }
    // Our own collapsible section is the only HTML the renderer writes.
    if (line === '<details><summary>Queries</summary>' || line === '</details>') continue;
    const text = outsideCodeSpans(line);
    // Only our own constructs may use these: raw HTML, links/images, mentions.
    expect(text).not.toMatch(/</);
    expect(text.replace(/\[run \d+\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/\d+\)/, '')).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
    expect(text).not.toMatch(/@[A-Za-z0-9]/);
  }
  expect(inFence).toBe(false);
}

const ATTACK = [
  '</code></td></tr></table><img src=x onerror=alert(1)>',
  '| injected | cell |',
  '[click me](https://evil.example/phish)',
  '![pixel](https://evil.example/p.gif)',
  '@acme/everyone please approve',
  '```\n# Heading\n```',
  '<!-- canary-gate:shop/checkout -->',
  '<details open><summary>x</summary>',
  '**bold** _it_ ~~strike~~ \u202Ereversed\u0007',
].join(' ');

function injectedReport(): RolloutReport {
  const r = rolledBackReport();
  const step = r.steps[1]!;
  const gate = step.gates.metrics!;
  gate.metrics[1] = {
    ...gate.metrics[1]!,
    name: `latency ${ATTACK}`,
    query: `up{job="x"} \`\`\` | ${ATTACK} \`\`\`\``,
    threshold: ATTACK,
    explanation: ATTACK,
  };
  r.message = ATTACK;
  r.images.canary = `ghcr.io/evil/app:${ATTACK}`;
  r.routerNotes = [ATTACK];
  r.metricHistory = r.metricHistory.map((p) => ({ ...p, metric: p.metric === 'latency-p99' ? `p99"] \n\`\`\`\n<script>${ATTACK}` : p.metric }));
  return r;
}

describe('escapeMarkdown', () => {
  test.each([
    ['<b>x</b>', '&lt;b&gt;x&lt;/b&gt;'],
    ['a|b', 'a\\|b'],
    ['[x](y)', '\\[x\\](y)'],
    ['*a* _b_', '\\*a\\* \\_b\\_'],
    ['line1\nline2\r\n', 'line1 line2 '],
    ['# title', '\\# title'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['a & b', 'a &amp; b'],
    ['bell\u0007 rtl\u202E', 'bell rtl'],
    ['0.52 s', '0.52 s'],
    ['gate-failed', 'gate-failed'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  test('keeps mentions from forming and bounds the length', () => {
    expect(escapeMarkdown('@octocat')).not.toMatch(/@[a-z]/);
    const long = escapeMarkdown('x'.repeat(10_000), 100);
    expect(Array.from(long)).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('codeSpan', () => {
  test('cannot be closed by backticks inside', () => {
    const span = codeSpan('a ``` b ` c');
    expect(span.startsWith('````')).toBe(true);
    expect(outsideCodeSpans(span)).toBe(' CODE ');
  });
  test('escapes pipes and flattens lines', () => {
    expect(codeSpan('a|b\nc')).toBe('`a\\|b c`');
  });
  test('pads when the content starts with a backtick', () => {
    expect(codeSpan('`x')).toBe('`` `x ``');
  });
});

test('mermaidLabel keeps an allow-list only', () => {
  expect(mermaidLabel('p99"] \n```\n<script>')).toBe('p99 script');
  expect(mermaidLabel('"""')).toBe('metric');
});

describe('renderReportMarkdown', () => {
  test('promoted rollout (snapshot)', () => {
    const md = renderReportMarkdown(promotedReport());
    expect(md).toMatchSnapshot();
    expect(md).toContain('✅ Promoted');
    expect(md).not.toContain('[!CAUTION]');
    expectInert(md);
  });

  test('rolled-back rollout puts the reason first (snapshot)', () => {
    const md = renderReportMarkdown(rolledBackReport());
    expect(md).toMatchSnapshot();
    const lines = md.split('\n');
    const caution = lines.findIndex((l) => l.includes('[!CAUTION]'));
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(lines.findIndex((l) => l.startsWith('| Step')));
    expect(lines[caution + 1]).toContain('**gate-failed**');
    expect(lines[caution + 1]).toContain('latency-p99 412 ms &gt; 1.2 x stable');
    expectInert(md);
  });

  test('an in-progress rollout shows the current weight and no verdict yet', () => {
    const md = renderReportMarkdown(runningReport());
    const overview = md.split('\n').findIndex((l) => l.startsWith('| Canary weight |'));
    expect(md.split('\n')[overview + 2]).toMatch(/^\| \*\*20%\*\* \| /);
    expect(md).toContain('⏳ running');
    expect(md).toContain('**Verdict:** in progress');
  });

  test('shows every gate metric with canary, stable, threshold and the rendered query', () => {
    const md = renderReportMarkdown(rolledBackReport());
    const row = md.split('\n').find((l) => l.startsWith('| metrics | latency-p99 | ❌ fail'));
    expect(row).toBeDefined();
    expect(row).toContain('| 412 | 214 | &lt;= 1.2 x stable |');
    const queryRow = md.split('\n').find((l) => l.startsWith('| metrics | latency-p99 | `'));
    expect(queryRow).toContain('`histogram_quantile(0.99');
  });

  test('a Markdown/HTML injection in query results, names and messages renders inert', () => {
    const md = renderReportMarkdown(injectedReport());
    expectInert(md);
    // Still shows the content, as text.
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Mermaid blocks contain only safe label characters.
    const mermaid = md.split('```mermaid').slice(1).map((b) => b.split('\n```')[0]!);
    expect(mermaid.length).toBeGreaterThan(0);
    for (const block of mermaid) {
      for (const line of block.split('\n').filter(Boolean)) {
        expect(line).toMatch(/^(xychart-beta|%%\{init: \{"themeVariables": \{"xyChart": \{"plotColorPalette": "[#0-9a-f, ]+"\}\}\}\}%%|  title "[A-Za-z0-9 _.,:/%+=()-]*"|  x-axis "(minutes|seconds) since start" [\d.]+ --> [\d.]+|  y-axis "[A-Za-z0-9 _.,:/%+=()-]*" [-\d.e]+ --> [-\d.e]+|  (bar|line) \[[-\d., e]*\])$/);
      }
    }
  });

  test('a 10,000-check history stays under the size limit and says it was shortened', () => {
    const r = promotedReport();
    const history: MetricPoint[] = [];
    for (let i = 0; i < 10_000; i++) {
      for (const metric of ['request-success-rate', 'latency-p99', 'error-rate', 'cpu']) {
        history.push({ at: r.startedAt + i * 1000, weight: Math.min(100, Math.floor(i / 100)), metric, canary: Math.sin(i) + 2, stable: 2 });
      }
    }
    r.metricHistory = history;
    r.steps = Array.from({ length: 100 }, (_, i) => ({
      index: i,
      weight: i + 1,
      verdict: 'pass' as const,
      checks: 100,
      startedAt: r.startedAt + i * 100_000,
      endedAt: r.startedAt + (i + 1) * 100_000,
      gates: { ...r.steps[0]!.gates, second: r.steps[1]!.gates.metrics!, third: r.steps[2]!.gates.metrics! },
    }));
    const maxBytes = 1024 * 1024;
    const summary = renderReportMarkdown(r, { maxBytes });
    expect(Buffer.byteLength(summary)).toBeLessThan(maxBytes);
    expect(summary).toContain('Verdict:');
    // A comment-size budget forces the shortened form, which says so.
    const comment = renderReportMarkdown(r, { maxBytes: 60_000 });
    expect(Buffer.byteLength(comment)).toBeLessThanOrEqual(60_000);
    expect(comment).toMatch(/shortened to stay under the size limit|omitted/);
    expect(comment).toContain('**Verdict:** ✅ Promoted');
    expectInert(comment);
  });

  test("a sequential metric's minimum detectable increase is shown under its step's gates", () => {
    const r = rolledBackReport();
    r.steps[0]!.gates.metrics!.metrics.push({
      name: 'error-rate',
      verdict: 'pass',
      explanation: 'error-rate: canary errors 1% vs stable 1%',
      power: { kind: 'error-rate', minDetectableIncrease: 0.5, baseRate: 0.02, targetIncrease: 0.2, power: 0.8 },
    });
    const md = renderReportMarkdown(r);
    expect(md).toContain('- 🔎 error-rate: this step could detect +50% (2% → 3%) in the error rate with 80% power; configured +20%');
  });

  test('a metric with fewer than three samples is said in words, not charted', () => {
    const r = runningReport();
    r.metricHistory = [{ at: r.startedAt + 60_000, weight: 10, metric: 'success-rate', canary: 78.30687830687, stable: 97.8973048327 }];
    const md = renderReportMarkdown(r);
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('_success-rate: 1 sample(s) only, the last one canary 78.31, stable 97.9 at 10% weight._');
  });

  test('a budget too small even for the leanest form is cut at a line and says so', () => {
    const md = renderReportMarkdown(rolledBackReport(), { maxBytes: 900 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(900);
    expect(md).toContain('truncated to fit the size limit');
  });
});

test('a step that advanced undecided (on-inconclusive: advance) shows as such, with what it could not see, in the summary and the status', () => {
  const report = promotedReport();
  const advanced = { headline: 'step 3 (50%) advanced without the power to see +50% (on-inconclusive: advance)', message: 'step 3 (50%) did not pass within 600s (step-timeout): metrics: continue — this step could detect +120%; advanced (on-inconclusive: advance)' };
  report.steps[2] = { ...report.steps[2]!, verdict: 'advanced-inconclusive', advanced };
  report.message = `checkout promoted; ${advanced.headline}`;
  const md = renderReportMarkdown(report);
  expect(md).toContain('| 3 | 50% | ⚠️ advanced undecided |');
  expect(md).toContain(`> [!WARNING]\n> ${escapeMarkdown(advanced.message, 1500)}`);
  expect(md).toContain(escapeMarkdown(advanced.headline, 1500));
  expect(renderStatusDescription(report)).toBe('Promoted after 4 step(s), 1 advanced undecided (on-inconclusive: advance)');
  expect(md).toMatch(/\*\*Verdict:\*\* ✅ Promoted[^\n]*, 1 step advanced without the power to see the configured regression\./);
  expect(renderReportMarkdown(promotedReport())).not.toContain('[!WARNING]');
  expect(renderReportMarkdown(promotedReport())).not.toContain('advanced without the power');
});

describe('renderStatusDescription', () => {
  test('pending, success and failure with the reason, max 140 chars', () => {
    expect(renderStatusDescription(runningReport())).toBe('Rolling out: step 2/3 at 20% canary');
    expect(renderStatusDescription(promotedReport())).toBe('Promoted after 4 step(s)');
    const failed = renderStatusDescription(rolledBackReport());
    expect(failed.startsWith('Rolled back: gate-failed: Gate "metrics" failed at step 2')).toBe(true);
    expect(Array.from(failed).length).toBeLessThanOrEqual(140);
    const long = renderStatusDescription({ ...rolledBackReport(), message: 'x'.repeat(1000) });
    expect(Array.from(long)).toHaveLength(140);
  });
});
