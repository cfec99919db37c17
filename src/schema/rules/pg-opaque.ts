/** What static analysis cannot see, and privileges: SC120, SC121. */
import { isStableTable } from '../model.ts';
import { rangeVarKey } from '../pg/ast.ts';
import type { RuleHit } from './hit.ts';
import { alterCmds, type PgRule } from './pg-context.ts';

/** SC120: DO blocks, dynamic SQL and unparsable text hide their effects; the replay decides. */
export const opaqueStatement: PgRule = (s) => {
  if (s.type === 'Unparsable') {
    return [{ rule: 'SC120', object: s.file, message: `The file does not parse as PostgreSQL (${s.parseError ?? 'syntax error'}): nothing in it can be checked statically.` }];
  }
  if (s.type === 'DoStmt' || s.type === 'CallStmt' || s.type === 'ExecuteStmt') {
    const what = s.type === 'DoStmt' ? 'A DO block' : s.type === 'CallStmt' ? 'A procedure call' : 'EXECUTE of a prepared statement';
    return [{ rule: 'SC120', object: s.type, message: `${what} runs code whose schema changes static analysis cannot see.` }];
  }
  return [];
};

/** SC121: REVOKE, row-level security and policies can lock the stable version's role out. */
export const privilegeChange: PgRule = (s, ctx) => {
  const hits: RuleHit[] = [];
  if (s.type === 'GrantStmt' && !s.node.is_grant) {
    const objs = (s.node.objects ?? []).map((o: { RangeVar?: unknown }) => (o.RangeVar ? rangeVarKey(o.RangeVar) : '?'));
    hits.push({ rule: 'SC121', object: objs.join(', ') || String(s.node.objtype), message: 'Privileges are revoked: if the stable version\'s role used them, its queries fail with "permission denied".' });
  }
  if (s.type === 'GrantRoleStmt' && !s.node.is_grant) {
    hits.push({ rule: 'SC121', object: 'role membership', message: 'A role membership is revoked: the stable version may lose privileges it inherits.' });
  }
  for (const { table, cmd } of alterCmds(s)) {
    if (['AT_EnableRowSecurity', 'AT_ForceRowSecurity'].includes(cmd.subtype) && isStableTable(ctx.model, table)) {
      hits.push({ rule: 'SC121', object: table, message: `Row-level security is enabled on ${table}: without a policy that admits the stable version's role, its queries see no rows.` });
    }
  }
  if ((s.type === 'CreatePolicyStmt' || s.type === 'AlterPolicyStmt') && isStableTable(ctx.model, rangeVarKey(s.node.table))) {
    hits.push({ rule: 'SC121', object: rangeVarKey(s.node.table), message: 'A row-level-security policy changes what the stable version\'s role can see or write.' });
  }
  if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_POLICY') {
    hits.push({ rule: 'SC121', object: 'policy', message: 'A row-level-security policy is dropped: the stable version\'s role may lose access.' });
  }
  return hits;
};
