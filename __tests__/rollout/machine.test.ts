import {
  initialState,
  isTerminal,
  nextAction,
  parseState,
  serializeState,
  transition,
  TransitionError,
  type MachineEvent,
  type Phase,
  type RolloutState,
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
});
