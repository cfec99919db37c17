/**
 * Defaulting of custom resources from their structural schema, as the API server does on every
 * write (and read): k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go,
 * `Default()` — top-down, a `default` fills a property that is absent, and the filled value is then
 * defaulted further; list items and map values (additionalProperties) are defaulted with their
 * schema. E.g. an HTTPRoute backendRef gets `group: ""`, `kind: Service`, `weight: 1`, a parentRef
 * `group: gateway.networking.k8s.io`, `kind: Gateway`, a rule without matches `matches: [{path:
 * {type: PathPrefix, value: /}}]` (the Gateway API CRD's own defaults).
 */
type Schema = {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  default?: unknown;
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies the schema's defaults to `value` in place. The root's metadata is not described by a CRD. */
export function applySchemaDefaults(value: unknown, schema: unknown, root = true): void {
  if (!isObject(schema)) return;
  const s = schema as Schema;
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) applySchemaDefaults(item, s.items, false);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    if (root && key === 'metadata') continue;
    if (!(key in value) && sub.default !== undefined) value[key] = structuredClone(sub.default);
    if (key in value) applySchemaDefaults(value[key], sub, false);
  }
  if (isObject(s.additionalProperties)) {
    const declared = new Set(Object.keys(s.properties ?? {}));
    for (const [key, v] of Object.entries(value)) if (!declared.has(key)) applySchemaDefaults(v, s.additionalProperties, false);
  }
}
