/**
 * The `schema:` section of .github/canary.yml. Kebab-case like the rest of the file; parsed once
 * by the entry point and turned into SchemaCheckOptions with `schemaOptionsFromConfig`.
 */
import { z } from 'zod';
import type { SchemaCheckOptions } from './check.ts';

const relPath = (what: string) =>
  z
    .string({ message: `must be ${what}, a path relative to the repository root` })
    .min(1, `must be ${what}, a path relative to the repository root`)
    .refine((p) => !p.split(/[\\/]/).includes('..'), `must stay inside the repository (no "..")`);

const gitRef = z
  .string({ message: 'must be a git ref, e.g. origin/main or a commit SHA' })
  .min(1, 'must be a git ref, e.g. origin/main or a commit SHA')
  .refine((r) => !r.startsWith('-') && !/\s/.test(r), 'must be a git ref without spaces that does not start with "-"');

export const schemaConfigSchema = z
  .object({
    dialect: z.enum(['postgres', 'mysql'], { message: 'must be postgres or mysql' }).default('postgres'),
    dir: relPath('the migrations directory').optional(),
    base: gitRef.optional(),
    head: gitRef.optional(),
    'stable-dump': relPath('the stable schema dump').optional(),
    'canary-dump': relPath('the canary schema dump').optional(),
    command: z
      .array(z.string(), { message: 'must be an argv list, e.g. ["python", "manage.py", "sqlmigrate", "app", "0042"] (no shell string)' })
      .min(1, 'must name at least the program to run')
      .optional(),
    strict: z.boolean({ message: 'must be true or false' }).default(false),
    replay: z.boolean({ message: 'must be true or false' }).default(true),
    'require-lock-timeout': z.boolean({ message: 'must be true or false' }).default(false),
    execution: z.boolean({ message: 'must be true or false' }).default(true),
    'stable-queries': z.array(relPath('a file of SQL the stable version runs')).default([]),
    seed: z.array(relPath('a file of rows (INSERT statements) to load before execution')).default([]),
    'timeout-seconds': z.number({ message: 'must be a number of seconds' }).positive('must be positive').max(3600, 'must be at most 3600').default(120),
    config: z
      .object({
        files: z.array(relPath('a config file')).default([]),
        keys: z.array(z.string().min(1)).default([]),
        deployment: relPath('the Deployment manifest').optional(),
        'metric-names': z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const dumps = Boolean(c['stable-dump'] && c['canary-dump']);
    if (c['canary-dump'] && !c['stable-dump']) ctx.addIssue({ code: 'custom', path: ['stable-dump'], message: 'is required with canary-dump: dumps come in pairs' });
    if (c['stable-dump'] && !c['canary-dump'] && !c.command) ctx.addIssue({ code: 'custom', path: ['canary-dump'], message: 'is required with stable-dump (or give command)' });
    if (!c.dir && !dumps && !c.command) ctx.addIssue({ code: 'custom', path: ['dir'], message: 'is required: the migrations directory (or give stable-dump + canary-dump, or command)' });
    if (dumps && c.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'cannot be combined with stable-dump/canary-dump: pick one input' });
    if (c.config && !c.base) ctx.addIssue({ code: 'custom', path: ['base'], message: 'is required for the config comparison: the stable ref' });
  });

export type SchemaConfig = z.infer<typeof schemaConfigSchema>;

/**
 * Fills in what the rollout knows: the repository root, and the stable ref when the config leaves
 * it out (e.g. the PR base or the commit the stable image was built from).
 */
export function schemaOptionsFromConfig(c: SchemaConfig, cwd: string, defaults: { base?: string; head?: string } = {}): SchemaCheckOptions {
  return {
    dialect: c.dialect,
    cwd,
    dir: c.dir,
    base: c.base ?? (c.dir || c.config ? defaults.base : undefined),
    head: c.head ?? defaults.head,
    stableDump: c['stable-dump'],
    canaryDump: c['canary-dump'],
    sqlCommand: c.command,
    strict: c.strict,
    replay: c.replay,
    requireLockTimeout: c['require-lock-timeout'],
    execution: c.execution,
    stableQueries: c['stable-queries'],
    seed: c.seed,
    timeoutMs: c['timeout-seconds'] * 1000,
    config: c.config ? { files: c.config.files, keys: c.config.keys, deploymentManifest: c.config.deployment, metricNames: c.config['metric-names'] } : undefined,
  };
}
