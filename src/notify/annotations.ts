/**
 * Workflow annotations: the rollback reason as an error (shown on the run's summary page), a
 * schema warning as a warning. Written once per rollout.
 */
import type { ReportSink } from '../rollout/report.ts';
import { isBadResult } from './markdown.ts';

export interface AnnotationWriter {
  error(message: string, properties?: { title?: string }): void;
  warning(message: string, properties?: { title?: string }): void;
}

export function createAnnotationsSink(opts: { core: AnnotationWriter }): ReportSink {
  let reported = false;
  return {
    name: 'annotations',
    async publish(report, event) {
      const target = `${report.target.namespace}/${report.target.deployment}`;
      if (event.type === 'precheck' && event.result.verdict === 'warn') {
        opts.core.warning(event.result.summary, { title: `Canary Gate ${target}: schema warning` });
        return;
      }
      if (event.type !== 'finished' || reported) return;
      const final = { ...report, result: event.result };
      if (!isBadResult(final)) return;
      reported = true;
      const why = [report.reason, report.message].filter(Boolean).join(': ') || 'no reason recorded';
      const verb = event.result === 'rolled-back' ? 'rolled back' : event.result;
      opts.core.error(`${target} ${verb}: ${why}`, { title: `Canary Gate ${target} ${verb}` });
    },
  };
}
