/**
 * The JSON Schema of `.github/canary.yml`, generated from the same zod schemas that validate it
 * (each feature's own section composed onto the base keys), so editors offer completion and flag
 * typos before a run does. Written to `canary.schema.json` by `npm run schema:json`; a test keeps
 * the committed file in sync. It describes what a user may write (zod's input side): durations as
 * "30s" or milliseconds, steps as "1,5,20" or a list. Cross-field rules (a step above max-weight, a
 * metric naming a missing provider) stay with the run's own validation, which names the fix.
 */
import { z } from 'zod';
import { metricsConfigSchema } from '../metrics/config.ts';
import { NotifyConfigSchema } from '../notify/config.ts';
import { schemaConfigSchema } from '../schema/config-schema.ts';
import { routerConfigSchema } from '../traffic/config.ts';
import { baseConfigSchema } from './schema.ts';

/** Where the README's `# yaml-language-server: $schema=` line points (the major tag: it moves with releases). */
export const CONFIG_SCHEMA_ID = 'https://raw.githubusercontent.com/acme/canary-gate/v1/canary.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const routing = routerConfigSchema.shape;
  const file = z
    .object({
      ...baseConfigSchema.shape,
      // In the file, routing.router may be left out: the top-level router (or the input) applies.
      routing: z.object({ ...routing, router: routing.router.optional() }).strict(),
      providers: metricsConfigSchema.shape.providers,
      metrics: metricsConfigSchema.shape.metrics,
      notify: NotifyConfigSchema,
      schema: schemaConfigSchema,
    })
    .strict();
  const generated = z.toJSONSchema(file, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Canary Gate configuration (.github/canary.yml)',
    description: 'Inputs of the canary-gate action override these keys. Generated from the zod schemas by npm run schema:json; do not edit.',
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}
