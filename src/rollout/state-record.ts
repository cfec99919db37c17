/**
 * The rollout's record: every state is written to the stable Deployment's state annotation before
 * the effect it leads to, so that a crash, a cancel or a re-run can finish or undo it.
 */
import { errorMessage } from '../util/errors.ts';
import { isTerminal, type RolloutState } from './machine.ts';
import type { ReportBuilder } from './report-builder.ts';
import type { Logger } from './report.ts';
import type { Workloads } from './workloads.ts';

export class StateRecord {
  private readonly deps: {
    workloads: Workloads;
    deployment: string;
    builder: ReportBuilder;
    log: Logger;
    /** Called after every saved state (the entry point records progress for the post step). */
    onState?: (state: RolloutState) => void;
  };

  constructor(deps: StateRecord['deps']) {
    this.deps = deps;
  }

  /** Records a state; returns it. Only forward progress needs the record: a rollback goes on without it. */
  async save(state: RolloutState): Promise<RolloutState> {
    this.deps.builder.setPhase(state.phase, state.weight);
    try {
      await this.deps.workloads.saveState(this.deps.deployment, state);
    } catch (err) {
      if (state.phase !== 'rolling-back' && !isTerminal(state.phase)) throw err;
      this.deps.log.warning(`Could not record state ${state.phase}: ${errorMessage(err)}`);
    }
    this.deps.onState?.(state);
    return state;
  }
}
