/** Enum values: SC109 (rename), SC115 (added). */
import { namesKey } from '../pg/ast.ts';
import type { PgRule } from './pg-context.ts';

function enumIsStable(ctx: Parameters<PgRule>[1], key: string): boolean {
  const e = ctx.model.enums.get(key);
  return e ? e.origin === 'stable' : true;
}

/** SC109: the stable version writes and compares the old label. */
export const enumValueRenamed: PgRule = (s, ctx) => {
  if (s.type !== 'AlterEnumStmt' || !s.node.oldVal) return [];
  const key = namesKey(s.node.typeName);
  if (!enumIsStable(ctx, key)) return [];
  return [{ rule: 'SC109', object: `${key}.${s.node.oldVal}`, message: `Enum value '${s.node.oldVal}' of ${key} is renamed to '${s.node.newVal}': stable writes of '${s.node.oldVal}' fail.` }];
};

/** SC115: stable readers may meet a value they do not know. */
export const enumValueAdded: PgRule = (s, ctx) => {
  if (s.type !== 'AlterEnumStmt' || s.node.oldVal || !s.node.newVal) return [];
  const key = namesKey(s.node.typeName);
  if (!enumIsStable(ctx, key)) return [];
  return [{ rule: 'SC115', object: `${key}.${s.node.newVal}`, message: `Enum ${key} gains '${s.node.newVal}': stable readers that map the enum strictly fail when the canary writes it.` }];
};
