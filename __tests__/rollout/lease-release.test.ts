/**
 * Found by the hardening fault tests: a lease renewal in flight while the run released its lease
 * re-armed the renewal timer — the released lease was renewed once more (a dead run's lock lived one
 * more lease duration) and a timer outlived the run.
 */
import type { KubeApi, KubeObject } from '../../src/kube/types.ts';
import { LeaseLock } from '../../src/rollout/lease-lock.ts';
import { sleep } from '../../src/util/retry.ts';

test('a renewal in flight during release() neither renews again nor leaves a timer behind', async () => {
  let lease: KubeObject | undefined;
  const calls: string[] = [];
  let slowGets = false;
  let getStarted: () => void = () => {};
  const kube = {
    get: async () => {
      calls.push('get');
      const snapshot = lease ? structuredClone(lease) : undefined;
      if (slowGets) {
        getStarted();
        await sleep(50);
      }
      return snapshot;
    },
    create: async (obj: KubeObject) => {
      calls.push('create');
      lease = structuredClone(obj);
      return obj;
    },
    replace: async (obj: KubeObject) => {
      calls.push('replace');
      lease = structuredClone(obj);
      return obj;
    },
    // The API is failing: the release cannot delete the lease (it would expire by itself).
    delete: async () => {
      calls.push('delete');
      await sleep(100);
      throw Object.assign(new Error('HTTP 503'), { status: 503 });
    },
  } as unknown as KubeApi;
  const lock = new LeaseLock({ kube, namespace: 'ns', deployment: 'web', holder: 'run-1', durationMs: 600 });
  await lock.acquire();
  lock.startRenewing(() => {});
  // Wait until a renewal is inside its (slow) read, then release.
  slowGets = true;
  await new Promise<void>((resolve) => (getStarted = resolve));
  slowGets = false;
  await lock.release();
  const afterRelease = calls.length;
  await sleep(700); // longer than the renewal period (200 ms) — plenty of time for a re-armed timer
  const late = calls.slice(afterRelease);
  // No renewal cycle (get + replace) starts after the release: the lease is left to expire.
  expect(late).toEqual([]);
});
