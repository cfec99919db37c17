/**
 * Configuration problems, collected from every section at once and reported together: each line
 * names where the value came from (input or file:line key), says what is wrong and what to write
 * instead, and never quotes anything that may be a credential.
 */
import type { z } from 'zod';
import { CanaryGateError } from '../util/errors.ts';
import { isSecretKey, looksLikeCredential, quoteValue, redactCredentials } from '../util/redact.ts';
import { describeSource, renderPath, type KeyPath, type SourcesOptions } from './sources.ts';

export interface ConfigProblem {
  path: KeyPath;
  /** What is wrong and what to do, without the location (the formatter adds it). */
  message: string;
  /** The key is written in the file even where an input of that name exists (input-only keys). */
  inFile?: boolean;
}

const NOTHING_CHANGED = 'Invalid configuration (nothing was changed in the cluster):';

/** The error thrown for invalid configuration: every problem, one line each. */
class ConfigError extends CanaryGateError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('invalid-input', `${NOTHING_CHANGED}\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads the raw value at a path of a nested object. */
function valueAt(root: unknown, path: KeyPath): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** "a string", "a number (2)", "a mapping" — how a YAML value reads to its author. */
export function describeValue(value: unknown, secretKey = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return `a mapping (${Object.keys(value).slice(0, 4).join(', ')}${Object.keys(value).length > 4 ? ', …' : ''})`;
  const shown = quoteValue(value, { secretKey });
  return `${typeof value === 'string' ? 'the text' : typeof value === 'number' ? 'the number' : 'the value'} ${shown}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  record: 'a mapping (key: value lines)',
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length] ?? 0;
}

export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** The message for an unknown key (the source line names the key itself). */
function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = closestKey(key, known);
  const list = known.length > 0 ? `; the keys here are ${known.join(', ')}` : '';
  return near
    ? `unknown key — did you mean '${near}'? Rename it${list}`
    : `unknown key — remove it or use one of the keys this section takes${list}`;
}

/** Keys an object schema accepts at a path (for "unknown key" messages). */
function knownKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  const found = walk(schema as unknown as ZodLike, path, 0);
  return found ? [...new Set(found)] : [];
}

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

function walk(schema: ZodLike | undefined, path: KeyPath, depth: number): string[] | undefined {
  if (!schema || depth > 20) return undefined;
  const def = schema._zod.def;
  const inner = (key: string) => walk(def[key] as ZodLike | undefined, path, depth + 1);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return inner('innerType');
    case 'pipe':
      return inner('in') ?? inner('out');
    case 'lazy':
      return walk((def.getter as () => ZodLike)(), path, depth + 1);
    case 'union': {
      const all = (def.options as ZodLike[]).map((o) => walk(o, path, depth + 1)).filter((k): k is string[] => k !== undefined);
      return all.length > 0 ? all.flat() : undefined;
    }
    case 'intersection':
      return [...(inner('left') ?? []), ...(inner('right') ?? [])];
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      if (path.length === 0) return Object.keys(shape);
      const [head, ...rest] = path;
      return walk(shape[String(head)], rest, depth + 1);
    }
    case 'array':
      return path.length === 0 ? undefined : walk(def.element as ZodLike, path.slice(1), depth + 1);
    case 'record':
      return path.length === 0 ? undefined : walk(def.valueType as ZodLike, path.slice(1), depth + 1);
    default:
      return undefined;
  }
}

/**
 * Turns zod issues of one section into problems with messages that say what to write. `prefix` is
 * where the section sits in the file (`['routing']`); `raw` is the section's raw value.
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], opts: { prefix?: KeyPath; raw: unknown; schema: z.ZodType }): ConfigProblem[] {
  const prefix = opts.prefix ?? [];
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const local = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const path = [...prefix, ...local];
    const value = valueAt(opts.raw, local);
    const secretKey = local.some((k) => typeof k === 'string' && isSecretKey(k));
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(opts.schema, local);
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownKeyMessage(key, known) });
      continue;
    }
    if (issue.code === 'invalid_union') {
      // A union with its own message says what to write; otherwise the alternative that got
      // furthest says most about what was meant.
      if (!isDefaultMessage(issue.message)) {
        out.push({ path, message: /, got /.test(issue.message) ? issue.message : `${issue.message}, got ${describeValue(value, secretKey)}` });
        continue;
      }
      const alternatives = issue.errors.filter((e) => e.length > 0);
      const reach = (a: readonly z.core.$ZodIssue[]) => Math.max(...a.map((i) => i.path.length));
      const deepest = [...alternatives].sort((a, b) => reach(b) - reach(a))[0];
      if (deepest && reach(deepest) > 0) {
        out.push(...problemsFromIssues(deepest.map((i) => ({ ...i, path: [...local, ...i.path] })) as z.core.$ZodIssue[], opts));
        continue;
      }
      const expected = [...new Set(alternatives.flatMap((a) => a.map((i) => (i.code === 'invalid_type' ? (TYPE_NAMES[i.expected] ?? i.expected) : undefined))).filter(Boolean))];
      out.push({ path, message: `must be ${expected.join(' or ') || 'another form'}, got ${describeValue(value, secretKey)}` });
      continue;
    }
    out.push({ path, message: messageOf(issue, value, secretKey) });
  }
  return out;
}

function isDefaultMessage(message: string): boolean {
  return /^(Invalid input|Invalid option|Too (small|big)|Invalid (string|number)|Expected|Unrecognized)/.test(message);
}

function messageOf(issue: z.core.$ZodIssue, value: unknown, secretKey: boolean): string {
  if (!isDefaultMessage(issue.message)) {
    // Schemas that write "expected …" say what to write; add what was found.
    return /^expected /.test(issue.message) && value !== undefined && !/, (got|found) /.test(issue.message) ? `${issue.message}, got ${describeValue(value, secretKey)}` : issue.message;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required: give ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(value, secretKey)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}, got ${describeValue(value, secretKey)}`;
    case 'too_small':
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' entries' : ''}, got ${describeValue(value, secretKey)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' entries' : ''}, got ${describeValue(value, secretKey)}`;
    case 'invalid_format':
      return `must be ${issue.format === 'url' ? 'a URL such as https://host:port' : `in ${issue.format} form`}, got ${describeValue(value, secretKey)}`;
    default:
      return `${issue.message} (got ${describeValue(value, secretKey)}); see the README for this key's form`;
  }
}

/**
 * Formats problems into one error. Every line gets its source and is scrubbed of credentials: the
 * given secret values, any value under a secret-bearing key, and credential-looking words.
 */
export function configError(problems: readonly ConfigProblem[], sources: SourcesOptions & { secrets: readonly string[] }): ConfigError {
  const lines = problems.map((p) => redactCredentials(`${describeSource(p.path, p.inFile ? { ...sources, inputs: {}, aliases: [] } : sources)}: ${p.message}`, sources.secrets));
  return new ConfigError([...new Set(lines)]);
}

/** Every string value that must never appear in a message: under secret keys, or credential-looking. */
export function secretLeaves(root: unknown, underSecretKey = false, out: string[] = [], depth = 0): string[] {
  if (depth > 30) return out;
  if (typeof root === 'string') {
    if (underSecretKey || root.split(/\s+/).some(looksLikeCredential)) out.push(root, ...root.split(/\s+/).filter(looksLikeCredential));
  } else if (Array.isArray(root)) {
    for (const v of root) secretLeaves(v, underSecretKey, out, depth + 1);
  } else if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) secretLeaves(v, underSecretKey || isSecretKey(k), out, depth + 1);
  }
  return out;
}

export { renderPath };
