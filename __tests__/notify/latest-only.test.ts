import { LatestOnly } from '../../src/notify/latest-only.ts';

test('one delivery in flight; values arriving meanwhile collapse into the latest', async () => {
  const sent: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const q = new LatestOnly<number>(async (v) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 10));
    sent.push(v);
    inFlight--;
  });
  await Promise.all([1, 2, 3, 4, 5].map((v) => q.submit(v)));
  expect(sent).toEqual([1, 5]);
  expect(maxInFlight).toBe(1);
  await q.submit(6);
  expect(sent).toEqual([1, 5, 6]);
});

test('a failed delivery rejects its waiters and does not block the next one', async () => {
  const q = new LatestOnly<number>(async (v) => {
    if (v === 1) throw new Error('down');
  });
  await expect(q.submit(1)).rejects.toThrow('down');
  await expect(q.submit(2)).resolves.toBeUndefined();
});

test('a send that throws synchronously still settles every waiter', async () => {
  const q = new LatestOnly<number>((() => {
    throw new Error('sync');
  }) as unknown as (v: number) => Promise<void>);
  await expect(q.submit(1)).rejects.toThrow('sync');
  await expect(q.submit(2)).rejects.toThrow('sync');
});
