/** Reads the configuration inputs at both refs and applies the CFG rules. */
import { readFilesAt, type GitOptions } from '../git.ts';
import { diffConfig, metricNamesRemoved } from '../rules/config.ts';
import { hitsToFindings } from '../rules/hit.ts';
import type { SchemaFinding } from '../types.ts';
import { InputError } from '../../util/errors.ts';
import { flattenConfigFile, type FlatConfig } from './flatten.ts';

export interface ConfigCheckInput {
  files?: string[];
  keys?: string[];
  deploymentManifest?: string;
  metricNames?: string[];
}

export async function checkConfig(input: ConfigCheckInput, base: string, head: string, git: GitOptions): Promise<{ findings: SchemaFinding[]; notes: string[]; files: string[] }> {
  const files = [...new Set([...(input.files ?? []), ...(input.deploymentManifest ? [input.deploymentManifest] : [])])];
  const notes: string[] = [];
  const findings: SchemaFinding[] = [];
  const [atBase, atHead] = await Promise.all([readFilesAt(base, files, git), readFilesAt(head, files, git)]);
  const stableAll: FlatConfig = new Map();
  const canaryAll: FlatConfig = new Map();
  for (const f of files) {
    const s = atBase.get(f);
    const c = atHead.get(f);
    if (s === undefined && c === undefined) {
      notes.push(`Config file ${f} exists in neither ref; nothing to compare.`);
      continue;
    }
    if (s === undefined) notes.push(`Config file ${f} is new in the change; only its removal could break stable.`);
    const stable = s === undefined ? new Map() : flattenAt(f, s, base);
    const canary = c === undefined ? new Map() : flattenAt(f, c, head);
    if (c === undefined) notes.push(`Config file ${f} is deleted in the change.`);
    for (const [k, v] of stable) stableAll.set(k, v);
    for (const [k, v] of canary) canaryAll.set(k, v);
    const hits = diffConfig({ file: f, stable, canary, keys: input.keys });
    findings.push(...hitsToFindings(hits, undefined, new Set()).map((x) => ({ ...x, file: f })));
  }
  // Metric names may move between files, so they are compared over all files together.
  if (input.metricNames?.length) {
    findings.push(...hitsToFindings(metricNamesRemoved(stableAll, canaryAll, input.metricNames), undefined, new Set()));
  }
  return { findings, notes, files };
}

function flattenAt(path: string, text: string, ref: string): FlatConfig {
  try {
    return flattenConfigFile(path, text);
  } catch (err) {
    throw new InputError('config.files', `${(err as Error).message} (at ${ref}); fix the file or leave it out of config.files`);
  }
}
