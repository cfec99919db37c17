import { runCli } from './cli/run-cli.ts';

// Entry point of the `canary-gate` command. SIGINT/SIGTERM stop the rollout and roll back.
const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  if (!controller.signal.aborted) controller.abort(new Error(`cancelled (${signal})`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
});
process.exit(code);
