/** MySQL/MariaDB rules: fire and near miss, over node-sql-parser ASTs and the stable model. */
import { describe, expect, it } from '@jest/globals';
import { buildMysqlModel, classifyMysqlChange, parseMysqlFiles } from '../../src/schema/mysql/check.ts';
import { splitMysql } from '../../src/schema/mysql/parse.ts';
import { prepassAlter, splitClauses } from '../../src/schema/mysql/prepass.ts';
import type { SchemaFinding } from '../../src/schema/types.ts';

const STABLE = `
CREATE TABLE users (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(100) NOT NULL DEFAULT '',
  name varchar(50),
  age int,
  status enum('active','banned') NOT NULL DEFAULT 'active',
  created_at datetime NOT NULL,
  UNIQUE KEY uq_email (email),
  KEY idx_name (name)
);
CREATE TABLE orders (id int NOT NULL PRIMARY KEY, user_id int, total int NOT NULL);
`;

async function check(change: string): Promise<SchemaFinding[]> {
  const model = buildMysqlModel(await parseMysqlFiles([{ path: '001.sql', text: STABLE }]));
  return classifyMysqlChange(model, await parseMysqlFiles([{ path: '002.sql', text: change }]));
}

const CASES: [string, 'block' | 'warn' | 'pass', string, string][] = [
  ['SC101', 'block', 'DROP TABLE orders;', 'CREATE TABLE tmp (id int); DROP TABLE tmp;'],
  ['SC102', 'block', 'ALTER TABLE users DROP COLUMN name;', 'ALTER TABLE users ADD COLUMN nick varchar(10); ALTER TABLE users DROP COLUMN nick;'],
  ['SC103', 'block', 'RENAME TABLE orders TO purchases;', 'CREATE TABLE t1 (id int); RENAME TABLE t1 TO t2;'],
  ['SC104', 'block', 'ALTER TABLE users CHANGE name full_name varchar(50);', 'ALTER TABLE users CHANGE name name varchar(80);'],
  ['SC105', 'block', 'ALTER TABLE users ADD COLUMN tenant int NOT NULL;', 'ALTER TABLE users ADD COLUMN tenant int NOT NULL DEFAULT 1;'],
  ['SC106', 'block', 'ALTER TABLE users MODIFY name varchar(50) NOT NULL;', 'ALTER TABLE users MODIFY name varchar(50);'],
  ['SC107', 'block', 'ALTER TABLE users MODIFY email varchar(100) NOT NULL;', "ALTER TABLE users MODIFY email varchar(100) NOT NULL DEFAULT '';"],
  ['SC107', 'block', 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT;', 'ALTER TABLE users ALTER COLUMN name DROP DEFAULT;'],
  ['SC108', 'block', 'ALTER TABLE users MODIFY name varchar(20);', 'ALTER TABLE users MODIFY name varchar(200);'],
  ['SC109', 'block', "ALTER TABLE users MODIFY status enum('active') NOT NULL DEFAULT 'active';", "ALTER TABLE users MODIFY status enum('active','banned') NOT NULL DEFAULT 'active';"],
  ['SC110', 'warn', 'ALTER TABLE orders ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id);', 'CREATE TABLE t (a int); ALTER TABLE t ADD UNIQUE INDEX ua (a);'],
  ['SC111', 'warn', 'ALTER TABLE users DROP INDEX uq_email;', 'ALTER TABLE users DROP INDEX idx_name;'],
  ['SC114', 'warn', 'ALTER TABLE orders MODIFY total int;', 'ALTER TABLE orders MODIFY total int NOT NULL;'],
  ['SC115', 'warn', "ALTER TABLE users MODIFY status enum('active','banned','pending') NOT NULL DEFAULT 'active';", "ALTER TABLE users MODIFY status enum('active','banned') NOT NULL DEFAULT 'active';"],
  ['SC116', 'warn', 'ALTER TABLE users MODIFY age bigint;', 'ALTER TABLE users MODIFY age int;'],
  ['SC117', 'pass', "ALTER TABLE users MODIFY email varchar(100) NOT NULL DEFAULT 'none';", "ALTER TABLE users MODIFY email varchar(100) NOT NULL DEFAULT '';"],
  ['SC117', 'pass', "ALTER TABLE users ALTER email SET DEFAULT 'none';", "ALTER TABLE users ALTER email SET DEFAULT '';"],
  ['SC118', 'block', "ALTER TABLE users MODIFY name varchar(50) AS (concat('x', email)) STORED;", 'ALTER TABLE users MODIFY name varchar(50);'],
  ['SC119', 'block', 'TRUNCATE TABLE orders;', 'DELETE FROM orders WHERE total < 0;'],
  ['SC120', 'warn', 'ALTER TABLE users FROBNICATE;', 'SELECT 1;'],
  ['SC310', 'warn', 'ALTER TABLE users ADD COLUMN note text, ALGORITHM=COPY;', 'ALTER TABLE users ADD COLUMN note text, ALGORITHM=INSTANT;'],
];

describe('MySQL rules: fire and near miss', () => {
  it.each(CASES)('%s fires as %s, and its near miss does not', async (rule, verdict, fires, nearMiss) => {
    const hit = (await check(fires)).filter((f) => f.rule === rule);
    expect(hit.length).toBeGreaterThan(0);
    expect(hit[0]!.verdict).toBe(verdict);
    expect((await check(nearMiss)).filter((f) => f.rule === rule)).toEqual([]);
  });

  it('MODIFY that restates a NOT NULL column without its DEFAULT hides SC107 next to a harmless widening', async () => {
    const f = await check('ALTER TABLE users MODIFY email varchar(150) NOT NULL;');
    expect(f.map((x) => x.rule)).toEqual(['SC107']);
  });

  it('a CHANGE rename with a generated column under the old name is a warn', async () => {
    const f = await check('ALTER TABLE users CHANGE name full_name varchar(50); ALTER TABLE users ADD COLUMN name varchar(50) GENERATED ALWAYS AS (full_name) VIRTUAL;');
    expect(f.find((x) => x.rule === 'SC104')?.verdict).toBe('warn');
  });

  it('the issue’s example: ADD COLUMN … NOT NULL DEFAULT then ALTER COLUMN … DROP DEFAULT blocks in net effect', async () => {
    const f = await check("ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';\nALTER TABLE orders ALTER COLUMN currency DROP DEFAULT;");
    expect(f.map((x) => `${x.rule}:${x.verdict}:${x.line}`)).toEqual(['SC105:block:2']);
  });

  it('reads every clause of a multi-clause ALTER: the pre-pass takes ALTER COLUMN, the parser the rest', async () => {
    const f = await check('ALTER TABLE users ADD COLUMN x int, ALTER COLUMN `email` DROP DEFAULT, RENAME COLUMN name TO full_name, ALTER age SET INVISIBLE;');
    expect(f.map((x) => `${x.rule}:${x.object}`).sort()).toEqual(['SC104:users.name', 'SC107:users.email']);
  });

  it('the pre-pass splits clauses outside quotes and parentheses and leaves other statements alone', () => {
    expect(splitClauses("ADD c enum('a,b'), ALTER d SET DEFAULT (concat('x', ',')), DROP e")).toEqual(["ADD c enum('a,b')", "ALTER d SET DEFAULT (concat('x', ','))", 'DROP e']);
    expect(prepassAlter('ALTER TABLE shop.`my t` ALTER COLUMN c SET DEFAULT 5, ADD z int')).toEqual({
      rest: 'ALTER TABLE shop.`my t` ADD z int',
      table: { db: 'shop', table: 'my t' },
      actions: [{ action: 'alter', resource: 'column', column: { column: 'c' }, default_val: { type: 'default', value: { type: 'number', value: 5 } } }],
    });
    expect(prepassAlter('ALTER TABLE t ADD COLUMN c int')).toBeUndefined();
    expect(prepassAlter('UPDATE t SET a = 1')).toBeUndefined();
  });

  it('DATETIME → TIMESTAMP is a visible change (time zone conversion)', async () => {
    expect((await check('ALTER TABLE users MODIFY created_at timestamp NOT NULL;')).map((x) => `${x.rule}:${x.verdict}`)).toContain('SC116:warn');
  });

  it('splits statements on ; outside quotes and comments, keeping lines', () => {
    const parts = splitMysql("-- a; comment\nINSERT INTO t VALUES ('a;b');\n/* x; */ UPDATE t SET a = `c;d`\n WHERE 1;\n");
    expect(parts.map((p) => p.line)).toEqual([2, 3]);
    expect(parts[0]!.text).toBe("INSERT INTO t VALUES ('a;b')");
  });
});
