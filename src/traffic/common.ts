/**
 * Helpers every router shares: the router error, weight validation, the read-modify-write loop with
 * bounded conflict retries, and small object utilities. No I/O beyond the KubeApi passed in.
 */
import { isConflict } from '../kube/errors.ts';
import type { KubeApi, KubeObject, ObjectRef } from '../kube/types.ts';
import { CanaryGateError } from '../util/errors.ts';
import { sleep } from '../util/retry.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './router.ts';

/** A routing object is missing, malformed or does not point at stable/canary. */
export class RouterError extends CanaryGateError {
  readonly router: string;
  constructor(router: string, message: string, options?: { cause?: unknown }) {
    super('router-error', `${router} router: ${message}`, options);
    this.name = 'RouterError';
    this.router = router;
  }
}

/** Weights are integers 0..100; anything else is a programming error upstream, so say so loudly. */
export function checkWeight(router: string, canaryPercent: number): number {
  if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100) {
    throw new RouterError(
      router,
      `canary weight must be an integer from 0 to 100, got ${String(canaryPercent)}; the stable version gets 100 minus it.`,
    );
  }
  return canaryPercent;
}

export interface ConflictRetryOptions {
  /** Attempts including the first; a 409 on the last one is rethrown. */
  attempts: number;
  baseDelayMs: number;
}

const DEFAULT_CONFLICT_RETRY: ConflictRetryOptions = { attempts: 5, baseDelayMs: 50 };

/**
 * Reads the object, lets `mutate` change a copy and writes it back with the resourceVersion it read
 * (PUT), so a concurrent writer turns into a 409 that is retried on a fresh read. `mutate` returns
 * false when nothing needs to change (no write then). Returns the object as stored, or undefined
 * when it does not exist.
 */
export async function updateObject<T extends KubeObject>(
  kube: KubeApi,
  ref: ObjectRef,
  mutate: (obj: T) => boolean,
  retry: ConflictRetryOptions = DEFAULT_CONFLICT_RETRY,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await kube.get<T>(ref);
    if (!current) return undefined;
    const copy = structuredClone(current);
    if (!mutate(copy)) return current;
    try {
      return await kube.replace<T>(copy);
    } catch (err) {
      if (!isConflict(err) || attempt >= retry.attempts) throw err;
      await sleep(retry.baseDelayMs * attempt);
    }
  }
}

export function refTo(apiVersion: string, kind: string, namespace: string, name: string): ObjectRef {
  return { apiVersion, kind, namespace, name };
}

export function isManaged(obj: KubeObject): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

export function managedLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...extra };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Whether an Istio/Gateway host string names the Service `name` in `namespace`. */
export function hostNamesService(host: string, name: string, namespace: string): boolean {
  return (
    host === name ||
    host === `${name}.${namespace}` ||
    host === `${name}.${namespace}.svc` ||
    host === `${name}.${namespace}.svc.cluster.local`
  );
}

/** Regular expression matching a Cookie header that carries `name=value`. */
export function cookieRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits 100 into integer stable/canary shares. */
export function split(canaryPercent: number): { stable: number; canary: number } {
  return { stable: 100 - canaryPercent, canary: canaryPercent };
}

/** Canary share in percent from two raw weights (any scale), rounded to an integer. */
export function percentOf(stableWeight: number, canaryWeight: number): number {
  const total = stableWeight + canaryWeight;
  if (!(total > 0)) return 0;
  return Math.round((canaryWeight / total) * 100);
}

/**
 * The user's original values of the fields a router rewrites, kept in one annotation on the object
 * itself (written in the same PUT as the first change, so a crash cannot separate them) and put back
 * by cleanup().
 */
export const ORIGINAL_ANNOTATION = 'canary-gate.io/original';

function originals(obj: KubeObject): Record<string, unknown> {
  const raw = obj.metadata.annotations?.[ORIGINAL_ANNOTATION];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Records `value` under `key` unless a value is already recorded (the first one is the original). */
export function rememberOriginal(obj: KubeObject, key: string, value: unknown): void {
  const map = originals(obj);
  if (key in map) return;
  map[key] = structuredClone(value);
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [ORIGINAL_ANNOTATION]: JSON.stringify(map) };
}

/** Whether a value is recorded under `key`: the mark that canary-gate changed that part of the object. */
export function hasOriginal(obj: KubeObject, key: string): boolean {
  return key in originals(obj);
}

/** Returns and forgets the value recorded under `key` (undefined when none); drops the annotation when empty. */
export function takeOriginal<T>(obj: KubeObject, key: string): T | undefined {
  const map = originals(obj);
  if (!(key in map)) return undefined;
  const value = map[key] as T;
  delete map[key];
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (Object.keys(map).length === 0) delete annotations[ORIGINAL_ANNOTATION];
  else annotations[ORIGINAL_ANNOTATION] = JSON.stringify(map);
  // An object that had no annotations gets none back (not an empty map): byte-identical.
  if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
  else obj.metadata.annotations = annotations;
  return value;
}

/**
 * Creates `obj`; when another writer created it first (409 AlreadyExists) returns false instead of
 * failing, so the caller can treat it like an object that already existed.
 */
export async function createIfAbsent<T extends KubeObject>(kube: KubeApi, obj: T): Promise<boolean> {
  try {
    await kube.create(obj);
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}
