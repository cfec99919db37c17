/**
 * Proof by execution at the source level: the synthesis of the stable version's statements (pure),
 * the `schema.stable-queries` reader, and the edge cases on one shared PGlite. The end-to-end cases
 * run through the bundle in bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkPostgres, stableQueries } from '../../src/schema/pg/check.ts';
import { planProbes } from '../../src/schema/pg/execute.ts';
import { loadPgParser } from '../../src/schema/pg/parse.ts';
import { resetReplayDatabase, startReplayDatabase, type ReplayDatabase } from '../../src/schema/pg/replay.ts';
import { sampleLiteral, synthesizeTable, type ShapeColumn, type ShapeTable } from '../../src/schema/pg/synthesize.ts';

const col = (name: string, over: Partial<ShapeColumn> = {}): ShapeColumn => ({
  name, type: 'integer', base: 'int4', category: 'N', length: null, notNull: false, hasDefault: false, identity: '', generated: '', labels: null, ...over,
});
const table = (key: string, columns: ShapeColumn[], over: Partial<ShapeTable> = {}): ShapeTable => ({ key, schema: 'public', name: key, kind: 'r', columns, primaryKey: [], foreignKeys: [], ...over });

describe('synthesis from the stable schema', () => {
  const customers = table('customers', [col('id', { notNull: true, hasDefault: true }), col('name', { type: 'text', base: 'text', category: 'S', notNull: true })], { primaryKey: ['id'] });
  const orders = table(
    'orders',
    [
      col('id', { notNull: true, identity: 'a' }),
      col('customer_id', { base: 'int8', notNull: true }),
      col('code', { type: 'character(3)', base: 'bpchar', category: 'S', length: 3 }),
      col('total_x2', { generated: 's' }),
      col('state', { type: 'state', base: 'state', category: 'E', labels: ['new', 'paid'], notNull: true, hasDefault: true }),
    ],
    { primaryKey: ['id'], foreignKeys: [{ columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] }] },
  );
  const shape = { tables: [customers, orders] };

  it('inserts the parent row a foreign key needs first, and never writes generated or ALWAYS identity columns', () => {
    const t = synthesizeTable(shape, orders, 0)!;
    expect(t.insert.setup).toEqual(["INSERT INTO customers (id, name) VALUES (4242, 'canary-gate sample value 0123456789abcdef')"]);
    expect(t.insert.sql).toBe("INSERT INTO orders (customer_id, code, state) VALUES (4242, 'can', 'new')");
    expect(t.others.map((p) => p.sql)).toEqual(['INSERT INTO orders (customer_id) VALUES (4242)']);
  });

  it('UPDATE and DELETE by primary key run on a row inserted first; a table whose key it cannot set gets neither', () => {
    const t = synthesizeTable(shape, customers, 1)!;
    expect(t.others.map((p) => p.kind)).toEqual(['insert-required', 'update', 'delete']);
    const update = t.others.find((p) => p.kind === 'update')!;
    expect(update.sql).toBe("UPDATE customers SET name = 'sample' WHERE id = 7");
    expect(update.setup).toEqual(["INSERT INTO customers (id, name) VALUES (7, 'sample')"]);
  });

  it('a NOT NULL column of a type it cannot synthesise leaves the table to seeds and user queries', () => {
    expect(synthesizeTable({ tables: [table('geo', [col('shape', { base: 'polygon', category: 'G', notNull: true })])] }, table('geo', [col('shape', { base: 'polygon', category: 'G', notNull: true })]), 0)).toBeUndefined();
  });

  it('values respect length limits and enum labels, and quote what they contain', () => {
    expect(sampleLiteral({ base: 'varchar', category: 'S', length: 5, labels: null }, 0)).toBe("'canar'");
    expect(sampleLiteral({ base: 'mood', category: 'E', length: null, labels: ["it's", 'b'] }, 0)).toBe("'it''s'");
    expect(sampleLiteral({ base: 'uuid', category: 'U', length: null, labels: null }, 2)).toBe("'00000000-0000-4000-8000-000000004242'");
  });
});

describe('schema.stable-queries', () => {
  it('reads statements with their line and the sample values of a canary-gate:params line above them', async () => {
    const parser = await loadPgParser();
    const q = stableQueries(parser, [{ path: 'q.sql', text: '-- canary-gate:params [1, "x"]\nSELECT * FROM t WHERE a = $1 AND b = $2;\n\nSELECT 1;\n' }]);
    expect(q).toEqual([
      { file: 'q.sql', line: 2, text: 'SELECT * FROM t WHERE a = $1 AND b = $2', params: [1, 'x'] },
      { file: 'q.sql', line: 4, text: 'SELECT 1', params: undefined },
    ]);
  });

  it('a params line that is not a JSON array is a usage error naming the file and line', async () => {
    const parser = await loadPgParser();
    expect(() => stableQueries(parser, [{ path: 'q.sql', text: '-- canary-gate:params 1, 2\nSELECT $1, $2;' }])).toThrow(/schema\.stable-queries: q\.sql:1: .*JSON array/);
  });
});

describe('on the stable schema', () => {
  let db: ReplayDatabase;
  beforeAll(async () => {
    db = await startReplayDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('picks the first value set the stable constraints accept', async () => {
    await resetReplayDatabase(db);
    await db.exec('CREATE TABLE reviews (id int PRIMARY KEY, rating int NOT NULL CHECK (rating BETWEEN 1 AND 5))');
    const plan = await planProbes(db);
    expect(plan.probes.find((p) => p.kind === 'insert')?.sql).toBe('INSERT INTO reviews (id, rating) VALUES (1, 1)');
    expect(plan.notes).toEqual([]);
  });

  it('a stable query that already fails is left out with a note; seed rows that do not load are a usage error', async () => {
    await resetReplayDatabase(db);
    const r = await checkPostgres({
      stable: [{ path: 'V1.sql', text: 'CREATE TABLE t (id int PRIMARY KEY);' }],
      change: [{ path: 'V2.sql', text: 'ALTER TABLE t ADD COLUMN n text;' }],
      contract: [],
      replayDb: Promise.resolve(db),
      execution: { stableQueries: [{ path: 'q.sql', text: 'SELECT missing FROM t;' }] },
      timeoutMs: 30_000,
    });
    expect(r.notes.join(' ')).toMatch(/q\.sql:1 already fails on the stable schema \(SQLSTATE 42703/);
    expect(r.execution).toMatchObject({ status: 'ran', failures: 0 });
    await resetReplayDatabase(db);
    await expect(
      checkPostgres({ stable: [{ path: 'V1.sql', text: 'CREATE TABLE t (id int PRIMARY KEY);' }], change: [], contract: [], replayDb: Promise.resolve(db), execution: { seed: [{ path: 'seed.sql', text: 'INSERT INTO nope VALUES (1);' }] }, timeoutMs: 30_000 }),
    ).rejects.toMatchObject({ reason: 'invalid-input', message: expect.stringMatching(/^schema\.seed: seed\.sql does not load/) });
  });
});

describe('what execution does not count as proof', () => {
  let db: ReplayDatabase;
  beforeAll(async () => {
    db = await startReplayDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a foreign key added to an existing relationship rejects only invented keys: a note, the rule’s warning stands', async () => {
    await resetReplayDatabase(db);
    const r = await checkPostgres({
      stable: [{ path: 'V1.sql', text: 'CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);' }],
      change: [{ path: 'V2.sql', text: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;' }],
      contract: [],
      replayDb: Promise.resolve(db),
      timeoutMs: 30_000,
    });
    expect(r.findings.map((f) => `${f.rule}:${f.verdict}`)).toEqual(['SC110:warn']);
    expect(r.findings[0]!.message).not.toMatch(/Execution did not confirm/);
    expect(r.execution.failures).toBe(0);
    expect(r.notes.join(' ')).toMatch(/insert orders fails after V2\.sql:1 with SQLSTATE 23503 .*Not counted as proof/);
  });
});
