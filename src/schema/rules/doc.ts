/**
 * The rules part of docs/schema-rules.md, rendered from the catalog (one fact in one place):
 * a table linking to one section per rule, each with why the stable version breaks and the safe
 * expand/contract alternative. scripts/write-schema-rules.ts writes it; a test keeps it in sync.
 */
import { allRules, type RuleId } from './catalog.ts';

/** Where the rules are documented; a report links each finding's rule to its section. */
const RULES_DOC_URL = 'https://github.com/acme/canary-gate/blob/v1/docs/schema-rules.md';
const RULES_DOC_START = '<!-- rules: generated from src/schema/rules/catalog.ts by scripts/write-schema-rules.ts -->';
const RULES_DOC_END = '<!-- rules: end -->';

/** The section anchor GitHub derives from a `### SC101` heading. */
function ruleAnchor(id: RuleId): string {
  return id.toLowerCase();
}

export function ruleDocUrl(id: RuleId): string {
  return `${RULES_DOC_URL}#${ruleAnchor(id)}`;
}

const GROUPS: [string, (id: string) => boolean][] = [
  ['Compatibility (stable running side by side)', (id) => /^SC1/.test(id)],
  ['Locks and availability (both versions share the database)', (id) => /^SC3/.test(id)],
  ['Configuration', (id) => id.startsWith('CFG')],
];

function renderRulesDoc(): string {
  const rules = allRules();
  const out: string[] = [RULES_DOC_START, ''];
  for (const [title, member] of GROUPS) {
    out.push(`### ${title}`, '', '| id | change | default |', '|---|---|---|');
    for (const r of rules.filter((x) => member(x.id))) out.push(`| [${r.id}](#${ruleAnchor(r.id)}) | ${r.title} | ${r.verdict} |`);
    out.push('');
  }
  for (const r of rules) {
    out.push(`### ${r.id}`, '', `**${r.title}** — default **${r.verdict}**.`, '', `Why: ${r.why}`, '', `Safe alternative (expand/contract): ${r.alternative}`, '');
  }
  out.push(RULES_DOC_END);
  return out.join('\n');
}

/** Replaces the generated block of the document (between the markers) with `renderRulesDoc()`. */
export function withRulesDoc(doc: string): string {
  const start = doc.indexOf(RULES_DOC_START);
  const end = doc.indexOf(RULES_DOC_END);
  if (start < 0 || end < start) throw new Error('docs/schema-rules.md lacks the generated rules markers');
  return doc.slice(0, start) + renderRulesDoc() + doc.slice(end + RULES_DOC_END.length);
}
