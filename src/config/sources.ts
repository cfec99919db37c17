/**
 * Where each configuration value came from, so that an error names it as the user wrote it:
 * `input 'steps'`, or `.github/canary.yml:7 key 'routing.headr'`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError } from '../util/errors.ts';

export type KeyPath = readonly (string | number)[];

export const MAX_CONFIG_BYTES = 256 * 1024;

/** A parsed config file that still knows the line of every key. */
export interface ConfigFile {
  name: string;
  values: Record<string, unknown>;
  /** 1-based line of the deepest key of `path` present in the file; undefined when none is. */
  lineOf(path: KeyPath): number | undefined;
  /** Whether `path` itself is written in the file. */
  has(path: KeyPath): boolean;
}

/**
 * Parses the config file text. Bounded: size, and YAML aliases (an alias bomb expands
 * exponentially; the yaml library refuses past maxAliasCount).
 */
export function readConfigFile(text: string, fileName: string): ConfigFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw new InputError(fileName, `is larger than ${MAX_CONFIG_BYTES / 1024} KiB; a canary config is a few dozen lines — check the path`);
  }
  const lines = new LineCounter();
  let values: unknown;
  let root: Node | null = null;
  try {
    // logLevel error: warnings (unknown tags, directives) must not go to process.emitWarning.
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error', lineCounter: lines });
    if (doc.errors.length > 0) throw doc.errors[0];
    root = doc.contents as Node | null;
    values = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // The parser's message quotes the offending line; keep its first line only.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InputError(fileName, `is not valid YAML: ${reason}; fix the YAML at that place`);
  }
  if (values === null || values === undefined) values = {};
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new InputError(fileName, 'must be a YAML mapping of keys (mode, deployment, steps, metrics, ...), not a list or a scalar');
  }
  const find = (path: KeyPath): { node: Node | null; line?: number; complete: boolean } => {
    let node: Node | null = root;
    let line: number | undefined;
    for (const key of path) {
      let next: Node | null = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (pair) {
          if (isScalar(pair.key) && pair.key.range) line = lines.linePos(pair.key.range[0]).line;
          next = (pair.value as Node | null) ?? null;
          if (next === null) return { node: null, line, complete: key === path[path.length - 1] };
        }
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key] as Node | undefined;
        if (item?.range) {
          line = lines.linePos(item.range[0]).line;
          next = item;
        }
      }
      if (next === null) return { node, line, complete: false };
      node = next;
    }
    return { node, line, complete: true };
  };
  return {
    name: fileName,
    values: values as Record<string, unknown>,
    lineOf: (path) => find(path).line,
    has: (path) => find(path).complete,
  };
}

/** `routing.headr`, `metrics[0].judge`: the key path as it reads in the file. */
export function renderPath(path: KeyPath): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    // Keys as written; odd ones (empty, quotes, line breaks) JSON-quoted so a message stays one line.
    const shown = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
    return out === '' ? shown : `${out}.${shown}`;
  }, '');
}

/** Whether the key at `path` is written in these values (its parent holds it). */
function writtenIn(values: unknown, path: KeyPath): boolean {
  let v: unknown = values;
  for (const [i, k] of path.entries()) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return false;
    if (i === path.length - 1) return true;
    v = (v as Record<string | number, unknown>)[k];
  }
  return false;
}

export interface SourcesOptions {
  /** The action inputs that were given (non-empty), by name. */
  inputs: Readonly<Record<string, string>>;
  file?: ConfigFile;
  /** Config paths filled from an input of another name, e.g. providers.prometheus.address ← prometheus-url. */
  aliases?: readonly { path: KeyPath; input: string }[];
  /** Paths whose value the entry point derived from an input (routing.router ← router). */
}

/** Describes where the value at a config path came from. */
export function describeSource(path: KeyPath, opts: SourcesOptions): string {
  const alias = [...(opts.aliases ?? [])]
    .filter((a) => a.path.length <= path.length && a.path.every((k, i) => k === path[i]))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (alias && opts.inputs[alias.input] !== undefined) return `input '${alias.input}'`;
  const top = path[0];
  if (path.length === 1 && typeof top === 'string' && opts.inputs[top] !== undefined) return `input '${top}'`;
  const key = renderPath(path);
  if (opts.file) {
    const line = opts.file.lineOf(path);
    if (line !== undefined) return `${opts.file.name}:${line} key '${key}'`;
    if (writtenIn(opts.file.values, path)) return `${opts.file.name} key '${key}'`;
    return `'${key}' (set neither as an input nor in ${opts.file.name})`;
  }
  return `'${key}' (set neither as an input nor in a config file)`;
}
