/**
 * Every request the GitHub report sinks send (PR comment, check run, commit status, deployment),
 * through a rolled-back and a promoted rollout against the GitHub stand-in, is checked against
 * GitHub's published OpenAPI description (@octokit/openapi, api.github.com): the operation exists,
 * the body validates against its request schema, the query parameters are declared, and the
 * stand-in answered with a status the description lists. Each call is also one of
 * GITHUB_CALLS, whose permissions the README's `permissions:` block must grant.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getOctokit } from '@actions/github';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { createCheckRunSink } from '../../src/notify/check-run.ts';
import { createCommitStatusSink } from '../../src/notify/commit-status.ts';
import { createDeploymentSink } from '../../src/notify/deployment.ts';
import { GITHUB_CALLS, matchGitHubCall } from '../../src/notify/github-permissions.ts';
import { createPrCommentSink } from '../../src/notify/pr-comment.ts';
import { Reporter } from '../../src/notify/reporter.ts';
import type { RolloutEvent, RolloutReport } from '../../src/rollout/report.ts';
import { startFakeGitHub, type FakeGitHub, type RecordedRequest } from '../../src/sim/github.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

type Operation = {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: { 'application/json': { schema: unknown } } };
  responses: Record<string, unknown>;
};
type Spec = { paths: Record<string, Record<string, Operation>> };

const spec = createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json') as Spec;
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema(spec as object, 'github');
const pointer = (...parts: string[]): string => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

const TOKEN = 'ghs_openapi_check_token';
const SHA = 'b'.repeat(40);
const WORKFLOW = '.github/workflows/deploy.yml';
const noSleep = { sleep: async () => undefined };

let gh: FakeGitHub;
afterEach(async () => {
  await gh?.close();
});

async function runAllSinks(final: RolloutReport, result: RolloutEvent & { type: 'finished' }): Promise<string[]> {
  const octokit = getOctokit(TOKEN, { baseUrl: gh.url });
  const warnings: string[] = [];
  const common = { octokit, owner: 'acme', repo: 'shop', sha: SHA, warn: (m: string) => warnings.push(m), call: noSleep };
  const reporter = new Reporter(
    [
      createPrCommentSink({ ...common, prNumber: 7 }),
      createCheckRunSink({ ...common, detailsUrl: 'https://github.com/acme/shop/actions/runs/1', workflowPath: WORKFLOW }),
      createCommitStatusSink({ ...common, targetUrl: 'https://github.com/acme/shop/actions/runs/1' }),
      createDeploymentSink({ ...common, environment: 'production', environmentUrl: 'https://shop.example.com', logUrl: 'https://github.com/acme/shop/actions/runs/1' }),
    ],
    { warning: (m) => warnings.push(m) },
  );
  await reporter.publish(runningReport(), { type: 'started' });
  await reporter.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
  await reporter.publish(final, result);
  return warnings;
}

function checkAgainstOpenApi(r: RecordedRequest): string[] {
  const problems: string[] = [];
  const call = matchGitHubCall(r.method, r.path);
  if (!call) return [`${r.method} ${r.path} is not in GITHUB_CALLS`];
  if (call.path === '/graphql') return []; // GraphQL is not part of the REST description
  const op = spec.paths[call.path]?.[r.method.toLowerCase()];
  if (!op) return [`${r.method} ${call.path} is not in GitHub's OpenAPI description`];
  const params = (op.parameters ?? []) as ({ in: string; name: string } | { $ref: string })[];
  const declared = new Set(params.map((p) => ('$ref' in p ? resolveParam(p.$ref) : p)).filter((p) => p.in === 'query').map((p) => p.name));
  for (const q of Object.keys(r.query)) if (!declared.has(q)) problems.push(`${r.method} ${call.path}: query parameter ${q} is not declared`);
  if (op.requestBody) {
    const validate = ajv.getSchema(`github#/${pointer('paths', call.path, r.method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema')}`)!;
    if (!validate(r.body)) problems.push(`${r.method} ${call.path}: body ${JSON.stringify(r.body).slice(0, 200)} does not match: ${ajv.errorsText(validate.errors)}`);
  } else if (r.body !== undefined && r.method !== 'GET') {
    problems.push(`${r.method} ${call.path}: sends a body the operation does not take`);
  }
  if (r.status === undefined || !(String(r.status) in op.responses)) problems.push(`${r.method} ${call.path}: the stand-in answered ${r.status}, which GitHub does not document`);
  return problems;
}

function resolveParam(ref: string): { in: string; name: string } {
  const name = ref.replace('#/components/parameters/', '');
  return (spec as unknown as { components: { parameters: Record<string, { in: string; name: string }> } }).components.parameters[name]!;
}

describe("the GitHub sinks' requests match GitHub's OpenAPI description", () => {
  test.each([
    ['rolled back', rolledBackReport(), { type: 'finished', result: 'rolled-back' } as const],
    ['promoted', promotedReport(), { type: 'finished', result: 'promoted' } as const],
  ])('a %s rollout: every call is documented, well-formed and listed with its permission', async (_name, final, event) => {
    gh = await startFakeGitHub({ token: TOKEN });
    const warnings = await runAllSinks(final, event);
    expect(warnings).toEqual([]);
    expect(gh.requests.length).toBeGreaterThan(8);
    expect(gh.requests.flatMap(checkAgainstOpenApi)).toEqual([]);
    // What a reviewer sees: one comment, one check run completed, one deployment resolved.
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]).toMatchObject({ name: 'canary-gate/shop/checkout', status: 'completed', conclusion: event.result === 'promoted' ? 'success' : 'failure' });
    expect(gh.checkRuns[0]!.output?.summary).toContain(event.result === 'promoted' ? '✅ Promoted' : '❌ Rolled back');
    expect(gh.deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', event.result === 'promoted' ? 'success' : 'failure']]);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ log_url: 'https://github.com/acme/shop/actions/runs/1', environment_url: 'https://shop.example.com/' });
    if (event.result === 'rolled-back') {
      expect(gh.checkRuns[0]!.annotations).toEqual([
        expect.objectContaining({ path: WORKFLOW, annotation_level: 'failure', title: 'Canary Gate shop/checkout: rolled-back (gate-failed)' }),
        expect.objectContaining({ path: WORKFLOW, annotation_level: 'warning' }),
      ]);
    }
  });

  test('the validator is strict enough to fail this test: a malformed body is reported', () => {
    const bad: RecordedRequest = { method: 'POST', path: '/repos/acme/shop/statuses/' + SHA, query: {}, body: { state: 'green' }, authorized: true, status: 201 };
    expect(checkAgainstOpenApi(bad).join('\n')).toMatch(/does not match/);
    expect(checkAgainstOpenApi({ ...bad, path: '/repos/acme/shop/hooks', body: {} })).toEqual(['POST /repos/acme/shop/hooks is not in GITHUB_CALLS']);
  });

  test("the README's permissions block grants every permission the calls need", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.split('```yaml\n').map((b) => b.split('\n```')[0]!).find((b) => /^permissions:/m.test(b) && b.includes('uses: acme/canary-gate'))!;
    const granted = (parse(block) as { permissions: Record<string, string> }).permissions;
    for (const call of GITHUB_CALLS) {
      if (!call.permission) continue;
      const [name, level] = call.permission.split(': ') as [string, string];
      expect({ call: `${call.method} ${call.path}`, granted: granted[name] === 'write' || granted[name] === level }).toEqual({ call: `${call.method} ${call.path}`, granted: true });
    }
  });
});

test('without checks: write the check run falls back to a commit status, once, and says so', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  gh.forbid('checks');
  const octokit = getOctokit(TOKEN, { baseUrl: gh.url });
  const warnings: string[] = [];
  const sink = createCheckRunSink({ octokit, owner: 'acme', repo: 'shop', sha: SHA, warn: (m) => warnings.push(m), call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(rolledBackReport(), { type: 'finished', result: 'rolled-back' });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/checks: write/);
  expect(gh.statuses.map((s) => s.state)).toEqual(['pending', 'failure']);
});
