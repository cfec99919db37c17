/**
 * Pruning of unknown fields in custom resources, as the API server does with structural schemas:
 * a field not declared by the schema is dropped silently, unless the schema says
 * x-kubernetes-preserve-unknown-fields or allows additionalProperties. Root apiVersion, kind and
 * metadata are always kept (ObjectMeta is not described by the CRD). Returns the dropped paths.
 */
type Schema = {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  type?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Properties declared directly or in allOf/anyOf/oneOf branches (which may only narrow them). */
function declaredProperties(schema: Schema): Record<string, Schema> {
  const props: Record<string, Schema> = { ...(schema.properties ?? {}) };
  for (const branch of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    for (const [k, v] of Object.entries(branch.properties ?? {})) if (!props[k]) props[k] = v;
  }
  return props;
}

export function pruneUnknownFields(obj: unknown, schema: unknown): string[] {
  const dropped: string[] = [];
  if (isObject(obj) && isObject(schema)) walk(obj, schema as Schema, '', dropped, true);
  return dropped;
}

function walk(value: unknown, schema: Schema, path: string, dropped: string[], root: boolean): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(item, schema.items as Schema, `${path}[${i}]`, dropped, false));
    return;
  }
  if (!isObject(value)) return;
  const props = declaredProperties(schema);
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const child = `${path ? `${path}.` : ''}${key}`;
    const sub = props[key];
    if (sub) {
      if (!(root && key === 'metadata')) walk(value[key], sub, child, dropped, false);
    } else if (isObject(schema.additionalProperties)) {
      walk(value[key], schema.additionalProperties, child, dropped, false);
    } else if (schema.additionalProperties === true || preserve) {
      // kept as is
    } else if ((root || embedded) && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      // ObjectMeta and type meta are never pruned
    } else {
      delete value[key];
      dropped.push(child);
    }
  }
}
