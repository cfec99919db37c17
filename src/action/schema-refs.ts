/** Refs the schema check compares when the config leaves them out: the PR base and HEAD. */
export function defaultSchemaRefs(env: Record<string, string | undefined>): { base?: string; head?: string } {
  if (env.GITHUB_BASE_REF) return { base: `origin/${env.GITHUB_BASE_REF}`, head: 'HEAD' };
  return { head: 'HEAD' };
}
