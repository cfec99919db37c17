import { z } from 'zod';
import { ROUTER_KINDS } from '../traffic/config.ts';
import { parseDuration } from '../util/duration.ts';
import { imageReferenceProblem } from './image-ref.ts';
import { closestKey, describeValue } from './problems.ts';
import { DATA_PLANES } from '../metrics/builtins.ts';
import { ON_INCONCLUSIVE } from '../rollout/step-verdict.ts';

/**
 * The one typed configuration of a run. Built once by the entry point from the action inputs and
 * the optional config file (inputs win), validated here, and passed down as plain values.
 * Keys are the input names (kebab-case), so an error names exactly what the user wrote.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Fields read from an input (text) or from the file (any YAML value). Each declares the types a
 * user may write (the input side, which canary.schema.json shows editors) and has one message that
 * says what to write whatever the wrong value is — never zod's "Invalid input". Values are quoted
 * through describeValue, which never shows anything that may be a credential.
 */
const textOrNumber = (message: (value: unknown) => string) => z.union([z.string(), z.number()], { error: (issue) => message(issue.input) });

const text = (what: string) => z.string({ error: (issue) => `must be ${what}, got ${describeValue(issue.input)}` });

const dnsLabel = (what: string, max = 63) =>
  text(`a DNS-1123 label (${what})`)
    .max(max, `must be at most ${max} characters`)
    .regex(DNS1123_LABEL, `must be a DNS-1123 label (${what}): lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. web-prod`);

const duration = (example: string, opts: { positive?: boolean } = {}) => {
  const expected = (value: unknown) => `must be a duration like "${example}" (units ms, s, m, h), got ${describeValue(value)}`;
  return textOrNumber(expected).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: expected(value) });
      return z.NEVER;
    }
    if (opts.positive && ms === 0) {
      ctx.addIssue({ code: 'custom', message: `must be longer than 0 (a limit of 0 would end every run at once); use e.g. "${example}"` });
      return z.NEVER;
    }
    return ms;
  });
};

const wholeNumber = (value: string | number): number | undefined => {
  const n = typeof value === 'number' ? value : value.trim() !== '' ? Number(value.trim()) : NaN;
  return Number.isInteger(n) ? n : undefined;
};

const intFromText = (min: number, max: number, example: string) => {
  const expected = (value: unknown) => `must be a whole number from ${min} to ${max} (e.g. ${example}), got ${describeValue(value)}`;
  return textOrNumber(expected).transform((value, ctx) => {
    const n = wholeNumber(value);
    if (n === undefined || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: expected(value) });
      return z.NEVER;
    }
    return n;
  });
};

const replicasExpected = (value: unknown) => `must be auto (proportional to the weight) or a whole number of pods from 1 to 1000 (e.g. 2), got ${describeValue(value)}`;
const canaryReplicas = z.union([z.literal('auto'), textOrNumber(replicasExpected)], { error: (issue) => replicasExpected(issue.input) }).transform((value, ctx): 'auto' | number => {
  if (value === 'auto') return 'auto';
  const n = wholeNumber(value);
  if (n === undefined || n < 1 || n > 1000) {
    ctx.addIssue({ code: 'custom', message: replicasExpected(value) });
    return z.NEVER;
  }
  return n;
});

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) => {
      const near = typeof issue.input === 'string' ? closestKey(issue.input, values) : undefined;
      return `must be one of ${values.join(', ')}${near ? ` (did you mean ${near}?)` : ''}, got ${describeValue(issue.input)}`;
    },
  });

/** "1,5,20,50,100" or a YAML list of numbers. */
const STEPS_EXAMPLE = 'write steps: [1, 5, 20, 50, 100] in the file or steps: "1,5,20,50,100" as an input';
const stepList = z
  .union([z.string(), z.number(), z.array(z.union([z.number(), z.string()]))], {
    error: (issue) => `must be a list of increasing percentages, got ${describeValue(issue.input)}; ${STEPS_EXAMPLE}`,
  })
  .transform((value, ctx) => {
    const items = typeof value === 'string' ? value.split(/[\s,]+/).filter((s) => s !== '') : typeof value === 'number' ? [value] : value;
    const weights: number[] = [];
    for (const item of items) {
      const n = typeof item === 'number' ? item : Number(item.replace(/%$/, ''));
      if (!Number.isInteger(n) || n < 1 || n > 100) {
        ctx.addIssue({ code: 'custom', message: `each step must be a whole percentage from 1 to 100, got ${describeValue(item)} (example: "1,5,20,50,100")` });
        return z.NEVER;
      }
      weights.push(n);
    }
    if (weights.length === 0) {
      ctx.addIssue({ code: 'custom', message: `must list at least one weight; ${STEPS_EXAMPLE}` });
      return z.NEVER;
    }
    for (let i = 1; i < weights.length; i++) {
      if ((weights[i] ?? 0) <= (weights[i - 1] ?? 0)) {
        ctx.addIssue({ code: 'custom', message: `weights must increase step by step, but ${weights[i]} follows ${weights[i - 1]}; e.g. 1,5,20,50,100` });
        return z.NEVER;
      }
    }
    return weights;
  });

