import { runMain } from './action/run-main.ts';

// Entry point of the action's main step. Exits explicitly so no idle keep-alive socket delays the job.
await runMain();
process.exit(process.exitCode ?? 0);
