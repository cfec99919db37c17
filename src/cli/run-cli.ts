/**
 * The command-line entry: the same rollout as the action, for local use and other CI systems.
 *   canary-gate <rollout|promote|abort|status|check> --deployment web --image ghcr.io/acme/web:2 \
 *     [--namespace shop] [--kubeconfig ~/.kube/config] [--config .github/canary.yml] [--<input> value]...
 *   canary-gate schema-check --dir migrations --base origin/main [--head HEAD] ...
 * Flags are the action's input names. Exit codes: 0 promoted/ok, 1 rolled back or failed, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { runCanaryGate } from '../app.ts';
import { defaultRunId } from '../action/github-context.ts';
import { loadActionConfig } from '../action/inputs.ts';
import { jobFails } from '../action/run-main.ts';
import { MODES } from '../config/schema.ts';
import { CanaryGateError, errorMessage } from '../util/errors.ts';
import { consoleLogger } from './console-logger.ts';

export const CLI_USAGE = `Usage: canary-gate <${MODES.join('|')}> --deployment <name> [--image <ref>] [--namespace <ns>]
                   [--kubeconfig <path>] [--config-file <path>] [--<input> <value>]...
       canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>] [--dialect postgres|mysql] [--format json|markdown] [--strict]
Flags take the action's input names (see action.yml). Exit: 0 promoted/ok, 1 rolled back/blocked/failed, 2 usage error.`;

export function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new CanaryGateError('invalid-input', `unexpected argument "${arg}": flags look like --name value`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) flags[arg.slice(2)] = 'true';
      else {
        flags[arg.slice(2)] = next;
        i++;
      }
    }
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
  if (!command || command === '--help' || command === 'help') {
    io.stdout(`${CLI_USAGE}\n`);
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
  const log = consoleLogger((line) => io.stdout(`${line}\n`));
  let flags: Record<string, string>;
  try {
    flags = parseFlags(rest);
    if (flags.kubeconfig) flags.kubeconfig = readFileSync(flags.kubeconfig, 'utf8');
    if (flags.config) {
      flags['config-file'] = flags.config;
      delete flags.config;
    }
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n${CLI_USAGE}\n`);
    return 2;
  }
  try {
    const { config, secrets } = loadActionConfig({ getInput: (n) => (n === 'mode' ? command : (flags[n] ?? '')), setSecret: () => {}, cwd: io.cwd, info: (m) => log.info(m) });
    if (config.base.mode === 'check') {
      const { runSchemaCheckMode } = await import('../action/schema-mode.ts');
      return (await runSchemaCheckMode(config, { cwd: io.cwd, log, env: io.env })) ? 1 : 0;
    }
    // Outside GitHub Actions there is no job summary, PR or commit to report to.
    config.notify = { ...config.notify, summary: false, 'pr-comment': false, 'commit-status': false, annotations: false };
    const outcome = await runCanaryGate(config, secrets, {
      runId: config.base['run-id'] ?? defaultRunId(io.env),
      cwd: io.cwd,
      log,
      core: { setSecret: () => {}, error: (m) => log.error(m), warning: (m) => log.warning(m), summary: { emptyBuffer: () => undefined, addRaw: () => undefined, write: async () => undefined } },
      env: io.env,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    io.stdout(`result=${outcome.result} final-weight=${outcome.weight}${outcome.reason ? ` reason=${outcome.reason}` : ''}\n${outcome.message}\n`);
    return jobFails(config.base.mode, outcome) ? 1 : 0;
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n`);
    return err instanceof CanaryGateError && err.reason === 'invalid-input' ? 2 : 1;
  }
}
