/**
 * Workflow annotations: a schema warning as a warning. The reason of a rollback is not repeated
 * here: the action fails the job with it (core.setFailed), which is already the one error
 * annotation on the run's summary page.
 */
import type { ReportSink } from '../rollout/report.ts';

export interface AnnotationWriter {
  error(message: string, properties?: { title?: string }): void;
  warning(message: string, properties?: { title?: string }): void;
}

export function createAnnotationsSink(opts: { core: AnnotationWriter }): ReportSink {
  return {
    name: 'annotations',
    async publish(report, event) {
      if (event.type !== 'precheck' || event.result.verdict !== 'warn') return;
      const target = `${report.target.namespace}/${report.target.deployment}`;
      opts.core.warning(event.result.summary, { title: `Canary Gate ${target}: schema warning` });
    },
  };
}
