/** Every PostgreSQL statement rule, in report order. Adding a rule: write it, list it here. */
import { constraintWithoutNotValid, dropUnique, newConstraint, uniqueAddedDirectly } from './pg-constraints.ts';
import type { PgRule } from './pg-context.ts';
import { dataDestruction, dropColumn, dropOtherObject, dropTable } from './pg-drop.ts';
import { enumValueAdded, enumValueRenamed } from './pg-enum.ts';
import { concurrentlyInTransaction, createIndexNotConcurrently, dropIndexNotConcurrently, heavyAddColumn, missingLockTimeout, setNotNullWithoutCheck } from './pg-locks.ts';
import { addNotNullColumnWithoutDefault, defaultChanged, dropDefaultOfNotNull, dropNotNull, setNotNull } from './pg-nullability.ts';
import { opaqueStatement, privilegeChange } from './pg-opaque.ts';
import { renameColumn, renameTable, schemaMove } from './pg-rename.ts';
import { identityAdded, typeChange, typeChangeRewrite } from './pg-types.ts';

export const PG_RULES: readonly PgRule[] = [
  dropTable,
  dropColumn,
  renameTable,
  renameColumn,
  addNotNullColumnWithoutDefault,
  setNotNull,
  dropDefaultOfNotNull,
  typeChange,
  enumValueRenamed,
  newConstraint,
  dropUnique,
  dropOtherObject,
  schemaMove,
  dropNotNull,
  enumValueAdded,
  defaultChanged,
  identityAdded,
  dataDestruction,
  opaqueStatement,
  privilegeChange,
  createIndexNotConcurrently,
  dropIndexNotConcurrently,
  constraintWithoutNotValid,
  uniqueAddedDirectly,
  typeChangeRewrite,
  heavyAddColumn,
  setNotNullWithoutCheck,
  missingLockTimeout,
  concurrentlyInTransaction,
];
