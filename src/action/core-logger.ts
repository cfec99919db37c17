import * as core from '@actions/core';
import type { Logger } from '../rollout/report.ts';

/** The Logger seam backed by @actions/core: one group per phase, annotations for warnings/errors. */
export function coreLogger(): Logger {
  let depth = 0;
  return {
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    error: (m) => core.error(m),
    debug: (m) => core.debug(m),
    // GitHub does not nest log groups: an inner group prints as a heading line instead.
    group: async (name, fn) => {
      if (depth > 0) {
        core.info(`— ${name}`);
        return fn();
      }
      depth++;
      try {
        return await core.group(name, fn);
      } finally {
        depth--;
      }
    },
  };
}
