/**
 * Label selectors in the query-string form (`app=web,track!=canary,env in (a,b),!legacy`), as LIST
 * accepts them, and the LabelSelector object form a Deployment carries.
 */
import { badRequest } from './kube-errors.ts';

type Requirement =
  | { key: string; op: 'eq' | 'neq'; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists'; values: [] };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseTerm(term: string): Requirement {
  let m = /^!\s*([\w./-]+)$/.exec(term);
  if (m?.[1]) return { key: m[1], op: 'notexists', values: [] };
  m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m?.[1] && m[2] && m[3] !== undefined) {
    return { key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter((v) => v) };
  }
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
  if (m?.[1] && m[2]) return { key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3] ?? ''] };
  m = /^([\w./-]+)$/.exec(term);
  if (m?.[1]) return { key: m[1], op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: label selector of the form key=value, key!=value, key in (a,b), key notin (a), key or !key`);
}

export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  const requirements = splitTerms(selector ?? '').map(parseTerm);
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case 'eq':
      return has && value === r.values[0];
    case 'neq':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value ?? '');
    case 'notin':
      return !has || !r.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** `app=web,track in (stable)`: the string form of a LabelSelector, as Scale.status.selector holds it. */
export function selectorToString(selector: LabelSelectorObject | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In') terms.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    if (e.operator === 'NotIn') terms.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    if (e.operator === 'Exists') terms.push(e.key);
    if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.join(',');
}
