import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { CONFIG_SCHEMA_ID, configJsonSchema } from '../../src/config/json-schema.ts';

const root = new URL('../../', import.meta.url);
const committed = JSON.parse(readFileSync(new URL('canary.schema.json', root), 'utf8')) as Record<string, unknown>;

/** The README's example of .github/canary.yml (the block that starts with the schema line). */
function readmeExample(): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const block = readme.split('```yaml\n').map((b) => b.split('\n```')[0]!).find((b) => b.startsWith('# yaml-language-server: $schema='));
  if (!block) throw new Error('README has no ```yaml block starting with the yaml-language-server line');
  return block;
}

describe('canary.schema.json', () => {
  test('is in sync with the zod schemas (run npm run schema:json after changing them)', () => {
    expect(committed).toEqual(configJsonSchema());
  });

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(committed);

  test("accepts the README's example, whose first line points editors at this schema", () => {
    const text = readmeExample();
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${CONFIG_SCHEMA_ID}`);
    expect(validate(parse(text))).toBe(true);
  });

  test('flags what the run would refuse: an unknown key, a bad enum value, a wrong type', () => {
    expect(validate({ stepz: [1, 2] })).toBe(false);
    expect(validate({ routing: { router: 'linkerd' } })).toBe(false);
    expect(validate({ notify: { 'pr-comment': 'yes please' } })).toBe(false);
    expect(validate({ metrics: [{ name: 'x', builtin: 'request-success-rate', judge: 'magic' }] })).toBe(false);
  });
});
