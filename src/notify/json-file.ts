/**
 * The whole report as JSON at `report-path`, rewritten at every event so later workflow steps (and
 * a post step after a crash) read the latest truth. Written to a temporary file and renamed, so a
 * reader never sees half a file.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { ReportSink } from '../rollout/report.ts';

export function createJsonFileSink(opts: { path: string }): ReportSink {
  let seq = 0;
  return {
    name: 'json-file',
    async publish(report) {
      const dir = dirname(opts.path);
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${basename(opts.path)}.${process.pid}.${++seq}.tmp`);
      try {
        await writeFile(tmp, JSON.stringify(report, null, 2) + '\n', 'utf8');
        await rename(tmp, opts.path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
  };
}
