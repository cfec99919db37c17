import type { GateCheck } from '../../src/rollout/gate.ts';
import { commonFailureReason, failureText, stepVerdict, type NamedCheck, type OnInconclusive } from '../../src/rollout/step-verdict.ts';

const check = (verdict: GateCheck['verdict'], extra: Partial<GateCheck> = {}): GateCheck => ({ verdict, summary: `${verdict} summary`, metrics: [], ...extra });
const named = (gate: string, c: GateCheck): NamedCheck => ({ gate, check: c });
const ready = named('readiness', check('pass'));
const at = (checks: NamedCheck[], elapsedMs = 0, onInconclusive: OnInconclusive = 'rollback') => stepVerdict({ stepIndex: 1, weight: 30, checks, elapsedMs, stepTimeoutMs: 60_000, onInconclusive });

describe('step verdict', () => {
  test.each<[string, NamedCheck[], number, ReturnType<typeof stepVerdict>['kind'], string]>([
    ['every gate passing passes the step', [ready, named('metrics', check('pass'))], 0, 'pass', ''],
    ['no gates but readiness: readiness decides', [ready], 0, 'pass', ''],
    ['a gate that needs more checks continues', [ready, named('metrics', check('continue'))], 10_000, 'continue', ''],
    ['inconclusive continues before the step timeout', [ready, named('metrics', check('inconclusive'))], 59_999, 'continue', ''],
    ['readiness still progressing continues', [named('readiness', check('continue')), named('metrics', check('pass'))], 0, 'continue', ''],
    ['a failing gate breaches with gate-failed', [ready, named('metrics', check('fail'))], 0, 'breach', 'gate-failed'],
    ['a failing gate breaches even at time zero and past the timeout alike', [ready, named('metrics', check('fail'))], 90_000, 'breach', 'gate-failed'],
    ['a provider that stayed down breaches with metrics-unavailable', [ready, named('metrics', check('fail', { reason: 'metrics-unavailable' }))], 0, 'breach', 'metrics-unavailable'],
    ['two gates failing for different reasons: gate-failed', [ready, named('a', check('fail', { reason: 'metrics-unavailable' })), named('b', check('fail'))], 0, 'breach', 'gate-failed'],
    ['two gates failing for the same reason keep it', [ready, named('a', check('fail', { reason: 'gate-inconclusive' })), named('b', check('fail', { reason: 'gate-inconclusive' }))], 0, 'breach', 'gate-inconclusive'],
    ['a crash-looping canary outranks the metrics it skews', [named('readiness', check('fail', { reason: 'canary-crashloop' })), named('metrics', check('fail', { reason: 'metrics-unavailable' }))], 0, 'breach', 'canary-crashloop'],
    ['the step timeout with an inconclusive gate: gate-inconclusive', [ready, named('metrics', check('inconclusive'))], 60_000, 'breach', 'gate-inconclusive'],
    ['the step timeout with gates still continuing: timeout', [ready, named('metrics', check('continue'))], 60_000, 'breach', 'timeout'],
  ])('%s', (_name, checks, elapsed, kind, reason) => {
    const v = at(checks, elapsed);
    expect(v.kind).toBe(kind);
    expect(v.kind === 'breach' ? v.reason : '').toBe(reason);
  });

  test('a breach by failure shows fail in the report row; by timeout, inconclusive when a gate was', () => {
    expect(at([ready, named('metrics', check('fail'))])).toMatchObject({ outcome: 'fail' });
    expect(at([ready, named('metrics', check('inconclusive'))], 60_000)).toMatchObject({ outcome: 'inconclusive' });
    expect(at([ready, named('metrics', check('continue'))], 60_000)).toMatchObject({ outcome: 'fail' });
  });

  test('the timeout message names the step, its weight, the limit and every undecided gate', () => {
    const v = at([ready, named('metrics', check('continue', { summary: '1 of 2 metrics pass' }))], 61_000);
    expect(v.kind === 'breach' && v.message).toBe('step 2 (30%) did not pass within 60s (step-timeout): metrics: continue — 1 of 2 metrics pass');
  });

  test('the failure message names each failing metric with its judge\'s explanation, numbers said once, else the gate summary', () => {
    const metrics = check('fail', {
      summary: 'metric error-rate failed',
      metrics: [
        { name: 'error-rate', verdict: 'fail', explanation: 'canary 7% is above the maximum 1%', canaryValue: 7, stableValue: 0.5, threshold: '<= 1%' },
        { name: 'latency', verdict: 'pass', explanation: 'fine', canaryValue: 100 },
      ],
    });
    const v = at([named('readiness', check('fail', { summary: 'web-canary: CrashLoopBackOff', reason: 'canary-crashloop' })), named('metrics', metrics)]);
    expect(v.kind === 'breach' && v.message).toBe(
      'readiness: web-canary: CrashLoopBackOff; error-rate: canary 7% is above the maximum 1%',
    );
    expect(failureText('schema', check('fail', { summary: 'blocked' }))).toBe('schema: blocked');
    // A judge that already names the metric is not prefixed twice.
    expect(failureText('metrics', check('fail', { metrics: [{ name: 'error-rate', verdict: 'fail', explanation: 'error-rate: canary errors 4% vs stable 2%' }] }))).toBe('error-rate: canary errors 4% vs stable 2%');
  });

  describe('on-inconclusive at step-timeout', () => {
    const power = { kind: 'error-rate' as const, minDetectableIncrease: 1.2, baseRate: 0.01, targetIncrease: 0.5, power: 0.8 };
    const undecidedMetrics = (verdict: 'continue' | 'inconclusive') =>
      named('metrics', check(verdict, { summary: '0 of 1 metrics pass, 1 need more checks (error-rate: this step could detect +120% …)', metrics: [{ name: 'error-rate', verdict, explanation: 'not yet', power }] }));

    test('rollback (the default) keeps the breach: undecided metrics at the limit roll back with the same message', () => {
      for (const verdict of ['continue', 'inconclusive'] as const) {
        const v = at([ready, undecidedMetrics(verdict)], 60_000, 'rollback');
        expect(v).toMatchObject({ kind: 'breach', reason: verdict === 'inconclusive' ? 'gate-inconclusive' : 'timeout' });
        expect(v.kind === 'breach' && v.message).toBe(`step 2 (30%) did not pass within 60s (step-timeout): metrics: ${verdict} — 0 of 1 metrics pass, 1 need more checks (error-rate: this step could detect +120% …)`);
      }
    });

    test('a gate that fails rolls back whatever the option, before and at the limit', () => {
      const failing = named('metrics', check('fail', { metrics: [{ name: 'error-rate', verdict: 'fail', explanation: 'canary errors 4% vs stable 1%' }] }));
      expect(at([ready, failing], 0, 'advance')).toMatchObject({ kind: 'breach', reason: 'gate-failed', outcome: 'fail' });
      expect(at([ready, failing, undecidedMetrics('continue')], 60_000, 'advance')).toMatchObject({ kind: 'breach', reason: 'gate-failed' });
    });

    test('a canary not ready at the limit rolls back with reason timeout even with advance: readiness is not a question of power', () => {
      const notReady = named('readiness', check('continue', { summary: 'canary 0/1 ready; stable 2/2 ready' }));
      expect(at([notReady, undecidedMetrics('continue')], 60_000, 'advance')).toMatchObject({ kind: 'breach', reason: 'timeout', outcome: 'fail' });
      expect(at([notReady, named('metrics', check('pass'))], 60_000, 'advance')).toMatchObject({ kind: 'breach', reason: 'timeout' });
    });

    test('before the limit advance changes nothing: the step continues', () => {
      expect(at([ready, undecidedMetrics('inconclusive')], 59_999, 'advance')).toEqual({ kind: 'continue' });
    });

    test('advance at the limit: the step goes on, carrying what it could not see (the breach text) and a headline with the configured increase', () => {
      const v = at([ready, undecidedMetrics('continue')], 60_000, 'advance');
      expect(v).toEqual({
        kind: 'advance-undecided',
        message: 'step 2 (30%) did not pass within 60s (step-timeout): metrics: continue — 0 of 1 metrics pass, 1 need more checks (error-rate: this step could detect +120% …); advanced (on-inconclusive: advance)',
        headline: 'step 2 (30%) advanced without the power to see +50% (on-inconclusive: advance)',
      });
    });

    test('advance with judges that measure no power says so instead of a number', () => {
      const v = at([ready, named('metrics', check('inconclusive', { metrics: [{ name: 'success', verdict: 'inconclusive', explanation: 'no data' }] }))], 60_000, 'advance');
      expect(v.kind === 'advance-undecided' && v.headline).toBe('step 2 (30%) advanced undecided (its judges measure no power) (on-inconclusive: advance)');
    });
  });

  test.each<[string, Parameters<typeof commonFailureReason>[0], string]>([
    ['no reason given is gate-failed', [undefined], 'gate-failed'],
    ['one shared reason is kept', ['metrics-unavailable', 'metrics-unavailable'], 'metrics-unavailable'],
    ['a shared reason mixed with the default is gate-failed', ['metrics-unavailable', undefined], 'gate-failed'],
    ['nothing failing is gate-failed', [], 'gate-failed'],
  ])('common failure reason: %s', (_name, reasons, expected) => {
    expect(commonFailureReason(reasons)).toBe(expected);
  });
});
