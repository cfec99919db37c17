/**
 * A pre-pass for the ALTER TABLE clauses node-sql-parser's MySQL grammar does not know:
 * `ALTER [COLUMN] c SET DEFAULT …`, `ALTER [COLUMN] c DROP DEFAULT` and `ALTER [COLUMN] c SET
 * VISIBLE|INVISIBLE` (MySQL 8.0 reference, "ALTER TABLE Statement"). They are cut out of the
 * statement and returned as actions shaped like node-sql-parser's; the rest of the statement (if
 * any clause is left) goes to the parser as before. Pure text in, text and actions out.
 */
import type { MyNode } from './parse.ts';

export interface AlterPrepass {
  /** The statement without the clauses read here, for node-sql-parser; undefined when none is left. */
  rest?: string;
  /** The table as node-sql-parser names it. */
  table: { db: string | null; table: string };
  /** One `{ action: 'alter', resource: 'column', … }` per clause read here, in statement order. */
  actions: MyNode[];
}

const IDENT = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)';
const ALTER_TABLE = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(${IDENT}(?:\\s*\\.\\s*${IDENT})?)\\s+([\\s\\S]+)$`, 'i');
const ALTER_COLUMN = new RegExp(`^ALTER\\s+(?:COLUMN\\s+)?(${IDENT})\\s+(SET\\s+DEFAULT\\s+([\\s\\S]+)|DROP\\s+DEFAULT|SET\\s+(VISIBLE|INVISIBLE))$`, 'i');

function unquote(id: string): string {
  return id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id;
}

/** Splits at commas outside parentheses, quotes and backticks. */
export function splitClauses(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\' && ch !== '`') i++;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

/** A default expression as node-sql-parser gives it (`{ type, value }`), enough to compare defaults. */
function defaultValue(expr: string): MyNode {
  const e = expr.trim().replace(/^\((.*)\)$/s, '$1').trim();
  const quoted = /^'((?:[^'\\]|\\.|'')*)'$/s.exec(e);
  if (quoted) return { type: 'single_quote_string', value: quoted[1]!.replace(/''/g, "'") };
  if (/^-?\d+(\.\d+)?$/.test(e)) return { type: 'number', value: Number(e) };
  if (/^null$/i.test(e)) return { type: 'null', value: null };
  return { type: 'expr', value: e };
}

export function prepassAlter(statement: string): AlterPrepass | undefined {
  const m = ALTER_TABLE.exec(statement.trim().replace(/;\s*$/, ''));
  if (!m) return undefined;
  const parts = m[1]!.split(/\s*\.\s*(?=(?:`|[A-Za-z0-9_$]))/);
  const table = parts.length === 2 ? { db: unquote(parts[0]!), table: unquote(parts[1]!) } : { db: null, table: unquote(parts[0]!) };
  const actions: MyNode[] = [];
  const kept: string[] = [];
  for (const clause of splitClauses(m[2]!)) {
    const c = ALTER_COLUMN.exec(clause);
    if (!c) {
      kept.push(clause);
      continue;
    }
    const column = { column: unquote(c[1]!) };
    if (c[4]) actions.push({ action: 'alter', resource: 'column', column, visibility: c[4].toLowerCase() });
    else if (c[3] !== undefined) actions.push({ action: 'alter', resource: 'column', column, default_val: { type: 'default', value: defaultValue(c[3]) } });
    else actions.push({ action: 'alter', resource: 'column', column, default_val: null });
  }
  if (actions.length === 0) return undefined;
  return { rest: kept.length ? `ALTER TABLE ${m[1]} ${kept.join(', ')}` : undefined, table, actions };
}
