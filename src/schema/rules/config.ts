/**
 * Configuration compatibility rules (CFG1xx). Pure: two flat configurations in, hits out.
 * A key "matters" when the user named it (exact, its last segment, or a `prefix*` glob); with no
 * names given, every key matters.
 */
import type { ConfigValue, FlatConfig } from '../config/flatten.ts';
import type { RuleHit } from './hit.ts';

export interface ConfigDiffInput {
  file: string;
  stable: FlatConfig;
  canary: FlatConfig;
  keys?: readonly string[];
}

export function keyMatches(key: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  const last = key.split(/[/.]/).pop() ?? key;
  return patterns.some((p) => {
    if (p.endsWith('*')) return key.startsWith(p.slice(0, -1)) || last.startsWith(p.slice(0, -1));
    return p === key || p === last;
  });
}

/** Kind of a value as a program reading it would see it (env values are strings that parse). */
export function valueKind(v: ConfigValue): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return typeof v;
  const t = v.trim();
  if (t === '') return 'empty';
  if (t === 'true' || t === 'false') return 'boolean';
  if (t !== '' && Number.isFinite(Number(t))) return 'number';
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) return 'json';
  return 'string';
}

const LOG_FORMAT_KEYS = ['log_format', 'logformat', 'log.format', 'logging.format', 'log-format', 'log_encoding', 'logging.encoding'];

function isLogFormatKey(key: string): boolean {
  const k = key.toLowerCase();
  return LOG_FORMAT_KEYS.some((x) => k.endsWith(x) || k.endsWith(x.replace('.', '_')));
}

function isEndpoint(key: string, v: ConfigValue): boolean {
  const k = key.toLowerCase();
  if (k.startsWith('port/')) return true;
  if (['_url', '_uri', '_host', '_port', '_addr', '_address', '_endpoint', '.url', '.host', '.port', '.endpoint', '.address'].some((s) => k.endsWith(s))) return true;
  return typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(v.trim());
}

const SCRAPE_ANNOTATIONS = ['annotation/prometheus.io/path', 'annotation/prometheus.io/port', 'annotation/prometheus.io/scrape'];

function show(v: ConfigValue | undefined): string {
  const s = v === undefined ? '(absent)' : v === null ? 'null' : String(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export function diffConfig(input: ConfigDiffInput): RuleHit[] {
  const hits: RuleHit[] = [];
  const { stable, canary, keys } = input;
  const added = [...canary.keys()].filter((k) => !stable.has(k));
  for (const [key, value] of stable) {
    if (!keyMatches(key, keys)) continue;
    if (!canary.has(key)) {
      const renamedTo = added.find((k) => canary.get(k) === value && value !== '' && value !== null && sameScope(k, key));
      if (renamedTo) hits.push({ rule: 'CFG102', object: key, message: `${key} is renamed to ${renamedTo} (same value): a version that reads ${key} no longer finds it.` });
      else hits.push({ rule: 'CFG101', object: key, message: `${key} is removed: a version that still reads it gets nothing (or fails to start).` });
      continue;
    }
    const now = canary.get(key)!;
    if (now === value) continue;
    if (SCRAPE_ANNOTATIONS.includes(key)) {
      hits.push({ rule: 'CFG106', object: key, verdict: 'warn', message: `${key} changes from ${show(value)} to ${show(now)}: the canary may no longer be scraped the way the gate's queries expect.` });
    } else if (valueKind(value) !== valueKind(now) && !(valueKind(value) === 'empty' || valueKind(now) === 'empty')) {
      hits.push({ rule: 'CFG103', object: key, message: `${key} changes from a ${valueKind(value)} (${show(value)}) to a ${valueKind(now)} (${show(now)}): a version parsing the old type fails.` });
    } else if (isLogFormatKey(key)) {
      hits.push({ rule: 'CFG104', object: key, message: `The log format changes from ${show(value)} to ${show(now)}: log pipelines and alerts parsing the old format miss the canary's lines.` });
    } else if (isEndpoint(key, value)) {
      hits.push({ rule: 'CFG105', object: key, message: `${key} changes from ${show(value)} to ${show(now)}: callers and the other version must reach the same service during the rollout.` });
    } else {
      hits.push({ rule: 'CFG107', object: key, message: `${key} changes from ${show(value)} to ${show(now)}.` });
    }
  }
  return hits;
}

/** CFG106: metric/label names the gate queries rely on that the canary's configuration lost. */
export function metricNamesRemoved(stable: FlatConfig, canary: FlatConfig, metricNames: readonly string[]): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const m of metricNames) {
    const inStable = mentions(stable, m);
    if (inStable && !mentions(canary, m)) {
      hits.push({ rule: 'CFG106', object: m, message: `The metric/label name ${m} appears in the stable configuration (${inStable}) but nowhere in the canary's: the gate's queries would see no canary data and the analysis stays inconclusive.` });
    }
  }
  return hits;
}

/** A rename stays in the same container / ConfigMap / file section. */
function sameScope(a: string, b: string): boolean {
  const scope = (k: string): string => (k.includes('/') ? k.slice(0, k.lastIndexOf('/')) : k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '');
  return scope(a) === scope(b);
}

function mentions(cfg: FlatConfig, name: string): string | undefined {
  for (const [k, v] of cfg) {
    if (k === name || k.endsWith(`/${name}`) || k.endsWith(`.${name}`)) return k;
    if (typeof v === 'string' && containsWord(v, name)) return k;
  }
  return undefined;
}

function containsWord(text: string, word: string): boolean {
  let from = 0;
  const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_:]/.test(c);
  for (;;) {
    const i = text.indexOf(word, from);
    if (i < 0) return false;
    if (!isWordChar(text[i - 1]) && !isWordChar(text[i + word.length])) return true;
    from = i + 1;
  }
}
