import { Reporter } from '../../src/notify/reporter.ts';
import type { ReportSink, RolloutEvent, RolloutReport } from '../../src/rollout/report.ts';
import { runningReport } from './fixtures.ts';

const step: RolloutEvent = { type: 'step', stepIndex: 1, weight: 20 };

function recordingSink(name: string, seen: RolloutEvent[]): ReportSink {
  return {
    name,
    async publish(_report, event) {
      seen.push(event);
    },
  };
}

test('a sink that throws, rejects or hangs does not stop the others and warns once per distinct error', async () => {
  const seen: RolloutEvent[] = [];
  const warnings: string[] = [];
  let hangingCalls = 0;
  const sinks: ReportSink[] = [
    {
      name: 'throws',
      publish() {
        throw new Error('boom');
      },
    },
    { name: 'rejects', publish: async () => Promise.reject(new Error('HTTP 500')) },
    {
      name: 'hangs',
      publish: () => {
        hangingCalls++;
        return new Promise<void>(() => undefined);
      },
    },
    recordingSink('ok', seen),
  ];
  const reporter = new Reporter(sinks, { warning: (m) => warnings.push(m) }, { timeoutMs: 50 });
  const started = Date.now();
  await expect(reporter.publish(runningReport(), step)).resolves.toBeUndefined();
  await expect(reporter.publish(runningReport(), { type: 'finished', result: 'promoted' })).resolves.toBeUndefined();
  expect(Date.now() - started).toBeLessThan(2000);

  expect(seen.map((e) => e.type)).toEqual(['step', 'finished']);
  expect(hangingCalls).toBe(2);
  // Same error twice -> one warning per sink; the hang message names the event, so it differs.
  expect(warnings.filter((w) => w.includes('"throws"'))).toHaveLength(1);
  expect(warnings.filter((w) => w.includes('"rejects"'))).toHaveLength(1);
  expect(warnings.filter((w) => w.includes('"hangs"'))).toHaveLength(2);
  expect(warnings.find((w) => w.includes('"throws"'))).toContain('boom');
  expect(warnings.every((w) => w.includes('The rollout continues'))).toBe(true);
});

test('sinks run concurrently and receive a snapshot the rollout cannot change under them', async () => {
  const order: string[] = [];
  let seenWeight = -1;
  const slow: ReportSink = {
    name: 'slow',
    async publish(report) {
      order.push('slow-start');
      await new Promise((r) => setTimeout(r, 30));
      seenWeight = report.weight;
      order.push('slow-end');
    },
  };
  const fast: ReportSink = {
    name: 'fast',
    async publish() {
      order.push('fast');
    },
  };
  const report: RolloutReport = runningReport();
  const reporter = new Reporter([slow, fast], { warning: () => undefined });
  const done = reporter.publish(report, step);
  report.weight = 99; // the rollout moves on while the sinks work
  await done;
  expect(order).toEqual(['slow-start', 'fast', 'slow-end']);
  expect(seenWeight).toBe(20);
});

test('a logger that throws does not escape', async () => {
  const reporter = new Reporter(
    [{ name: 'bad', publish: async () => Promise.reject(new Error('x')) }],
    {
      warning() {
        throw new Error('logger down');
      },
    },
  );
  await expect(reporter.publish(runningReport(), step)).resolves.toBeUndefined();
});
