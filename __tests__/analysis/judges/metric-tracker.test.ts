import {
  combineVerdicts,
  initialTrackerState,
  trackJudgeResult,
  trackProviderError,
  type TrackerLimits,
  type TrackerState,
} from '../../../src/analysis/metric-tracker.ts';
import type { JudgeResult, Verdict } from '../../../src/analysis/types.ts';

const r = (verdict: Verdict): JudgeResult => ({ verdict, explanation: `judge said ${verdict}` });

function run(seq: Array<Verdict | 'error'>, limits: TrackerLimits): Verdict[] {
  let state: TrackerState = initialTrackerState();
  return seq.map((v) => {
    const t = v === 'error' ? trackProviderError(state, 'connection refused', limits) : trackJudgeResult(state, r(v), limits);
    state = t.state;
    return t.verdict;
  });
}

describe('metric tracker', () => {
  const limits: TrackerLimits = { failureLimit: 2, errorLimit: 2, inconclusiveLimit: 3 };
  test.each<[Array<Verdict | 'error'>, Verdict[]]>([
    [['fail'], ['continue']],
    [['fail', 'fail'], ['continue', 'fail']],
    [['fail', 'pass', 'fail'], ['continue', 'pass', 'continue']],
    [['inconclusive', 'inconclusive', 'inconclusive'], ['inconclusive', 'inconclusive', 'fail']],
    [['inconclusive', 'pass', 'inconclusive'], ['inconclusive', 'pass', 'inconclusive']],
    [['error', 'error'], ['inconclusive', 'fail']],
    [['error', 'pass', 'error'], ['inconclusive', 'pass', 'inconclusive']],
    [['continue', 'continue'], ['continue', 'continue']],
  ])('%j -> %j', (seq, expected) => {
    expect(run(seq, limits)).toEqual(expected);
  });

  test('failure-limit 1 fails on the first failing check, with the reason', () => {
    const t = trackJudgeResult(initialTrackerState(), r('fail'), { failureLimit: 1, errorLimit: 3 });
    expect(t).toMatchObject({ verdict: 'fail', reason: 'gate-failed' });
    expect(t.explanation).toMatch(/failure-limit 1/);
  });

  test('a provider that stays down fails with metrics-unavailable, never passes', () => {
    let s = initialTrackerState();
    const limits2 = { failureLimit: 1, errorLimit: 3 };
    const verdicts: Verdict[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = trackProviderError(s, 'prometheus: HTTP 503', limits2);
      s = last.state;
      verdicts.push(last.verdict);
    }
    expect(verdicts).toEqual(['inconclusive', 'inconclusive', 'fail']);
    expect(last!.reason).toBe('metrics-unavailable');
    expect(last!.explanation).toMatch(/^metrics-unavailable: prometheus: HTTP 503/);
  });

  test('without inconclusive-limit, no data stays inconclusive (the engine decides by max duration)', () => {
    expect(run(Array(10).fill('inconclusive'), { failureLimit: 1, errorLimit: 1 })).toEqual(Array(10).fill('inconclusive'));
  });

  test.each<[Verdict[], Verdict]>([
    [['pass', 'pass'], 'pass'],
    [['pass', 'fail'], 'fail'],
    [['inconclusive', 'fail'], 'fail'],
    [['pass', 'continue'], 'continue'],
    [['continue', 'inconclusive'], 'inconclusive'],
    [['pass', 'inconclusive'], 'inconclusive'],
    [[], 'inconclusive'],
  ])('combine %j -> %s', (vs, v) => {
    expect(combineVerdicts(vs)).toBe(v);
  });
});
