import { getOctokit } from '@actions/github';
import { createCommitStatusSink } from '../../src/notify/commit-status.ts';
import { createPrCommentSink, prCommentMarker } from '../../src/notify/pr-comment.ts';
import { Reporter } from '../../src/notify/reporter.ts';
import type { RolloutEvent } from '../../src/rollout/report.ts';
import { GITHUB_ACTIONS_BOT, startFakeGitHub } from '../../src/sim/github.ts';
import type { FakeGitHub } from '../../src/sim/github.ts';
import { promotedReport, rolledBackReport, runningReport } from './fixtures.ts';

const TOKEN = 'ghs_test_token_0123456789';
const SHA = 'a'.repeat(40);
const MARKER = prCommentMarker('shop', 'checkout');
const noSleep = { sleep: async () => undefined };

let gh: FakeGitHub;
afterEach(async () => {
  await gh?.close();
});

function octokit() {
  return getOctokit(TOKEN, { baseUrl: gh.url });
}

// GraphQL's viewer query is a POST that writes nothing.
const writes = () => gh.requests.filter((r) => r.method !== 'GET' && r.path !== '/graphql');

test('the comment is created once, then edited in place at every step', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const warnings: string[] = [];
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: (m) => warnings.push(m), call: noSleep });
  const events: RolloutEvent[] = [
    { type: 'started' },
    { type: 'step', stepIndex: 0, weight: 5 },
    { type: 'step', stepIndex: 1, weight: 20 },
    { type: 'finished', result: 'promoted' },
  ];
  for (const [i, event] of events.entries()) await sink.publish(i < 3 ? runningReport() : promotedReport(), event);

  const comments = gh.comments(7);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body.startsWith(MARKER)).toBe(true);
  expect(comments[0]!.body).toContain('✅ Promoted');
  expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH']);
  expect(warnings).toEqual([]);
});

test('a second run finds its comment again by marker and author, among many, and leaves others alone', async () => {
  gh = await startFakeGitHub({ token: TOKEN, defaultPerPage: 30 });
  const human = { login: 'alice', id: 1, type: 'User' as const };
  for (let i = 0; i < 130; i++) gh.addComment(7, `comment ${i}`, human);
  // Someone quoting the marker must not be taken for our comment.
  const quoted = gh.addComment(7, `look: ${MARKER}`, human);
  const ours = gh.addComment(7, `${MARKER}\nold report`, GITHUB_ACTIONS_BOT);
  // Another target's comment by the same bot.
  const other = gh.addComment(7, `${prCommentMarker('shop', 'checkout-v2')}\nother`, GITHUB_ACTIONS_BOT);

  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: () => undefined, call: noSleep });
  await sink.publish(rolledBackReport(), { type: 'finished', result: 'rolled-back' });

  expect(gh.comments(7)).toHaveLength(133);
  expect(gh.comments(7).find((c) => c.id === ours.id)!.body).toContain('❌ Rolled back');
  expect(gh.comments(7).find((c) => c.id === quoted.id)!.body).toBe(`look: ${MARKER}`);
  expect(gh.comments(7).find((c) => c.id === other.id)!.body).toContain('other');
  // Paginated with the Link header (per_page=100 -> 2 pages); who we are comes from GraphQL's
  // viewer, never from GET /user (which refuses an app token).
  const listCalls = gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/7/comments'));
  expect(listCalls.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
  expect(gh.requests.filter((r) => r.path === '/graphql').map((r) => r.body)).toEqual([{ query: 'query { viewer { login } }' }]);
  expect(gh.requests.some((r) => r.path === '/user')).toBe(false);
  expect(gh.requests.every((r) => r.authorized)).toBe(true);
});

test("another app's bot comment carrying the marker is left alone: only the token's own login matches", async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const otherBot = { login: 'some-other-app[bot]', id: 77, type: 'Bot' as const };
  const theirs = gh.addComment(7, `${MARKER}\nquoted by another bot`, otherBot);
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: () => undefined, call: noSleep });
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect(gh.comments(7).find((c) => c.id === theirs.id)!.body).toBe(`${MARKER}\nquoted by another bot`);
  expect(gh.comments(7).filter((c) => c.user.login === GITHUB_ACTIONS_BOT.login)).toHaveLength(1);
});

test('with a personal token the comment is matched by the token owner login', async () => {
  const me = { login: 'release-bot', id: 9, type: 'User' as const };
  gh = await startFakeGitHub({ token: TOKEN, user: me, userEndpointForbidden: false });
  // A github-actions[bot] comment with the marker is not ours when we know who we are.
  gh.addComment(7, `${MARKER}\nfrom another workflow`, GITHUB_ACTIONS_BOT);
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: () => undefined, call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  const mine = gh.comments(7).filter((c) => c.user.login === 'release-bot');
  expect(mine).toHaveLength(1);
  expect(mine[0]!.body).toContain('✅ Promoted');
  expect(gh.comments(7)).toHaveLength(2);
});

