import { InputError } from '../util/errors.ts';

export type TemplateVars = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** Names used by a template, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Fills {{name}} placeholders. An unknown or empty variable is an error naming it, the metric and
 * the variables that are known, so a typo never becomes a query that silently matches nothing.
 */
export function renderTemplate(template: string, vars: TemplateVars, field: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === '') {
      const known = Object.keys(vars).filter((k) => vars[k] !== undefined && vars[k] !== '').sort();
      throw new InputError(
        field,
        `unknown template variable {{${name}}}; known variables: ${known.map((k) => `{{${k}}}`).join(', ')}. ` +
          'Add it under variables: of the metric or fix the name.',
      );
    }
    // Values land inside PromQL label matchers and Datadog tag filters: refuse characters that
    // would end the string and change the query.
    if (/["\\\n{}]/.test(value)) {
      throw new InputError(field, `variable {{${name}}} has a value with a quote, backslash, brace or newline: ${JSON.stringify(value)}`);
    }
    return value;
  });
}
