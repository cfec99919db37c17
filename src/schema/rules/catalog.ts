import type { SchemaVerdict } from '../types.ts';

/** One rule: its id, default verdict, a title, why the stable version breaks, and the safe expand/contract alternative. */
export interface RuleInfo {
  id: RuleId;
  verdict: SchemaVerdict;
  title: string;
  why: string;
  alternative: string;
}

const EXPAND_CONTRACT =
  'Expand/contract: ship the additive change with the canary, move readers and writers over, and drop the old object in a later release once no running version uses it (mark it with `-- canary-gate:contract <object>` in that release).';

const RULES = [
  { id: 'SC101', verdict: 'block', title: 'drop table', why: 'The stable version\'s queries name the table: "relation does not exist".', alternative: `Stop using the table in the canary first; drop it in a later release. ${EXPAND_CONTRACT}` },
  { id: 'SC102', verdict: 'block', title: 'drop column', why: 'The stable version\'s queries name the column: "column does not exist"; its INSERTs that set it fail.', alternative: `Stop reading and writing the column in the canary (and give it a default or make it nullable); drop it in a later release. ${EXPAND_CONTRACT}` },
  { id: 'SC103', verdict: 'block', title: 'rename table', why: 'A rename is a drop for every query that uses the old name.', alternative: 'Create the new table (or rename and create a view under the old name so stable keeps working), switch the code over, drop the old name in a later release.' },
  { id: 'SC104', verdict: 'block', title: 'rename column', why: 'A rename is a drop for every query that uses the old name.', alternative: 'Add the new column, keep both in sync with a trigger (or dual writes) and backfill, switch readers, then drop the old column in a later release.' },
  { id: 'SC105', verdict: 'block', title: 'add NOT NULL column without default', why: 'Stable INSERTs omit the new column and violate NOT NULL.', alternative: 'Add the column nullable (or with a DEFAULT), backfill, and set NOT NULL once every running version writes it.' },
  { id: 'SC106', verdict: 'block', title: 'set NOT NULL on an existing column', why: 'Stable writes that leave the column NULL fail; `CHECK (col IS NOT NULL) NOT VALID` is enforced on every new row at once, so it is SC106 too.', alternative: 'Wait until every running version writes the column; then add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL in a later release.' },
  { id: 'SC107', verdict: 'block', title: 'drop default of a NOT NULL column', why: 'Stable INSERTs that omit the column relied on the default and now violate NOT NULL.', alternative: 'Keep the default until no running version relies on it (stable inserts omit the column); drop it in a later release.' },
  { id: 'SC108', verdict: 'block', title: 'type change that does not cover the old type', why: 'The new type cannot hold what stable writes (narrower ints, shorter varchar/numeric, another type family).', alternative: 'Add a new column of the new type, dual-write and backfill, switch readers, drop the old column later.' },
  { id: 'SC109', verdict: 'block', title: 'enum value removed or renamed', why: 'Stable writes an enum label that no longer exists.', alternative: 'Add the new value first, migrate rows and code to it, and remove the old value only when no running version writes it.' },
  { id: 'SC110', verdict: 'warn', title: 'new constraint or unique index on an existing table', why: 'Stable writes that violate the new constraint fail — whether they do depends on what stable writes (execution proves it when its statements do).', alternative: 'Make sure the stable version never writes rows that violate it (check its write paths), add it NOT VALID, and validate after the rollout.' },
  { id: 'SC111', verdict: 'warn', title: 'drop a unique index or key', why: 'Stable upserts (ON CONFLICT / ON DUPLICATE KEY) and lookups may rely on the uniqueness.', alternative: 'Check that the stable version does not use it (ON CONFLICT, upserts, lookups); drop it in a later release.' },
  { id: 'SC112', verdict: 'block', title: 'drop view, function, procedure, sequence, type or schema', why: 'The stable version calls or reads the object: "does not exist".', alternative: `Keep the object until no running version uses it; drop it in a later release. ${EXPAND_CONTRACT}` },
  { id: 'SC113', verdict: 'block', title: 'move a table to another schema / rename a schema', why: 'The stable version\'s queries name the table in its old schema.', alternative: 'Create the new location, keep a view or synonym under the old name, switch code, remove the old name later.' },
  { id: 'SC114', verdict: 'warn', title: 'drop NOT NULL', why: 'Stable readers may meet NULL where they never did.', alternative: 'Make sure the stable version tolerates NULL when reading this column, or write it from the canary until stable is gone.' },
  { id: 'SC115', verdict: 'warn', title: 'enum value added', why: 'Stable readers may meet a value they do not know (deserialisation often fails).', alternative: 'Make sure the stable version tolerates the new value when reading (unknown enum values often fail deserialisation); write it only after the rollout.' },
  { id: 'SC116', verdict: 'warn', title: 'widening visible to clients', why: 'The column holds the same values, but clients see a new type (int → bigint overflows 32-bit clients; timestamptz changes time zones).', alternative: 'Check the stable version\'s driver mapping for the new type (e.g. int → bigint overflows 32-bit clients, timestamptz changes time zones).' },
  { id: 'SC117', verdict: 'pass', title: 'default value changed', why: 'Nothing breaks: stable INSERTs that omit the column get the new default.', alternative: 'None needed; stable inserts that omit the column get the new default.' },
  { id: 'SC118', verdict: 'block', title: 'identity/generated added to an existing column', why: '`GENERATED ALWAYS` (or a generated column) rejects the values stable supplies; `BY DEFAULT` passes.', alternative: 'Use a sequence DEFAULT (GENERATED BY DEFAULT) so the stable version can keep supplying values; switch to ALWAYS later.' },
  { id: 'SC119', verdict: 'block', title: 'data destruction in a migration', why: 'Data a rollback cannot restore.', alternative: 'Destroy data only in a later release, with a WHERE clause and a backup; never CASCADE to objects you did not list.' },
  { id: 'SC120', verdict: 'warn', title: 'opaque statement', why: 'Static analysis cannot tell what a DO block, dynamic SQL or an unparsable statement does; the replay decides when it runs.', alternative: 'Write the change as plain DDL so it can be checked; otherwise review it by hand (the replay result is shown when it ran).' },
  { id: 'SC121', verdict: 'warn', title: 'privilege or row-level-security change', why: 'The stable version\'s role may lose privileges or rows it needs.', alternative: 'Make sure the stable version\'s role keeps the privileges and policies it needs; revoke in a later release.' },
  { id: 'SC122', verdict: 'block', title: 'migration history rewritten', why: 'Databases that ran the old history diverge or refuse to migrate.', alternative: 'Never edit, delete, rename or back-date a migration already in the stable ref: add a new migration that sorts after the newest one.' },
  { id: 'SC123', verdict: 'block', title: 'stable statement fails after the migration (proven by execution)', why: 'Proven, not inferred: a statement of the stable version (synthesised from the stable schema, or from schema.stable-queries) worked before the change and fails after it — with its SQLSTATE and the migration statement that broke it. It catches net effects no single statement shows (ADD COLUMN … NOT NULL DEFAULT then DROP DEFAULT), triggers and constraints that reject stable writes.', alternative: `Change the schema so both versions' statements keep working: add columns nullable or with a default (and keep the default while stable runs), add constraints and triggers that accept what stable writes (or NOT VALID, validated after the rollout), and remove what stable needs only in a later release. ${EXPAND_CONTRACT}` },
  { id: 'SC301', verdict: 'warn', title: 'CREATE INDEX without CONCURRENTLY', why: 'A plain CREATE INDEX blocks writes to the table for the whole build.', alternative: 'CREATE INDEX CONCURRENTLY outside a transaction.' },
  { id: 'SC302', verdict: 'warn', title: 'DROP INDEX without CONCURRENTLY', why: 'A plain DROP INDEX takes an ACCESS EXCLUSIVE lock: reads and writes wait.', alternative: 'DROP INDEX CONCURRENTLY outside a transaction.' },
  { id: 'SC303', verdict: 'warn', title: 'CHECK / FOREIGN KEY without NOT VALID', why: 'Validating the constraint scans the table under a lock that blocks writes.', alternative: 'Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate statement (weaker lock).' },
  { id: 'SC304', verdict: 'warn', title: 'UNIQUE / PRIMARY KEY / EXCLUDE added directly', why: 'Building the index behind the constraint blocks writes for the whole build.', alternative: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX.' },
  { id: 'SC305', verdict: 'warn', title: 'type change that rewrites the table', why: 'The table is rewritten under an ACCESS EXCLUSIVE lock.', alternative: 'Add a new column of the new type, backfill in batches, switch over; or pick a binary-compatible change.' },
  { id: 'SC306', verdict: 'warn', title: 'volatile default, stored generated column or serial/identity on an existing table', why: 'Every row is rewritten under an ACCESS EXCLUSIVE lock.', alternative: 'Add the column without the volatile default, backfill in batches, then set the default.' },
  { id: 'SC307', verdict: 'warn', title: 'SET NOT NULL without a validated CHECK', why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.', alternative: 'ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (skips the full scan).' },
  { id: 'SC308', verdict: 'warn', title: 'no lock_timeout before an ACCESS EXCLUSIVE statement', why: 'Waiting for the lock queues every later query on the table behind it.', alternative: "SET lock_timeout = '5s' before the statement and retry the migration on timeout." },
  { id: 'SC309', verdict: 'block', title: 'CONCURRENTLY inside a transaction block', why: 'PostgreSQL refuses CONCURRENTLY inside BEGIN … COMMIT: the migration fails.', alternative: 'Run the CONCURRENTLY statement in its own migration without a transaction.' },
  { id: 'SC310', verdict: 'warn', title: 'MySQL copy algorithm or blocking lock', why: 'A COPY rebuild or a SHARED/EXCLUSIVE lock blocks the writes of both versions meanwhile.', alternative: 'Use ALGORITHM=INSTANT or INPLACE with LOCK=NONE, or an online schema change tool (gh-ost, pt-online-schema-change).' },
  { id: 'CFG101', verdict: 'block', title: 'configuration key removed', why: 'A version that reads the key finds nothing.', alternative: 'Keep the key until no running version reads it; remove it in a later release.' },
  { id: 'CFG102', verdict: 'block', title: 'configuration key renamed', why: 'A version that reads the old key finds nothing.', alternative: 'Set both the old and the new key during the rollout; remove the old one in a later release.' },
  { id: 'CFG103', verdict: 'block', title: 'configuration value changed type', why: 'A version that reads the key cannot parse the new value.', alternative: 'Introduce a new key with the new type; keep the old key and type until stable is gone.' },
  { id: 'CFG104', verdict: 'warn', title: 'log format changed', why: 'Log pipelines and alerts that parse the old format stop matching.', alternative: 'Make sure log pipelines and alerts parse both formats during the rollout.' },
  { id: 'CFG105', verdict: 'warn', title: 'service-discovery URL or port changed', why: 'A version that connects to the old endpoint fails.', alternative: 'Keep the old endpoint reachable (both listeners, or both services) until the rollout completes.' },
  { id: 'CFG106', verdict: 'block', title: 'metric or label the gate queries rely on removed or renamed', why: 'The gate\'s own metric queries would see no canary data: the analysis could never pass honestly.', alternative: 'Keep emitting the old metric/label names (or update the gate queries to match both) so the canary analysis sees data; rename in a later release.' },
  { id: 'CFG107', verdict: 'pass', title: 'configuration value changed', why: 'Nothing breaks when both versions accept both values.', alternative: 'None needed when both versions accept both values.' },
] as const satisfies readonly { id: string; verdict: SchemaVerdict; title: string; why: string; alternative: string }[];

/** Every rule id of the catalog: a finding, a hit or a test naming another id does not compile. */
export type RuleId = (typeof RULES)[number]['id'];

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

export function ruleInfo(id: RuleId): RuleInfo {
  const r = RULES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown schema rule id ${id}: expected one of ${RULE_IDS.join(', ')}`);
  return r;
}

/** Narrows a string (e.g. from JSON) to a rule id. */
export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

export function allRules(): readonly RuleInfo[] {
  return RULES;
}
