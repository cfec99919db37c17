import { z } from 'zod';
import { parseDuration } from './duration.ts';

/**
 * The one typed configuration of a run. Built once by the entry point from the action inputs and
 * the optional config file (inputs win), validated here, and passed down as plain values.
 * Keys are the input names (kebab-case), so an error names exactly what the user wrote.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const dnsLabel = (what: string, max = 63) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(DNS1123_LABEL, `must be a DNS-1123 label (${what}): lower-case letters, digits and '-', starting and ending with a letter or digit`);

export const duration = (example: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like "${example}" (units ms, s, m, h), got "${String(value)}"` });
      return z.NEVER;
    }
    return ms;
  });

const intFromText = (min: number, max: number) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : Number(value.trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got "${String(value)}"` });
      return z.NEVER;
    }
    return n;
  });

const boolFromText = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: `must be true or false, got "${value}"` });
  return z.NEVER;
});

/** "1,5,20,50,100" or a YAML list of numbers. */
const stepList = z.union([z.string(), z.array(z.union([z.number(), z.string()]))]).transform((value, ctx) => {
  const items = typeof value === 'string' ? value.split(/[\s,]+/).filter((s) => s !== '') : value;
  const weights: number[] = [];
  for (const item of items) {
    const n = typeof item === 'number' ? item : Number(String(item).replace(/%$/, ''));
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      ctx.addIssue({ code: 'custom', message: `each step must be a whole percentage from 1 to 100, got "${String(item)}" (example: "1,5,20,50,100")` });
      return z.NEVER;
    }
    weights.push(n);
  }
  if (weights.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must list at least one weight, e.g. "1,5,20,50,100"' });
    return z.NEVER;
  }
  for (let i = 1; i < weights.length; i++) {
    if ((weights[i] ?? 0) <= (weights[i - 1] ?? 0)) {
      ctx.addIssue({ code: 'custom', message: `weights must increase step by step, but ${weights[i]} follows ${weights[i - 1]}` });
      return z.NEVER;
    }
  }
  return weights;
});

export const MODES = ['rollout', 'promote', 'abort', 'status', 'check'] as const;
export const ROUTERS = ['istio', 'replicas', 'nginx', 'gateway-api', 'traefik', 'smi'] as const;

export const baseConfigSchema = z
  .object({
    mode: z.enum(MODES, { message: `must be one of ${MODES.join(', ')}` }).default('rollout'),
    namespace: dnsLabel('a namespace').default('default'),
    deployment: z
      .string()
      .max(253 - '-canary'.length, 'must leave room for the "-canary" suffix (at most 246 characters)')
      .regex(DNS1123_SUBDOMAIN, "must be a DNS-1123 name: lower-case letters, digits, '-' and '.'")
      .optional(),
    image: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[^\s@]+(@sha256:[a-f0-9]{64})?$|^[^\s]+@sha256:[a-f0-9]{64}$/, 'must be an image reference like ghcr.io/acme/web:1.2.3 or …@sha256:<digest>, without spaces')
      .optional(),
    container: dnsLabel('a container name').optional(),
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    router: z.enum(ROUTERS, { message: `must be one of ${ROUTERS.join(', ')}` }).default('replicas'),
    steps: stepList.optional(),
    'step-weight': intFromText(1, 100).optional(),
    'max-weight': intFromText(1, 100).default(100),
    'settle-time': duration('30s').default(30_000),
    'analysis-interval': duration('30s').default(30_000),
    'step-timeout': duration('5m').default(300_000),
    'ready-timeout': duration('5m').default(300_000),
    timeout: duration('30m').default(1_800_000),
    'canary-replicas': z
      .union([z.literal('auto'), intFromText(1, 1000)])
      .default('auto'),
    rollback: z.enum(['immediate', 'gradual'], { message: 'must be immediate or gradual' }).default('immediate'),
    'canary-cleanup': z.enum(['scale-to-zero', 'delete'], { message: 'must be scale-to-zero or delete' }).default('scale-to-zero'),
    'lease-duration': duration('60s').default(60_000),
    'run-id': z.string().max(200).optional(),
    'report-path': z.string().optional(),
    routing: z.record(z.string(), z.unknown()).default({}),
    metrics: z.unknown().optional(),
    providers: z.unknown().optional(),
    notify: z.unknown().optional(),
    schema: z.unknown().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const needsTarget = c.mode !== 'check';
    if (needsTarget && !c.deployment) {
      ctx.addIssue({ code: 'custom', path: ['deployment'], message: 'is required: the name of the stable Deployment to roll out (e.g. "web")' });
    }
    if (c.mode === 'rollout' && !c.image) {
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'is required in mode rollout: the new image, e.g. ghcr.io/acme/web:1.2.3' });
    }
    if (c.steps && c.steps.some((w) => w > c['max-weight'])) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: `has a weight above max-weight ${c['max-weight']}: lower the step or raise max-weight`,
      });
    }
    if (c.steps && c['step-weight'] !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['step-weight'], message: 'cannot be combined with steps: give either an explicit list or a step size' });
    }
  });

export type RawConfig = z.input<typeof baseConfigSchema>;
export type BaseConfig = z.output<typeof baseConfigSchema>;
export type Mode = (typeof MODES)[number];
export type RouterKind = (typeof ROUTERS)[number];