test('release workflow: the PR is found from the commit', async () => {
  gh = await startFakeGitHub({ token: TOKEN, pullsByCommit: { [SHA]: [42] } });
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', sha: SHA, warn: () => undefined, call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
  expect(gh.comments(42)).toHaveLength(1);
  expect(gh.requests.filter((r) => r.path.endsWith(`/commits/${SHA}/pulls`))).toHaveLength(1);
});

test('a commit with no PR posts nothing and warns nothing', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const warnings: string[] = [];
  const infos: string[] = [];
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', sha: SHA, warn: (m) => warnings.push(m), info: (m) => infos.push(m), call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  expect(writes()).toEqual([]);
  expect(warnings).toEqual([]);
  expect(infos[0]).toContain('no pull request');
});

test('fork PR: 403 warns once and the rollout goes on; the commit status degrades the same way', async () => {
  gh = await startFakeGitHub({ token: TOKEN, forkPr: true });
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const reporter = new Reporter(
    [
      createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn, call: noSleep }),
      createCommitStatusSink({ octokit: octokit(), owner: 'acme', repo: 'shop', sha: SHA, warn, call: noSleep }),
    ],
    { warning: warn },
  );
  await reporter.publish(runningReport(), { type: 'started' });
  await reporter.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 });
  await reporter.publish(rolledBackReport(), { type: 'finished', result: 'rolled-back' });

  expect(gh.comments(7)).toHaveLength(0);
  expect(warnings).toHaveLength(2);
  expect(warnings.find((w) => w.startsWith('PR comment disabled'))).toMatch(/HTTP 403: Resource not accessible by integration.*fork.*pull-requests: write/);
  expect(warnings.find((w) => w.startsWith('Commit status disabled'))).toContain('statuses: write');
  // After the first 403 each sink stops calling.
  expect(writes()).toHaveLength(2);
  expect(warnings.join('\n')).not.toContain(TOKEN);
});

test('commit status: pending while rolling out, failure with the reason on rollback, no repeats', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const sink = createCommitStatusSink({ octokit: octokit(), owner: 'acme', repo: 'shop', sha: SHA, warn: () => undefined, call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  await sink.publish(runningReport(), { type: 'gate', stepIndex: 1, weight: 20, gate: 'metrics', check: { verdict: 'continue', summary: '', metrics: [] } });
  const bad = rolledBackReport();
  bad.message = `${bad.message} ${'and more detail '.repeat(20)}`;
  await sink.publish(bad, { type: 'finished', result: 'rolled-back' });
  expect(gh.statuses.map((s) => s.state)).toEqual(['pending', 'failure']);
  expect(gh.statuses.every((s) => s.context === 'canary-gate/shop/checkout')).toBe(true);
  expect(gh.statuses[1]!.description).toMatch(/^Rolled back: gate-failed: /);
  expect(gh.statuses[1]!.description!.length).toBeLessThanOrEqual(140);
  expect(gh.statuses[1]!.target_url).toBe('https://github.com/acme/shop/actions/runs/11873340921');

  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect(gh.statuses.at(-1)!.state).toBe('success');
});

test('a comment deleted during the rollout is posted again', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: () => undefined, call: noSleep });
  await sink.publish(runningReport(), { type: 'started' });
  const first = gh.comments(7)[0]!;
  gh.deleteComment(first.id);
  await sink.publish(promotedReport(), { type: 'finished', result: 'promoted' });
  expect(gh.comments(7)).toHaveLength(1);
  expect(gh.comments(7)[0]!.body).toContain('✅ Promoted');
  expect(gh.comments(7)[0]!.id).not.toBe(first.id);
});

test('concurrent events never create a second comment; the latest state wins', async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const sink = createPrCommentSink({ octokit: octokit(), owner: 'acme', repo: 'shop', prNumber: 7, warn: () => undefined, call: noSleep });
  await Promise.all([
    sink.publish(runningReport(), { type: 'started' }),
    sink.publish(runningReport(), { type: 'step', stepIndex: 0, weight: 5 }),
    sink.publish(runningReport(), { type: 'step', stepIndex: 1, weight: 20 }),
    sink.publish(promotedReport(), { type: 'finished', result: 'promoted' }),
  ]);
  expect(gh.comments(7)).toHaveLength(1);
  expect(gh.comments(7)[0]!.body).toContain('✅ Promoted');
  // The first delivery is in flight while the other three arrive: they coalesce into one update.
  expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
});

test("GitHub's secondary rate limit (403 + Retry-After) is waited out, not taken for a missing permission", async () => {
  gh = await startFakeGitHub({ token: TOKEN });
  const delays: number[] = [];
  const warnings: string[] = [];
  const sink = createPrCommentSink({
    octokit: octokit(),
    owner: 'acme',
    repo: 'shop',
    prNumber: 7,
    warn: (m) => warnings.push(m),
    call: { sleep: async (ms) => void delays.push(ms) },
  });
  gh.rateLimitNext(2, 7);
  await sink.publish(runningReport(), { type: 'started' });
  expect(delays).toEqual([7000, 7000]);
  expect(gh.comments(7)).toHaveLength(1);
  expect(warnings).toEqual([]);
});
