import { CanaryGateError } from '../../src/util/errors.ts';
import {
  applyRequest,
  breachEvent,
  initialState,
  isTerminal,
  nextAction,
  parseState,
  serializeState,
  transition,
  TransitionError,
  type MachineEvent,
  type Phase,
  type Request,
  type RolloutState,
  requestEvent,
} from '../../src/rollout/machine.ts';

const t0 = new Date('2026-11-24T10:00:00Z');
const fresh = (steps = [10, 50, 100]): RolloutState =>
  initialState({ runId: 'run-1', steps, container: 'web', stableImage: 'web:1', canaryImage: 'web:2', stableReplicas: 4, now: t0 });

function drive(state: RolloutState, events: MachineEvent[]): RolloutState {
  return events.reduce((s, e) => transition(s, e, t0), state);
}

describe('rollout state machine', () => {
  test('happy path walks every step, then promotes', () => {
    let s = fresh();
    expect(nextAction(s)).toEqual({ kind: 'deploy-canary' });
    s = transition(s, { type: 'canary-ready' }, t0);
    const seen: string[] = [];
    for (;;) {
      const a = nextAction(s);
      seen.push(a.kind === 'shift' || a.kind === 'analyse' ? `${a.kind}:${a.weight}` : a.kind);
      if (a.kind === 'shift') s = transition(s, { type: 'shifted', weight: a.weight }, t0);
      else if (a.kind === 'analyse') s = transition(s, { type: 'step-passed' }, t0);
      else if (a.kind === 'promote') s = transition(s, { type: 'promoted' }, t0);
      else break;
    }
    expect(seen).toEqual(['shift:10', 'analyse:10', 'shift:50', 'analyse:50', 'shift:100', 'analyse:100', 'promote', 'finish']);
    expect(s.phase).toBe('promoted');
    expect(s.result).toBe('promoted');
    expect(s.weight).toBe(0);
  });

  const breach: MachineEvent = { type: 'breach', reason: 'gate-failed', message: 'error rate 7% > 1%' };
  const atPhase: Record<string, MachineEvent[]> = {
    deploying: [],
    shifting: [{ type: 'canary-ready' }],
    analysing: [{ type: 'canary-ready' }, { type: 'shifted', weight: 10 }],
    promoting: [{ type: 'canary-ready' }, { type: 'promote-requested' }],
  };

  test.each(Object.keys(atPhase))('a breach while %s rolls back with the reason', (phase) => {
    const s = drive(fresh(), [...(atPhase[phase] ?? []), breach]);
    expect(s.phase).toBe('rolling-back');
    expect(nextAction(s)).toEqual({ kind: 'rollback', reason: 'gate-failed', message: 'error rate 7% > 1%' });
    const done = transition(s, { type: 'rolled-back' }, t0);
    expect(done.phase).toBe('rolled-back');
    expect(done.result).toBe('rolled-back');
    expect(done.reason).toBe('gate-failed');
    expect(done.weight).toBe(0);
  });

  test.each(Object.keys(atPhase))('an abort while %s ends aborted, not rolled-back', (phase) => {
    const s = drive(fresh(), [...(atPhase[phase] ?? []), { type: 'abort-requested', message: 'mode: abort' }, { type: 'rolled-back' }]);
    expect(s.phase).toBe('aborted');
    expect(s.result).toBe('aborted');
  });

  test('a failed rollback ends failed and says so', () => {
    const s = drive(fresh(), [{ type: 'canary-ready' }, breach, { type: 'rollback-failed', message: 'API down' }]);
    expect(s.phase).toBe('failed');
    expect(s.result).toBe('failed');
    expect(s.message).toContain('rollback failed: API down');
  });

  test('a second breach during rollback keeps the first reason', () => {
    const s = drive(fresh(), [{ type: 'canary-ready' }, breach, { type: 'breach', reason: 'cancelled', message: 'SIGTERM' }]);
    expect(s.phase).toBe('rolling-back');
    expect(s.reason).toBe('gate-failed');
  });

  test('promote requested mid-rollout skips the remaining steps', () => {
    const s = drive(fresh(), [{ type: 'canary-ready' }, { type: 'shifted', weight: 10 }, { type: 'promote-requested' }]);
    expect(nextAction(s)).toEqual({ kind: 'promote' });
  });

  test('terminal phases accept no event', () => {
    const done = drive(fresh(), [{ type: 'canary-ready' }, breach, { type: 'rolled-back' }]);
    expect(isTerminal(done.phase)).toBe(true);
    expect(() => transition(done, breach, t0)).toThrow(TransitionError);
    expect(nextAction(done)).toEqual({ kind: 'finish', result: 'rolled-back' });
  });

  test.each<[Phase, MachineEvent]>([
    ['deploying', { type: 'shifted', weight: 5 }],
    ['deploying', { type: 'step-passed' }],
    ['deploying', { type: 'promoted' }],
    ['deploying', { type: 'rolled-back' }],
  ])('in %s the event %o is refused', (_phase, event) => {
    expect(() => transition(fresh(), event, t0)).toThrow(TransitionError);
  });

  test('state survives the annotation round trip; foreign values are ignored', () => {
    const s = drive(fresh(), [{ type: 'canary-ready' }, { type: 'shifted', weight: 10 }]);
    expect(parseState(serializeState(s))).toEqual(s);
    expect(parseState('not json')).toBeUndefined();
    expect(parseState(JSON.stringify({ version: 2, runId: 'x', phase: 'shifting', steps: [] }))).toBeUndefined();
    expect(parseState(undefined)).toBeUndefined();
  });

  describe('a request carried out by the requesting run itself', () => {
    const rollingBack = drive(fresh(), [{ type: 'canary-ready' }, breach]);
    const promoting = drive(fresh(), [{ type: 'canary-ready' }, { type: 'promote-requested' }]);
    const analysing = drive(fresh(), [{ type: 'canary-ready' }, { type: 'shifted', weight: 10 }]);
    test.each<[string, RolloutState, Request, Partial<RolloutState>]>([
      ['promote while analysing promotes', analysing, 'promote', { phase: 'promoting' }],
      ['promote while promoting finishes the promotion', promoting, 'promote', { phase: 'promoting' }],
      ['promote while rolling back finishes the rollback', rollingBack, 'promote', { phase: 'rolling-back', reason: 'gate-failed' }],
      ['abort while analysing rolls back as aborted', analysing, 'abort', { phase: 'rolling-back', reason: 'aborted', rollbackKind: 'abort', message: 'mode: abort (run run-2)' }],
      ['abort while rolling back keeps the first reason', rollingBack, 'abort', { phase: 'rolling-back', reason: 'gate-failed', rollbackKind: 'breach' }],
      ['a cancelled run\'s cleanup rolls back as cancelled', analysing, 'cleanup-of-cancelled-run', { phase: 'rolling-back', reason: 'cancelled', rollbackKind: 'breach' }],
      ['a cancelled run\'s cleanup during a promotion rolls back', promoting, 'cleanup-of-cancelled-run', { phase: 'rolling-back', reason: 'cancelled' }],
    ])('%s', (_name, state, request, expected) => {
      expect(applyRequest(state, request, 'run-2', t0)).toMatchObject(expected);
    });

    test('a cancelled run\'s cleanup ends rolled-back with reason cancelled, not aborted', () => {
      const s = transition(applyRequest(analysing, 'cleanup-of-cancelled-run', 'run-2', t0), { type: 'rolled-back' }, t0);
      expect(s).toMatchObject({ phase: 'rolled-back', result: 'rolled-back', reason: 'cancelled' });
    });
  });

  test('a request from another run becomes abort-requested or promote-requested', () => {
    expect(requestEvent('abort', 'abort requested by another run')).toEqual({ type: 'abort-requested', message: 'abort requested by another run' });
    expect(requestEvent('promote', 'ignored')).toEqual({ type: 'promote-requested' });
  });

  describe('the breach a failed action becomes', () => {
    const err = new CanaryGateError('canary-crashloop', 'web-canary is crash looping');
    test.each<[string, Parameters<typeof breachEvent>[1], { reason: string; message: RegExp }]>([
      ['the error\'s own reason', { timedOut: false, cancelled: false, leaseLost: false }, { reason: 'canary-crashloop', message: /crash looping/ }],
      ['the overall timeout before anything else', { timedOut: true, cancelled: true, leaseLost: { reason: new Error('lease taken') } }, { reason: 'timeout', message: /overall timeout of 600s/ }],
      ['a cancel before a lost lease', { timedOut: false, cancelled: true, leaseLost: { reason: new Error('lease taken') } }, { reason: 'cancelled', message: /cancelled/ }],
      ['a lost lease, with why', { timedOut: false, cancelled: false, leaseLost: { reason: new Error('lease taken by run 7') } }, { reason: 'locked', message: /lease taken by run 7/ }],
    ])('%s', (_name, stopped, expected) => {
      const event = breachEvent(err, stopped, 600_000);
      expect(event).toMatchObject({ type: 'breach', reason: expected.reason });
      expect(event.type === 'breach' && event.message).toMatch(expected.message);
    });

    test('an error without a reason is internal', () => {
      expect(breachEvent(new Error('boom'), { timedOut: false, cancelled: false, leaseLost: false }, 1_000)).toEqual({ type: 'breach', reason: 'internal', message: 'boom' });
    });
  });
});
