/** Writes the rules part of docs/schema-rules.md from the rule catalog (npm run docs:schema-rules). */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withRulesDoc } from '../src/schema/rules/doc.ts';

const target = fileURLToPath(new URL('../docs/schema-rules.md', import.meta.url));
await writeFile(target, withRulesDoc(await readFile(target, 'utf8')));
console.log('wrote docs/schema-rules.md');
