/**
 * Splits a MySQL/MariaDB migration into statements (a lexer that knows quotes and comments, so
 * each statement keeps its line) and parses each with node-sql-parser's MySQL grammar, loaded on
 * first use; ALTER TABLE clauses the grammar lacks go through a pre-pass (prepass.ts).
 */
import type { SqlStatement } from '../types.ts';
import { prepassAlter } from './prepass.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MyNode = any;

export interface MysqlStatement extends SqlStatement {
  /** node-sql-parser AST of the statement; undefined when it does not parse. */
  ast?: MyNode;
  parseError?: string;
}

export interface MysqlParser {
  parseFile(sql: string, file: string, firstIndex: number): MysqlStatement[];
}

export async function loadMysqlParser(): Promise<MysqlParser> {
  const mod = (await import('node-sql-parser/build/mysql.js')) as MyNode;
  const Parser = mod.Parser ?? mod.default?.Parser;
  const parser = new Parser();
  return {
    parseFile(sql, file, firstIndex) {
      return splitMysql(sql).map((chunk, i) => {
        const s: MysqlStatement = { file, line: chunk.line, index: firstIndex + i, text: chunk.text };
        try {
          // Clauses the grammar does not know are read by the pre-pass, the rest by the parser.
          const pre = prepassAlter(chunk.text);
          if (pre) {
            const ast = pre.rest ? parser.astify(pre.rest, { database: 'MySQL' }) : { type: 'alter', table: [pre.table], expr: [] };
            s.ast = Array.isArray(ast) ? ast[0] : ast;
            s.ast.expr = [...(s.ast.expr ?? []), ...pre.actions];
          } else {
            const ast = parser.astify(chunk.text, { database: 'MySQL' });
            s.ast = Array.isArray(ast) ? ast[0] : ast;
          }
        } catch (err) {
          s.parseError = (err instanceof Error ? err.message : String(err)).slice(0, 200);
        }
        return s;
      });
    },
  };
}

/** Statement boundaries: `;` outside quotes, backticks and comments. */
export function splitMysql(sql: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let start = -1;
  let startLine = 1;
  let line = 1;
  let i = 0;
  const push = (end: number): void => {
    if (start >= 0) {
      const text = sql.slice(start, end).trim();
      if (text) out.push({ text, line: startLine });
    }
    start = -1;
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if ((ch === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) || ch === '#') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      for (let j = i; j < stop; j++) if (sql[j] === '\n') line++;
      i = stop;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (start < 0) {
      start = i;
      startLine = line;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < sql.length && sql[i] !== ch) {
        if (sql[i] === '\\' && ch !== '`') i++;
        else if (sql[i] === '\n') line++;
        i++;
      }
      i++;
      continue;
    }
    if (ch === ';') {
      push(i);
      i++;
      continue;
    }
    i++;
  }
  push(sql.length);
  return out;
}
