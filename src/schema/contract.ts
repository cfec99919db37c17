/**
 * Contract-phase directives: the stable ref may declare objects deprecated, after which dropping or
 * renaming them is legitimate. Syntax, one comment line each, in any stable migration or in a
 * deprecation list file: `-- canary-gate:contract users.legacy_flag [more objects…]`.
 * This reads comments only; SQL itself always goes through a real parser.
 */
const DIRECTIVE = 'canary-gate:contract';

export function contractDirectives(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const body = line.startsWith('--') ? line.slice(2) : line.startsWith('#') ? line.slice(1) : undefined;
    if (body === undefined) continue;
    const t = body.trim();
    if (!t.startsWith(DIRECTIVE)) continue;
    for (const obj of t.slice(DIRECTIVE.length).split(/[\s,]+/)) if (obj) out.push(obj.toLowerCase());
  }
  return out;
}

/** An object is contracted when it, or the table it belongs to, is listed. */
export function isContracted(contract: ReadonlySet<string>, object: string): boolean {
  const key = object.toLowerCase();
  if (contract.has(key)) return true;
  const dot = key.lastIndexOf('.');
  return dot > 0 && contract.has(key.slice(0, dot)) && !contract.has(key);
}
