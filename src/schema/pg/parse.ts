/**
 * Splits and parses PostgreSQL migrations with libpg-query (PostgreSQL's real parser compiled to
 * WASM). The WASM module is loaded on first use inside a check, never at import time.
 */
import type { SqlStatement } from '../types.ts';
import type { Node } from './ast.ts';
import { loadLibPgQuery } from './engines.ts';

export interface PgStatement extends SqlStatement {
  /** Node type, e.g. `AlterTableStmt`; `Unparsable` when the file did not parse. */
  type: string;
  node: Node;
  parseError?: string;
}

export interface PgParser {
  parseFile(sql: string, file: string, firstIndex: number): PgStatement[];
}

export async function loadPgParser(): Promise<PgParser> {
  const lib = await loadLibPgQuery();
  return {
    parseFile(sql, file, firstIndex) {
      if (sql.trim() === '') return [];
      let result: Node;
      try {
        result = lib.parseSync(sql);
      } catch (err) {
        const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
        const pos = details?.cursorPosition ?? 0;
        return [
          {
            file,
            line: lineAt(sql, pos),
            index: firstIndex,
            text: sql.trim(),
            type: 'Unparsable',
            node: {},
            parseError: err instanceof Error ? err.message : String(err),
          },
        ];
      }
      return splitStatements(sql, result.stmts ?? [], file, firstIndex);
    },
  };
}

/** libpg-query reports statement offsets in UTF-8 bytes; this maps them back to text and lines. */
function splitStatements(sql: string, raw: Node[], file: string, firstIndex: number): PgStatement[] {
  const bytes = Buffer.from(sql, 'utf8');
  const out: PgStatement[] = [];
  for (const r of raw) {
    const start = r.stmt_location ?? 0;
    const end = r.stmt_len ? start + r.stmt_len : bytes.length;
    const chunk = bytes.subarray(start, end).toString('utf8');
    const lead = leadingTrivia(chunk);
    const text = chunk.slice(lead).trim();
    const line = lineAt(sql, bytes.subarray(0, start).toString('utf8').length + lead);
    const type = Object.keys(r.stmt ?? {})[0] ?? 'Unknown';
    out.push({ file, line, index: firstIndex + out.length, text, type, node: r.stmt?.[type] ?? {} });
  }
  return out;
}

/** Length of the whitespace and comments before a statement's first token. */
function leadingTrivia(s: string): number {
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? s.length : close + 2;
    } else {
      return i;
    }
  }
}

function lineAt(text: string, charOffset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(charOffset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
