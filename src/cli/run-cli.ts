/**
 * The command-line entry: the same rollout as the action, for local use and other CI systems.
 *   canary-gate <rollout|promote|abort|status|check> --deployment web --image ghcr.io/acme/web:2 \
 *     [--namespace shop] [--kubeconfig ~/.kube/config] [--config-file .github/canary.yml] [--<input> value]...
 *   canary-gate schema-check --dir migrations --base origin/main [--head HEAD] ...
 * Flags are the action's input names. It prints plain text — never workflow commands — and says
 * how it ended by its exit code: 0 promoted/ok, 1 rolled back, blocked or failed, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { runCanaryGate, runSchemaCheckMode } from '../app.ts';
import { adaptToEnvironment } from '../config/environment.ts';
import { configFromInputs, readerOf } from '../config/from-inputs.ts';
import { CONFIG_INPUTS, SECRET_INPUTS } from '../config/load.ts';
import { MODES, type Mode } from '../config/schema.ts';
import { outcomeLine, runFailed } from '../exit-status.ts';
import { CanaryGateError, errorMessage } from '../util/errors.ts';
import { consoleLogger } from './console-logger.ts';

const CLI_USAGE = `Usage: canary-gate <${MODES.join('|')}> --deployment <name> [--image <ref>] [--namespace <ns>]
                   [--kubeconfig <path>] [--config-file <path>] [--<input> <value>]...
       canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>] [--dialect postgres|mysql] [--format json|markdown] [--strict]
Flags take the action's input names (see action.yml); the command is the mode.
Exit: 0 promoted/ok, 1 rolled back/blocked/failed, 2 usage error.`;

/** Every action input except `mode` (the command names it), each taking a value. */
const FLAGS: ParseArgsOptionsConfig = Object.fromEntries(
  [...CONFIG_INPUTS.filter((n) => n !== 'mode'), ...SECRET_INPUTS, 'config-file', 'prometheus-url', 'config'].map((name) => [name, { type: 'string' as const }]),
);

/** `--name value` / `--name=value` for the action's inputs; anything else is a usage error. */
function parseFlags(argv: string[]): Record<string, string> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const flags = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'));
  // --config is the short spelling of --config-file.
  if (flags.config !== undefined) {
    if (flags['config-file'] !== undefined) throw new CanaryGateError('invalid-input', 'give --config-file or --config, not both');
    flags['config-file'] = flags.config;
    delete flags.config;
  }
  return flags;
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? io.stdout : io.stderr)(`${CLI_USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'schema-check') {
    const { schemaCheckCli } = await import('../schema/index.ts');
    return schemaCheckCli(rest, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd });
  }
  if (!(MODES as readonly string[]).includes(command)) {
    io.stderr(`unknown command "${command}"\n${CLI_USAGE}\n`);
    return 2;
  }
  const mode = command as Mode;
  const log = consoleLogger((line) => io.stdout(`${line}\n`));
  let flags: Record<string, string>;
  try {
    flags = parseFlags(rest);
    // On the command line the kubeconfig is a file, as for kubectl.
    if (flags.kubeconfig) flags.kubeconfig = readFileSync(flags.kubeconfig, 'utf8');
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n${CLI_USAGE}\n`);
    return 2;
  }
  try {
    const read = configFromInputs({ input: readerOf({ ...flags, mode }), cwd: io.cwd, env: io.env, maskSecret: () => {}, info: (m) => log.info(m), warn: (m) => log.warning(m) });
    const config = adaptToEnvironment(read.config, { entry: 'cli', vars: io.env, tmpDir: os.tmpdir(), localRunId: `local-${process.pid}-${Date.now().toString(36)}` });
    if (mode === 'check') {
      const outcome = await runSchemaCheckMode(config, { cwd: io.cwd, log, env: io.env });
      io.stdout(`${outcome.markdown}\n${outcome.summary}\nresult=${outcome.verdict}\n`);
      return outcome.verdict === 'block' ? 1 : 0;
    }
    const outcome = await runCanaryGate(config, read.secrets, {
      runId: config.base['run-id'] ?? '',
      cwd: io.cwd,
      log,
      core: { setSecret: () => {}, error: (m) => log.error(m), warning: (m) => log.warning(m), summary: { emptyBuffer: () => undefined, addRaw: () => undefined, write: async () => undefined } },
      env: io.env,
      signal: io.signal,
    });
    io.stdout(`result=${outcome.result} final-weight=${outcome.result === 'promoted' ? 100 : outcome.weight}${outcome.reason ? ` reason=${outcome.reason}` : ''}\n${outcomeLine(outcome)}\n`);
    return runFailed(mode, outcome) ? 1 : 0;
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n`);
    return err instanceof CanaryGateError && err.reason === 'invalid-input' ? 2 : 1;
  }
}
