/**
 * Turns configuration files into flat key → value maps so two refs can be compared: YAML/JSON
 * files (nested keys joined with dots), Kubernetes ConfigMaps (`configmap/<name>/<key>`), workload
 * manifests (`env/<container>/<NAME>`, `port/<container>/<name>`, `annotation/<key>`), and
 * `.env`/`.properties` files.
 */
import { parseAllDocuments } from 'yaml';

export type ConfigValue = string | number | boolean | null;
export type FlatConfig = Map<string, ConfigValue>;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job', 'CronJob', 'Pod']);

export function flattenConfigFile(path: string, text: string): FlatConfig {
  const out: FlatConfig = new Map();
  const lower = path.toLowerCase();
  if (lower.endsWith('.env') || lower.endsWith('.properties') || lower.split('/').pop()!.startsWith('.env')) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith('!')) continue;
      const eq = line.search(/[=:]/);
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
      let value = line.slice(eq + 1).trim();
      if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) value = value.slice(1, -1);
      out.set(key, value);
    }
    return out;
  }
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${path} is not valid YAML/JSON: ${doc.errors[0]!.message}`);
    const data = doc.toJS() as unknown;
    if (data === null || typeof data !== 'object') continue;
    const obj = data as Record<string, unknown>;
    if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
      const name = String((obj.metadata as Record<string, unknown> | undefined)?.name ?? '?');
      // Secret values are never read: only whether the key exists.
      const entries = { ...(obj.data as object), ...(obj.stringData as object) } as Record<string, unknown>;
      for (const [k, v] of Object.entries(entries)) out.set(`${String(obj.kind).toLowerCase()}/${name}/${k}`, obj.kind === 'Secret' ? '(secret)' : scalar(v));
    } else if (WORKLOADS.has(String(obj.kind))) {
      flattenWorkload(obj, out);
    } else {
      flattenObject(obj, '', out);
    }
  }
  return out;
}

function scalar(v: unknown): ConfigValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function flattenObject(v: unknown, prefix: string, out: FlatConfig): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flattenObject(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) {
    v.forEach((x, i) => flattenObject(x, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, scalar(v));
  }
}

function flattenWorkload(obj: Record<string, unknown>, out: FlatConfig): void {
  const spec = obj.spec as Record<string, unknown> | undefined;
  const jobSpec = obj.kind === 'CronJob' ? ((spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined) : spec;
  const tmpl = (obj.kind === 'Pod' ? obj : jobSpec?.template) as Record<string, unknown> | undefined;
  const podSpec = (obj.kind === 'Pod' ? spec : tmpl?.spec) as Record<string, unknown> | undefined;
  const annotations = {
    ...((obj.metadata as Record<string, unknown>)?.annotations as object),
    ...((tmpl?.metadata as Record<string, unknown>)?.annotations as object),
  } as Record<string, unknown>;
  for (const [k, v] of Object.entries(annotations)) out.set(`annotation/${k}`, scalar(v));
  const containers = [...((podSpec?.containers as unknown[]) ?? []), ...((podSpec?.initContainers as unknown[]) ?? [])] as Record<string, unknown>[];
  for (const c of containers) {
    const cname = String(c.name ?? '?');
    for (const e of (c.env as Record<string, unknown>[]) ?? []) {
      const name = String(e.name);
      if (e.valueFrom) {
        const vf = e.valueFrom as Record<string, Record<string, unknown>>;
        const [kind, ref] = Object.entries(vf)[0] ?? ['?', {}];
        out.set(`env/${cname}/${name}`, `valueFrom:${kind}:${String(ref?.name ?? ref?.fieldPath ?? '')}/${String(ref?.key ?? '')}`);
      } else {
        out.set(`env/${cname}/${name}`, scalar(e.value ?? ''));
      }
    }
    for (const p of (c.ports as Record<string, unknown>[]) ?? []) out.set(`port/${cname}/${String(p.name ?? p.containerPort)}`, scalar(p.containerPort));
    for (const ef of (c.envFrom as Record<string, Record<string, unknown>>[]) ?? []) {
      const [kind, ref] = Object.entries(ef).find(([k]) => k !== 'prefix') ?? ['?', {}];
      out.set(`envFrom/${cname}/${kind}/${String(ref?.name ?? '?')}`, 'present');
    }
  }
}
