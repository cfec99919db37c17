/**
 * npm run demo — a full canary rollout end to end on the embedded simulator, as a GitHub runner
 * would run the action: the bundled dist/main/index.js in a child process with INPUT_* variables.
 *
 *   1. a healthy canary, gated on its success rate measured by a real Prometheus → promoted
 *   2. a canary that crash-loops → rolled back at once, with the reason
 *   3. a canary whose error rate rises to 25 % → rolled back by the metric gate
 *
 * Without the `prometheus` binary (scripts/install-prometheus.sh installs it) the demo still runs
 * 1 and 2, gated on readiness only, and says so. Each scenario's reports (JSON report, job summary,
 * PR comment, commit statuses, Slack messages, and PNGs of the summary when Chromium is installed)
 * stay in a folder the demo names at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumAvailable, renderMarkdownFile, Screenshotter } from './github-render.ts';
import { runDemo } from './demo-run.ts';
import { readFileSync } from 'node:fs';

const started = Date.now();
const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-demo-reports-'));
const workspace = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-demo-'));
try {
  const result = await runDemo({ reportsDir, workspace });
  const pictures: string[] = [];
  if (chromiumAvailable()) {
    const shooter = await Screenshotter.start();
    try {
      for (const s of result.scenarios) {
        pictures.push(...(await renderMarkdownFile(readFileSync(path.join(s.dir, 'summary.md'), 'utf8'), path.join(s.dir, 'summary'), shooter, ['light'])));
      }
    } finally {
      await shooter.close();
    }
  }
  console.log(`\nSummary (${Math.round((Date.now() - started) / 1000)} s):`);
  for (const s of result.scenarios) {
    const o = s.outputs;
    console.log(`  ${s.title}: result=${o.result} final-weight=${o['final-weight']}${o.reason ? ` reason=${o.reason}` : ''}`);
  }
  console.log(`  demo/web now runs ${result.finalImage}; canary weight ${result.finalWeight}%.`);
  console.log(`\nReports of each scenario (report.json, summary.md, pr-comment.md, slack.json, github.json) are in:\n  ${reportsDir}`);
  if (pictures.length > 0) console.log(`The job summaries as GitHub shows them (PNG):\n${pictures.map((p) => `  ${p}`).join('\n')}`);
  else console.log(`(Install Debian's chromium to get PNG pictures of the job summaries.)`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
