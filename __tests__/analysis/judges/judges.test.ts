import { createThresholdJudge } from '../../../src/analysis/judges/threshold.ts';
import { createRelativeJudge, relativeBound } from '../../../src/analysis/judges/relative.ts';
import { withMinRequests, type WindowedSample } from '../../../src/analysis/judges/min-requests.ts';
import { createJudge } from '../../../src/analysis/judges/index.ts';
import type { MetricObservation } from '../../../src/analysis/types.ts';

const obs = (canary?: number, stable?: number, extra: { cn?: number; sn?: number } = {}): MetricObservation[] => [
  {
    at: 1,
    canary: { ...(canary !== undefined ? { value: canary } : {}), ...(extra.cn !== undefined ? { windowRequests: extra.cn } : {}) } as WindowedSample,
    stable: { ...(stable !== undefined ? { value: stable } : {}), ...(extra.sn !== undefined ? { windowRequests: extra.sn } : {}) } as WindowedSample,
  },
];

describe('threshold judge', () => {
  const judge = createThresholdJudge({ min: 99, unit: '%' });
  test.each([
    [99.5, 'pass'],
    [99, 'pass'],
    [98.99, 'fail'],
    [Number.NEGATIVE_INFINITY, 'fail'],
    [undefined, 'inconclusive'],
    [Number.NaN, 'inconclusive'],
  ])('min 99: canary %p -> %s', (v, verdict) => {
    expect(judge(obs(v)).verdict).toBe(verdict);
  });

  test.each([
    [250, 'pass'],
    [500, 'pass'],
    [500.1, 'fail'],
    [Number.POSITIVE_INFINITY, 'fail'],
    [undefined, 'inconclusive'],
  ])('max 500: canary %p -> %s', (v, verdict) => {
    expect(createThresholdJudge({ max: 500 })(obs(v)).verdict).toBe(verdict);
  });

  test('judges only the latest observation and reports the numbers', () => {
    const history: MetricObservation[] = [{ at: 1, canary: { value: 50 } }, { at: 2, canary: { value: 99.7 }, stable: { value: 99.9 } }];
    const r = judge(history);
    expect(r).toMatchObject({ verdict: 'pass', canaryValue: 99.7, stableValue: 99.9, threshold: '>= 99%' });
  });

  test('an empty history is no data, never pass', () => {
    expect(judge([]).verdict).toBe('inconclusive');
  });

  test('needs a bound', () => {
    expect(() => createThresholdJudge({})).toThrow(/min or max/);
  });
});

describe('relative judge', () => {
  test('p99 <= stable p99 x 1.2', () => {
    const judge = createRelativeJudge({ direction: 'lower-is-better', maxIncrease: 0.2, unit: 'ms' });
    expect(judge(obs(119, 100)).verdict).toBe('pass');
    expect(judge(obs(120, 100)).verdict).toBe('pass');
    const r = judge(obs(121, 100));
    expect(r.verdict).toBe('fail');
    expect(r.explanation).toMatch(/canary 121 ms vs stable 100 ms, bound 120 ms/);
    expect(r.threshold).toBe('<= 1.2 x stable (120 ms)');
  });

  test('error rate <= stable + 0.5 percentage points', () => {
    const judge = createRelativeJudge({ direction: 'lower-is-better', maxIncreaseAbs: 0.5, unit: '%' });
    expect(judge(obs(1.4, 1.0)).verdict).toBe('pass');
    expect(judge(obs(1.6, 1.0)).verdict).toBe('fail');
    expect(judge(obs(0.4, 0)).verdict).toBe('pass');
  });

  test('success rate >= stable - 0.5 points (higher is better)', () => {
    const judge = createRelativeJudge({ direction: 'higher-is-better', maxIncreaseAbs: 0.5 });
    expect(judge(obs(99.0, 99.4)).verdict).toBe('pass');
    expect(judge(obs(98.8, 99.4)).verdict).toBe('fail');
    expect(relativeBound(100, { direction: 'higher-is-better', maxIncrease: 0.1 })).toBeCloseTo(90);
  });

  test.each([
    [undefined, 100],
    [120, undefined],
    [120, Number.NaN],
    [120, Number.POSITIVE_INFINITY],
  ])('canary %p stable %p is inconclusive, never pass', (c, s) => {
    const judge = createRelativeJudge({ direction: 'lower-is-better', maxIncrease: 10 });
    expect(judge(obs(c, s)).verdict).toBe('inconclusive');
  });
});

describe('min-requests', () => {
  const inner = createThresholdJudge({ max: 5 });
  test('below the minimum a passing value is inconclusive, and so is a failing one', () => {
    const judge = withMinRequests(inner, 100, 'canary');
    expect(judge(obs(1, undefined, { cn: 99 })).verdict).toBe('inconclusive');
    expect(judge(obs(50, undefined, { cn: 99 })).verdict).toBe('inconclusive');
    expect(judge(obs(1, undefined, {})).explanation).toMatch(/canary saw no requests.*min-requests 100/);
    expect(judge(obs(1, undefined, { cn: 100 })).verdict).toBe('pass');
    expect(judge(obs(50, undefined, { cn: 100 })).verdict).toBe('fail');
  });

  test('a comparison needs enough stable traffic too', () => {
    const judge = withMinRequests(createRelativeJudge({ direction: 'lower-is-better', maxIncrease: 0.2 }), 100, 'both');
    const r = judge(obs(1, 1, { cn: 500, sn: 10 }));
    expect(r.verdict).toBe('inconclusive');
    expect(r.explanation).toMatch(/stable saw 10 requests/);
    expect(judge(obs(1, 1, { cn: 500, sn: 500 })).details).toMatchObject({ canaryRequests: 500, stableRequests: 500 });
  });
});

describe('createJudge', () => {
  test('wires threshold, relative and min-requests from a spec', () => {
    const rel = createJudge({ judge: 'relative', direction: 'lower-is-better', maxIncrease: 0.2, minRequests: 10 });
    expect(rel(obs(130, 100, { cn: 20, sn: 20 })).verdict).toBe('fail');
    expect(rel(obs(130, 100, { cn: 5, sn: 20 })).verdict).toBe('inconclusive');
    const thr = createJudge({ judge: 'threshold', min: 99 });
    expect(thr(obs(98)).verdict).toBe('fail');
  });

  test('judge: sequential calls the sequential judge (error rate, counts)', () => {
    const judge = createJudge({ judge: 'sequential', kind: 'error-rate', alpha: 0.05, allowedIncrease: 0.2, minRequests: 10 });
    // A canary with 10x the stable error rate over plenty of requests must not pass.
    const history: MetricObservation[] = [];
    for (let i = 0; i <= 20; i++) {
      history.push({
        at: i * 1000,
        canary: { requests: i * 1000, errors: i * 100 },
        stable: { requests: i * 1000, errors: i * 10 },
      });
    }
    const r = judge(history);
    expect(r.verdict).toBe('fail');
    expect(judge(history.slice(0, 1)).verdict).not.toBe('pass');
  });
});
