import { runCliProcess } from './cli/process.ts';

// Entry point of the `canary-gate` command when run from source.
process.exit(await runCliProcess(process.argv.slice(2)));