const imageReference = text('an image reference like ghcr.io/acme/web:1.2.3').transform((value, ctx) => {
  const problem = imageReferenceProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return value;
});

export const MODES = ['rollout', 'promote', 'abort', 'status', 'check'] as const;

export const baseConfigSchema = z
  .object({
    mode: oneOf(MODES).default('rollout'),
    namespace: dnsLabel('a namespace').default('default'),
    deployment: text('the name of the stable Deployment, e.g. web')
      .max(253 - '-canary'.length, 'must leave room for the "-canary" suffix (at most 246 characters)')
      .regex(DNS1123_SUBDOMAIN, "must be a DNS-1123 name: lower-case letters, digits, '-' and '.', e.g. web")
      .optional(),
    image: imageReference.optional(),
    container: dnsLabel('a container name').optional(),
    context: text('the name of a kubeconfig context').optional(),
    router: oneOf(ROUTER_KINDS).default('replicas'),
    steps: stepList.optional(),
    'step-weight': intFromText(1, 100, '25').optional(),
    'max-weight': intFromText(1, 100, '50').default(100),
    'settle-time': duration('30s').default(30_000),
    'analysis-interval': duration('30s', { positive: true }).default(30_000),
    // 15 minutes: at 200 rps and 1 % errors the last compared step needs ~10 minutes to see +50 %
    // (docs/sequential.md, "Measured"); a step ends as soon as it can, so fast traffic is not slowed.
    'step-timeout': duration('15m', { positive: true }).default(900_000),
    // An undecided step at step-timeout rolls back unless the user chooses to advance without the
    // power to see the configured regression (rollout/step-verdict.ts; docs/sequential.md).
    'on-inconclusive': oneOf(ON_INCONCLUSIVE).default('rollback'),
    'ready-timeout': duration('5m', { positive: true }).default(300_000),
    // An hour: room for the default steps to use their step-timeout when traffic is thin.
    timeout: duration('60m', { positive: true }).default(3_600_000),
    'canary-replicas': canaryReplicas.default('auto'),
    rollback: oneOf(['immediate', 'gradual']).default('immediate'),
    'canary-cleanup': oneOf(['scale-to-zero', 'delete']).default('scale-to-zero'),
    'lease-duration': duration('60s', { positive: true }).default(60_000),
    'run-id': text('a run identity (text)').max(200, 'must be at most 200 characters').optional(),
    'report-path': text('a file path, e.g. canary-report.json')
      .min(1, 'must be a file path, e.g. canary-report.json')
      .refine((p) => !p.includes('\0'), 'must not contain NUL; give a file path, e.g. canary-report.json')
      .optional(),
    // A GitHub Deployment per rollout in this environment (shown under Environments); none when unset.
    environment: text('a GitHub environment name, e.g. production').min(1, 'must be a GitHub environment name, e.g. production').max(255, 'must be at most 255 characters (a GitHub environment name)').optional(),
    'environment-url': text('an http(s) URL, e.g. https://shop.example.com')
      .refine((u) => /^https?:\/\/[^\s/]+/.test(u) && URL.canParse(u), 'must be an http(s) URL where the deployed service can be reached, e.g. https://shop.example.com')
      .optional(),
    routing: z.record(z.string(), z.unknown(), { error: 'must be a mapping with router: and its options, e.g. routing: { router: istio }' }).default({}),
    metrics: z.unknown().optional(),
    providers: z.unknown().optional(),
    /** Whose metrics the built-in gates read (docs/metrics.md); default from the router. */
    'data-plane': z.enum(DATA_PLANES, { message: `must be one of ${DATA_PLANES.join(', ')} (docs/metrics.md)` }).optional(),
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

export type BaseConfig = z.output<typeof baseConfigSchema>;
export type Mode = (typeof MODES)[number];
