/** Writes canary.schema.json from the zod schemas (npm run schema:json). */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/json-schema.ts';

const target = fileURLToPath(new URL('../canary.schema.json', import.meta.url));
await writeFile(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log('wrote canary.schema.json');
