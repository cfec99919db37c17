import type { GateCheck } from '../../src/rollout/gate.ts';
import { commonFailureReason, failureText, stepVerdict, type NamedCheck } from '../../src/rollout/step-verdict.ts';

const check = (verdict: GateCheck['verdict'], extra: Partial<GateCheck> = {}): GateCheck => ({ verdict, summary: `${verdict} summary`, metrics: [], ...extra });
const named = (gate: string, c: GateCheck): NamedCheck => ({ gate, check: c });
const ready = named('readiness', check('pass'));
const at = (checks: NamedCheck[], elapsedMs = 0) => stepVerdict({ stepIndex: 1, weight: 30, checks, elapsedMs, stepTimeoutMs: 60_000 });

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

  test.each<[string, Parameters<typeof commonFailureReason>[0], string]>([
    ['no reason given is gate-failed', [undefined], 'gate-failed'],
    ['one shared reason is kept', ['metrics-unavailable', 'metrics-unavailable'], 'metrics-unavailable'],
    ['a shared reason mixed with the default is gate-failed', ['metrics-unavailable', undefined], 'gate-failed'],
    ['nothing failing is gate-failed', [], 'gate-failed'],
  ])('common failure reason: %s', (_name, reasons, expected) => {
    expect(commonFailureReason(reasons)).toBe(expected);
  });
});
