/**
 * `canary-gate schema-check`: the pull-request check without cluster access.
 * Exit codes: 0 pass/warn, 1 block, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { CanaryGateError, errorMessage, InputError } from '../util/errors.ts';
import { runSchemaCheck, type SchemaCheckOptions } from './check.ts';
import { renderSchemaJson, renderSchemaMarkdown } from './render.ts';

export const SCHEMA_CHECK_USAGE = `Usage: canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>]
         [--dialect postgres|mysql] [--format json|markdown] [--strict] [--no-replay]
         [--stable-dump <file> --canary-dump <file>] [--require-lock-timeout]
         [--stable-queries <file>]... [--seed <file>]... [--no-execution]
         [--config-file <file>]... [--config-key <key>]... [--deployment <manifest>] [--metric <name>]...
         [--timeout <seconds>] [-- <command printing the new SQL> ...]
Exit codes: 0 pass or warn, 1 block, 2 usage error.`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

export async function schemaCheckCli(argv: string[], io: CliIo): Promise<number> {
  const args = argv[0] === 'schema-check' ? argv.slice(1) : argv;
  const dashdash = args.indexOf('--');
  const own = dashdash >= 0 ? args.slice(0, dashdash) : args;
  const command = dashdash >= 0 ? args.slice(dashdash + 1) : undefined;
  let opts: SchemaCheckOptions;
  let format: 'json' | 'markdown';
  try {
    const { values } = parseArgs({
      args: own,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        dialect: { type: 'string' },
        format: { type: 'string' },
        strict: { type: 'boolean' },
        'no-replay': { type: 'boolean' },
        'stable-dump': { type: 'string' },
        'canary-dump': { type: 'string' },
        'require-lock-timeout': { type: 'boolean' },
        'stable-queries': { type: 'string', multiple: true },
        seed: { type: 'string', multiple: true },
        'no-execution': { type: 'boolean' },
        'config-file': { type: 'string', multiple: true },
        'config-key': { type: 'string', multiple: true },
        deployment: { type: 'string' },
        metric: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout(`${SCHEMA_CHECK_USAGE}\n`);
      return 0;
    }
    const dialect = values.dialect ?? 'postgres';
    if (dialect !== 'postgres' && dialect !== 'mysql') throw new InputError('--dialect', `expected postgres or mysql, found "${dialect}"`);
    const fmt = values.format ?? 'markdown';
    if (fmt !== 'json' && fmt !== 'markdown') throw new InputError('--format', `expected json or markdown, found "${fmt}"`);
    format = fmt;
    if (dashdash >= 0 && command!.length === 0) throw new InputError('--', 'expected a command after "--"');
    let timeoutMs: number | undefined;
    if (values.timeout !== undefined) {
      const secs = Number(values.timeout);
      if (!(secs > 0)) throw new InputError('--timeout', `expected a positive number of seconds, found "${values.timeout}"`);
      timeoutMs = secs * 1000;
    }
    const hasConfig = values['config-file'] || values['config-key'] || values.deployment || values.metric;
    opts = {
      dialect,
      cwd: io.cwd,
      dir: values.dir,
      base: values.base,
      head: values.head,
      stableDump: values['stable-dump'],
      canaryDump: values['canary-dump'],
      sqlCommand: command,
      strict: values.strict,
      replay: values['no-replay'] ? false : undefined,
      requireLockTimeout: values['require-lock-timeout'],
      execution: values['no-execution'] ? false : undefined,
      stableQueries: values['stable-queries'],
      seed: values.seed,
      timeoutMs,
      config: hasConfig ? { files: values['config-file'], keys: values['config-key'], deploymentManifest: values.deployment, metricNames: values.metric } : undefined,
    };
  } catch (err) {
    io.stderr(`canary-gate schema-check: ${errorMessage(err)}\n\n${SCHEMA_CHECK_USAGE}\n`);
    return 2;
  }
  try {
    const report = await runSchemaCheck(opts);
    io.stdout(format === 'json' ? renderSchemaJson(report) : renderSchemaMarkdown(report));
    return report.verdict === 'block' ? 1 : 0;
  } catch (err) {
    const usage = err instanceof CanaryGateError && err.reason === 'invalid-input';
    io.stderr(`canary-gate schema-check: ${errorMessage(err)}\n${usage ? `\n${SCHEMA_CHECK_USAGE}\n` : ''}`);
    // A check that could not run must not pass silently: usage errors exit 2, anything else 1.
    return usage ? 2 : 1;
  }
}
