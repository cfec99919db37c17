/**
 * Fans every rollout event out to the sinks, concurrently, each under a timeout. A sink that throws,
 * rejects or hangs produces one warning (per distinct error) and nothing else: the rollout's outcome
 * never depends on a notification.
 */
import type { ReportSink, RolloutEvent, RolloutReport } from '../rollout/report.ts';
import { errorMessage } from '../util/errors.ts';
import { withTimeout } from '../util/retry.ts';

export interface ReporterOptions {
  /** Per sink and event; a sink still running after this is left to finish on its own. */
  timeoutMs?: number;
}

const DEFAULT_SINK_TIMEOUT_MS = 10_000;

export class Reporter {
  readonly #sinks: readonly ReportSink[];
  readonly #log: { warning(msg: string): void };
  readonly #timeoutMs: number;
  readonly #warned = new Set<string>();

  constructor(sinks: ReportSink[], log: { warning(msg: string): void }, opts: ReporterOptions = {}) {
    this.#sinks = [...sinks];
    this.#log = log;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_SINK_TIMEOUT_MS;
  }

  /** Never rejects. */
  async publish(report: Readonly<RolloutReport>, event: RolloutEvent): Promise<void> {
    let snapshot: RolloutReport;
    try {
      // Sinks may outlive this call (timeout), while the rollout keeps mutating its report.
      snapshot = structuredClone(report) as RolloutReport;
    } catch (err) {
      this.#warnOnce('reporter', `could not copy the report: ${errorMessage(err)}`);
      return;
    }
    await Promise.all(
      this.#sinks.map(async (sink) => {
        try {
          const delivery = Promise.resolve().then(() => sink.publish(snapshot, event));
          // A late rejection after the timeout must not become an unhandled rejection.
          delivery.catch(() => undefined);
          await withTimeout(
            delivery,
            this.#timeoutMs,
            () => new Error(`no answer within ${this.#timeoutMs / 1000} s (event ${event.type}); continuing without it`),
          );
        } catch (err) {
          this.#warnOnce(sink.name, errorMessage(err));
        }
      }),
    );
  }

  #warnOnce(sinkName: string, message: string): void {
    const key = `${sinkName}\u0000${message}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    try {
      this.#log.warning(`Report sink "${sinkName}" failed: ${message}. The rollout continues; only this report is affected.`);
    } catch {
      // A broken logger must not break the rollout either.
    }
  }
}
