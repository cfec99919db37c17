import type { Logger } from '../rollout/report.ts';

/** The Logger seam for terminals: phases as headings, warnings and errors marked. */
export function consoleLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  return {
    info: (m) => write(`  ${m}`),
    warning: (m) => write(`  ! ${m}`),
    error: (m) => write(`  ✗ ${m}`),
    debug: () => {},
    group: async (name, fn) => {
      write(`▸ ${name}`);
      return fn();
    },
  };
}
