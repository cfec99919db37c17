import type { Mode } from './config/schema.ts';
import type { RunOutcome } from './rollout/runner.ts';

/**
 * Whether a run failed for its mode — the job fails (action) or the command exits 1 (CLI): a rollout
 * or promotion that did not end promoted (or as a no-op), an abort that could not finish.
 */
export function runFailed(mode: Mode, outcome: RunOutcome): boolean {
  switch (mode) {
    case 'rollout':
    case 'promote':
      return outcome.result !== 'promoted' && outcome.result !== 'noop';
    case 'abort':
      return outcome.result === 'failed';
    default:
      return false;
  }
}

/** One line for logs and terminals: `promoted (reason) — message`. */
export function outcomeLine(outcome: RunOutcome): string {
  return `${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''} — ${outcome.message}`;
}
