import type { Config } from '../config/index.ts';
import type { Logger } from '../rollout/report.ts';

/** mode: check — the schema/config compatibility check alone, no cluster access. Returns true when blocked. */
export async function runSchemaCheckMode(_config: Config, ctx: { cwd: string; log: Logger }): Promise<boolean> {
  ctx.log.warning('mode: check is not wired yet');
  return false;
}
