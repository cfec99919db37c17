import { runPost } from './action/run-post.ts';

// Entry point of the action's post step (post-if: always()).
await runPost();
process.exit(process.exitCode ?? 0);
