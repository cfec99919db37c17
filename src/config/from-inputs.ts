/**
 * From flat key/values (action inputs or CLI flags) to the typed Config: which config file a run
 * reads, and (growing) the one path from inputs to `buildConfig`.
 */
import path from 'node:path';
import { InputError } from '../util/errors.ts';

/**
 * The config file read when the `config-file` input is not set. It is optional; a file the user
 * names is required. action.yml declares no `default:` for the input: a runner passes a declared
 * default as if the user had typed it, and the two could then not be told apart.
 */
export const DEFAULT_CONFIG_FILE = '.github/canary.yml';

/** Which config file a run reads: the named one (must exist), or the default one if it exists. */
export function resolveConfigFile(input: string, cwd: string, exists: (file: string) => boolean): { path?: string; name?: string; note: string } {
  const named = input.trim();
  if (named) {
    const file = path.resolve(cwd, named);
    if (!exists(file)) throw new InputError('config-file', `${named} does not exist (relative to ${cwd}); check the path, or remove the input to use ${DEFAULT_CONFIG_FILE} when it exists`);
    return { path: file, name: named, note: `Config file: ${named} (input config-file).` };
  }
  const file = path.resolve(cwd, DEFAULT_CONFIG_FILE);
  if (exists(file)) return { path: file, name: DEFAULT_CONFIG_FILE, note: `Config file: ${DEFAULT_CONFIG_FILE} (the default).` };
  return { note: `Config file: none — ${DEFAULT_CONFIG_FILE} does not exist and config-file is not set; the inputs alone configure this run.` };
}
