/**
 * The live run's request channel: mode promote/abort of another run writes a request annotation on
 * the stable Deployment; the live run reads it while it waits (settle time, between checks).
 */
import { requestEvent, type MachineEvent } from './machine.ts';
import type { Logger } from './report.ts';
import type { Workloads } from './workloads.ts';

/** How often a waiting run looks for a request (and a requesting run for the live run's result). */
export const REQUEST_POLL_MS = 1_000;

export class RequestChannel {
  private readonly workloads: Workloads;
  private readonly deployment: string;
  private readonly deps: { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; log: Logger };

  constructor(workloads: Workloads, deployment: string, deps: RequestChannel['deps']) {
    this.workloads = workloads;
    this.deployment = deployment;
    this.deps = deps;
  }

  /** A request left by an earlier promote/abort run is not meant for a new rollout. */
  async clear(): Promise<void> {
    if (await this.workloads.readRequest(this.deployment)) await this.workloads.writeRequest(this.deployment, null);
  }

  ask(kind: 'promote' | 'abort'): Promise<void> {
    return this.workloads.writeRequest(this.deployment, kind);
  }

  /** Sleeps up to `ms`, returning early with an event when another run asked to promote or abort. */
  async waitWatching(ms: number, signal: AbortSignal): Promise<MachineEvent | undefined> {
    const end = this.deps.now() + ms;
    for (;;) {
      const request = await this.workloads.readRequest(this.deployment);
      if (request) {
        await this.workloads.writeRequest(this.deployment, null);
        this.deps.log.info(`Another run asked to ${request} (mode: ${request}).`);
        return requestEvent(request, 'abort requested by another run (mode: abort)');
      }
      const left = end - this.deps.now();
      if (left <= 0) return undefined;
      await this.deps.sleep(Math.min(left, REQUEST_POLL_MS * 5), signal);
    }
  }
}
