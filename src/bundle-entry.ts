/**
 * The one bundle (dist/main/index.js) behind the action's main step, its post step and the CLI.
 * dist/post/index.js and dist/cli/index.js are two-line wrappers (scripts/dist-wrappers/) that
 * pick their entry through CANARY_GATE_ENTRY, so the three share one copy of the code and of the
 * schema gate's WASM instead of three. Exits explicitly so no idle keep-alive socket delays the job.
 */
import { runMain } from './action/run-main.ts';
import { runPost } from './action/run-post.ts';
import { runCliProcess } from './cli/process.ts';

switch (process.env.CANARY_GATE_ENTRY) {
  case 'post':
    await runPost();
    process.exit(process.exitCode ?? 0);
    break;
  case 'cli':
    process.exit(await runCliProcess(process.argv.slice(2)));
    break;
  case 'schema-worker': {
    // The Postgres schema check's child process (src/schema/worker.ts).
    const { runSchemaWorker } = await import('./schema/worker.ts');
    await runSchemaWorker();
    process.exit(0);
    break;
  }
  default:
    await runMain();
    process.exit(process.exitCode ?? 0);
}
