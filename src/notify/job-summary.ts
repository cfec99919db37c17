/**
 * The job summary: the report rendered once, when the rollout has finished. `core.summary.write()`
 * appends to the step's summary file, so writing at every event would repeat it; the final
 * document is the one that matters. GitHub caps a step's summary at 1 MiB.
 */
import type { ReportSink } from '../rollout/report.ts';
import { renderReportMarkdown } from './markdown.ts';

/** Under GitHub's 1 MiB per step, with room for anything else the step writes. */
const SUMMARY_MAX_BYTES = 900 * 1024;

/** The subset of `@actions/core`'s summary used here. */
export interface SummaryWriter {
  emptyBuffer(): unknown;
  addRaw(text: string, addEOL?: boolean): unknown;
  write(options?: { overwrite?: boolean }): Promise<unknown>;
}

export function createJobSummarySink(opts: { summary: SummaryWriter; maxBytes?: number }): ReportSink {
  let written = false;
  return {
    name: 'job-summary',
    async publish(report, event) {
      if (event.type !== 'finished' || written) return;
      const markdown = renderReportMarkdown({ ...report, result: report.result ?? event.result }, { maxBytes: opts.maxBytes ?? SUMMARY_MAX_BYTES });
      opts.summary.emptyBuffer();
      opts.summary.addRaw(markdown, true);
      await opts.summary.write();
      written = true;
    },
  };
}
