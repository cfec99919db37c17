/**
 * Every Mermaid block the report renderer can produce parses with the real `mermaid` package (the
 * one GitHub runs): all detail levels, 1 to 10,000 points, missing stable values, negative and tiny
 * values, hostile metric names. Mermaid's parser needs a DOM only for DOMPurify (it sanitises
 * labels at load time); happy-dom provides that window, nothing is rendered.
 */
import { Window } from 'happy-dom';
import { renderReportMarkdown } from '../../src/notify/markdown.ts';
import type { MetricPoint, RolloutReport } from '../../src/rollout/report.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

type Mermaid = { parse(text: string): Promise<unknown> };
let mermaid: Mermaid;
let window: Window;

beforeAll(async () => {
  window = new Window();
  Object.assign(globalThis, { window, document: window.document });
  mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default;
});

afterAll(async () => {
  await window.happyDOM.abort();
  window.close();
});

function mermaidBlocks(md: string): string[] {
  return md.split('```mermaid\n').slice(1).map((b) => b.split('\n```')[0]!);
}

function withHistory(base: RolloutReport, n: number, value: (i: number) => { canary: number; stable?: number }, metric = 'error-rate'): RolloutReport {
  const history: MetricPoint[] = [];
  for (let i = 0; i < n; i++) history.push({ at: base.startedAt + 30_000 * (i + 1), weight: Math.min(100, 10 * Math.ceil((i + 1) / 10)), metric, ...value(i) });
  return { ...base, metricHistory: history };
}

const reports: [string, RolloutReport][] = [
  ['promoted', promotedReport()],
  ['rolled back', rolledBackReport()],
  ['running', runningReport()],
  ['three points (the fewest charted)', withHistory(runningReport(), 3, () => ({ canary: 1, stable: 1 }))],
  ['no stable', withHistory(runningReport(), 30, (i) => ({ canary: i }))],
  ['stable only sometimes', withHistory(runningReport(), 30, (i) => ({ canary: i, ...(i % 3 === 0 ? { stable: 2 } : {}) }))],
  ['constant', withHistory(runningReport(), 40, () => ({ canary: 0, stable: 0 }))],
  ['negative', withHistory(runningReport(), 40, (i) => ({ canary: -5 - i, stable: -3 }))],
  ['tiny', withHistory(runningReport(), 40, (i) => ({ canary: 1e-9 * i, stable: 3e-12 }))],
  ['huge', withHistory(runningReport(), 40, (i) => ({ canary: 1e17 * i, stable: 5e16 }))],
  ['10,000 points', withHistory(runningReport(), 10_000, (i) => ({ canary: Math.sin(i) + 2, stable: 2 }))],
  ['hostile name', withHistory(runningReport(), 50, (i) => ({ canary: i, stable: 1 }), 'p99"] \n```\n<script>%%{init}%% --> ;[x]')],
];

describe('every Mermaid block parses with the mermaid package', () => {
  test.each(reports)('%s, at every size budget', async (_name, report) => {
    let blocks = 0;
    for (const maxBytes of [1_000_000, 60_000, 20_000, 8_000]) {
      for (const block of mermaidBlocks(renderReportMarkdown(report, { maxBytes }))) {
        blocks++;
        await expect(mermaid.parse(block)).resolves.toMatchObject({ diagramType: 'xychart' });
      }
    }
    expect(blocks).toBeGreaterThan(0);
  });

  test('the parser is strict enough to fail this test: a broken block is refused', async () => {
    const broken = mermaidBlocks(renderReportMarkdown(promotedReport()))[0]!.replace(/line \[/, 'line [,');
    await expect(mermaid.parse(broken)).rejects.toThrow();
  });
});
