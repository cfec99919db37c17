/**
 * A local stand-in for the parts of GitHub's REST API that Canary Gate's reporting uses: issue
 * comments (list with Link-header pagination, create, update), the pull requests of a commit, commit
 * statuses, check runs, deployments and their statuses, GET /user and GraphQL's `viewer`. Shapes
 * and errors follow docs.github.com/rest (and docs.github.com/graphql for `viewer`); request shapes
 * are checked against GitHub's OpenAPI description in __tests__/notify/github-openapi.test.ts. For
 * tests and the demo; never bundled into the action. Listens on 127.0.0.1 with an OS-chosen port.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHubUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: FakeGitHubUser;
  created_at: string;
  updated_at: string;
}

export interface FakeStatus {
  sha: string;
  state: string;
  context: string;
  description?: string;
  target_url?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  details_url?: string;
  external_id?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string };
  /** Every annotation ever sent (GitHub appends each request's annotations, at most 50 per request). */
  annotations: unknown[];
}

export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  description?: string;
  payload?: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  statuses: { state: string; log_url?: string; environment_url?: string; description?: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** Whether a valid token was presented (the token itself is never recorded). */
  authorized: boolean;
  /** The HTTP status the stand-in answered. */
  status?: number;
}

export interface FakeGitHubOptions {
  /** The token the server accepts (as "token X" or "Bearer X"). */
  token?: string;
  /** Who the token belongs to. Default: github-actions[bot] (a GitHub App installation token). */
  user?: FakeGitHubUser;
  /** Installation tokens cannot call GET /user (403); personal tokens can. Default true for Bots. */
  userEndpointForbidden?: boolean;
  /** Fork pull request: the token is read-only, every write answers 403. */
  forkPr?: boolean;
  /** Commit sha -> pull request numbers (for GET /repos/{o}/{r}/commits/{sha}/pulls). */
  pullsByCommit?: Record<string, number[]>;
  /** Page size when the client does not ask for one (GitHub: 30). */
  defaultPerPage?: number;
}

export interface FakeGitHub {
  /** Base URL for Octokit's `baseUrl`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly statuses: FakeStatus[];
  readonly checkRuns: FakeCheckRun[];
  readonly deployments: FakeDeployment[];
  comments(issue: number): FakeComment[];
  /** Seeds a comment by someone (to test that other people's comments are left alone). */
  addComment(issue: number, body: string, user: FakeGitHubUser): FakeComment;
  /** The next `count` requests get GitHub's secondary rate limit: 403 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  /** Deletes a comment (as a person would in the UI). */
  deleteComment(id: number): void;
  setForkPr(forkPr: boolean): void;
  /** The token lacks this permission (checks, deployments, statuses, pull-requests): its calls answer 403. */
  forbid(permission: string): void;
  close(): Promise<void>;
}

export const GITHUB_ACTIONS_BOT: FakeGitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

const FORBIDDEN = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest',
  status: '403',
};

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const token = opts.token ?? 'ghs_fake_installation_token';
  const self = opts.user ?? GITHUB_ACTIONS_BOT;
  const userForbidden = opts.userEndpointForbidden ?? self.type === 'Bot';
  const defaultPerPage = opts.defaultPerPage ?? 30;
  let forkPr = opts.forkPr ?? false;
  const missing = new Set<string>();
  const comments: FakeComment[] = [];
  const statuses: FakeStatus[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const deployments: FakeDeployment[] = [];
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let limited = 0;
  let limitRetryAfter = 1;
  let clock = Date.UTC(2026, 0, 1);
  const now = (): string => new Date((clock += 1000)).toISOString();

  const addComment = (issue: number, body: string, user: FakeGitHubUser): FakeComment => {
    const at = now();
    const c = { id: nextId++, issue, body, user, created_at: at, updated_at: at };
    comments.push(c);
    return c;
  };

  const commentJson = (c: FakeComment, base: string): unknown => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/o/r/issues/comments/${c.id}`,
    html_url: `https://github.com/o/r/pull/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: { login: c.user.login, id: c.user.id, type: c.user.type },
    created_at: c.created_at,
    updated_at: c.updated_at,
  });

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { message: `fake github: ${String(err)}` }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        send(res, 400, { message: 'Problems parsing JSON' });
        return;
      }
    }
    const auth = req.headers.authorization ?? '';
    const authorized = auth === `token ${token}` || auth === `Bearer ${token}`;
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body, authorized };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    if (!authorized) {
      send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (limited > 0) {
      limited--;
      send(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': String(limitRetryAfter) });
      return;
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const method = req.method ?? 'GET';
    const p = url.pathname;
    // A GitHub App token without a permission gets 403 "Resource not accessible by integration".
    const permission = /\/check-runs/.test(p) ? 'checks' : /\/deployments/.test(p) ? 'deployments' : /\/statuses\//.test(p) ? 'statuses' : /\/(issues|pulls)\b/.test(p) ? 'pull-requests' : undefined;
    if (permission && missing.has(permission)) return send(res, 403, FORBIDDEN);
    let m: RegExpMatchArray | null;

    if (method === 'GET' && p === '/user') {
      if (userForbidden) send(res, 403, FORBIDDEN);
      else send(res, 200, { login: self.login, id: self.id, type: self.type });
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/))) {
      const issue = Number(m[1]);
      if (method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? defaultPerPage) || defaultPerPage);
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
        const all = comments.filter((c) => c.issue === issue);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const links: string[] = [];
        const pageUrl = (n: number): string => {
          const u = new URL(`${base}${p}`);
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(n));
          return u.href;
        };
        if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
        if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
        const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
        send(res, 200, all.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(c, base)), headers);
        return;
      }
      if (method === 'POST') {
        if (forkPr) return send(res, 403, FORBIDDEN);
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || text.length === 0) return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] });
        if (text.length > 65536) return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }] });
        send(res, 201, commentJson(addComment(issue, text, self), base));
        return;
      }
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/)) && method === 'PATCH') {
      if (forkPr) return send(res, 403, FORBIDDEN);
      const c = comments.find((x) => x.id === Number(m![1]));
      if (!c) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      if (c.user.login !== self.login) return send(res, 403, { message: 'Must have admin rights to Repository.' });
      const text = (body as { body?: unknown } | undefined)?.body;
      if (typeof text !== 'string' || text.length === 0 || text.length > 65536) return send(res, 422, { message: 'Validation Failed' });
      c.body = text;
      c.updated_at = now();
      send(res, 200, commentJson(c, base));
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]{7,40})\/pulls$/)) && method === 'GET') {
      const numbers = opts.pullsByCommit?.[m[1]!] ?? [];
      send(res, 200, numbers.map((n) => ({ number: n, state: 'open', head: { sha: m![1] }, html_url: `https://github.com/o/r/pull/${n}` })));
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]{7,40})$/)) && method === 'POST') {
      if (forkPr) return send(res, 403, FORBIDDEN);
      const b = (body ?? {}) as Partial<FakeStatus>;
      const errors: string[] = [];
      if (!['error', 'failure', 'pending', 'success'].includes(String(b.state))) errors.push('state');
      if (b.description !== undefined && String(b.description).length > 140) errors.push('description is too long (maximum is 140 characters)');
      if (errors.length > 0) return send(res, 422, { message: 'Validation Failed', errors: errors.map((e) => ({ resource: 'Status', message: e })) });
      const status: FakeStatus = { sha: m[1]!, state: String(b.state), context: String(b.context ?? 'default') };
      if (b.description !== undefined) status.description = String(b.description);
      if (b.target_url !== undefined) status.target_url = String(b.target_url);
      statuses.push(status);
      send(res, 201, { id: statuses.length, ...status });
      return;
    }
    // GraphQL: installation tokens may ask for `viewer` (REST GET /user is refused to them).
    if (method === 'POST' && p === '/graphql') {
      const query = String((body as { query?: unknown } | undefined)?.query ?? '');
      if (!/\bviewer\s*\{\s*login\s*\}/.test(query)) return send(res, 200, { errors: [{ message: 'fake github: only { viewer { login } } is modelled' }] });
      send(res, 200, { data: { viewer: { login: self.login } } });
      return;
    }
    // Checks API (docs.github.com/rest/checks/runs): list for a ref, create, then update by id.
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/check-runs$/)) && method === 'GET') {
      const name = url.searchParams.get('check_name');
      const runs = checkRuns.filter((r) => r.head_sha === m![1] && (!name || r.name === name)).reverse();
      send(res, 200, { total_count: runs.length, check_runs: runs.map((r) => ({ id: r.id, name: r.name, head_sha: r.head_sha, status: r.status, conclusion: r.conclusion ?? null, external_id: r.external_id ?? '' })) });
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/check-runs(?:\/(\d+))?$/)) && (method === 'POST' || method === 'PATCH')) {
      if (forkPr) return send(res, 403, FORBIDDEN);
      const b = (body ?? {}) as Record<string, unknown> & { output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] } };
      let run: FakeCheckRun | undefined;
      if (method === 'POST' && m[1] === undefined) {
        if (typeof b.name !== 'string' || typeof b.head_sha !== 'string') return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'CheckRun', code: 'missing_field' }] });
        run = { id: nextId++, name: b.name, head_sha: b.head_sha, status: 'queued', annotations: [] };
        checkRuns.push(run);
      } else if (method === 'PATCH' && m[1] !== undefined) {
        run = checkRuns.find((r) => r.id === Number(m![1]));
        if (!run) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      } else {
        return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      }
      const status = b.status ?? (b.conclusion !== undefined ? 'completed' : undefined);
      if (status !== undefined && !['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'].includes(String(status))) return send(res, 422, { message: 'Validation Failed' });
      if (status === 'completed' && b.conclusion === undefined) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'conclusion is required when status is completed' }] });
      const out = b.output;
      if (out !== undefined && (typeof out.title !== 'string' || typeof out.summary !== 'string')) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'output needs title and summary' }] });
      if ((out?.summary?.length ?? 0) > 65535 || (out?.text?.length ?? 0) > 65535) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'output.summary and output.text are limited to 65535 characters' }] });
      if ((out?.annotations?.length ?? 0) > 50) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'at most 50 annotations per request' }] });
      if (status !== undefined) run.status = String(status);
      if (b.conclusion !== undefined) run.conclusion = String(b.conclusion);
      for (const k of ['details_url', 'external_id', 'started_at', 'completed_at'] as const) if (typeof b[k] === 'string') run[k] = b[k] as string;
      if (out) {
        run.output = { title: out.title, summary: out.summary, ...(out.text !== undefined ? { text: out.text } : {}) };
        run.annotations.push(...(out.annotations ?? []));
      }
      send(res, method === 'POST' ? 201 : 200, {
        id: run.id,
        name: run.name,
        head_sha: run.head_sha,
        status: run.status,
        conclusion: run.conclusion ?? null,
        html_url: `https://github.com/o/r/runs/${run.id}`,
        details_url: run.details_url ?? null,
        output: { ...run.output, annotations_count: run.annotations.length },
      });
      return;
    }
    // Deployments (docs.github.com/rest/deployments): without required_contexts, GitHub refuses
    // (409) while a commit status of the ref is not success.
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/deployments$/)) && method === 'GET') {
      const sha = url.searchParams.get('sha');
      const env = url.searchParams.get('environment');
      const found = deployments.filter((d) => (!sha || d.sha === sha) && (!env || d.environment === env)).reverse();
      send(res, 200, found.map((d) => ({ id: d.id, ref: d.ref, sha: d.sha, environment: d.environment, payload: d.payload ?? {}, task: 'deploy', description: d.description ?? null })));
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/deployments$/)) && method === 'POST') {
      if (forkPr) return send(res, 403, FORBIDDEN);
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.ref !== 'string' || b.ref === '') return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'Deployment', field: 'ref', code: 'missing_field' }] });
      if (b.required_contexts === undefined) {
        const latest = new Map<string, string>();
        for (const st of statuses.filter((x) => x.sha === b.ref)) latest.set(st.context, st.state);
        const failing = [...latest].filter(([, state]) => state !== 'success').map(([context]) => context);
        if (failing.length > 0) return send(res, 409, { message: `Conflict: Commit status checks failed for ${String(b.ref)}.`, errors: [{ contexts: failing.map((c) => ({ context: c, state: latest.get(c) })), resource: 'Deployment', field: 'required_contexts', code: 'invalid' }] });
      }
      const environment = typeof b.environment === 'string' ? b.environment : 'production';
      const deployment: FakeDeployment = {
        id: nextId++,
        ref: b.ref,
        sha: b.ref,
        environment,
        ...(typeof b.description === 'string' ? { description: b.description } : {}),
        ...(b.payload !== undefined ? { payload: b.payload } : {}),
        transient_environment: b.transient_environment === true,
        production_environment: typeof b.production_environment === 'boolean' ? b.production_environment : environment === 'production',
        statuses: [],
      };
      deployments.push(deployment);
      send(res, 201, { id: deployment.id, url: `${base}/repos/o/r/deployments/${deployment.id}`, ref: deployment.ref, sha: deployment.sha, task: 'deploy', environment, description: deployment.description ?? null, payload: deployment.payload ?? {}, created_at: now(), updated_at: now() });
      return;
    }
    if ((m = p.match(/^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/)) && method === 'POST') {
      if (forkPr) return send(res, 403, FORBIDDEN);
      const deployment = deployments.find((d) => d.id === Number(m![1]));
      if (!deployment) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      const b = (body ?? {}) as Record<string, unknown>;
      const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
      if (!states.includes(String(b.state))) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }] });
      if (typeof b.description === 'string' && b.description.length > 140) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'description is too long (maximum is 140 characters)' }] });
      const status = {
        state: String(b.state),
        ...(typeof b.log_url === 'string' ? { log_url: b.log_url } : {}),
        ...(typeof b.environment_url === 'string' ? { environment_url: b.environment_url } : {}),
        ...(typeof b.description === 'string' ? { description: b.description } : {}),
      };
      deployment.statuses.push(status);
      // auto_inactive (default true): a success marks earlier non-transient deployments of the environment inactive.
      if (status.state === 'success' && b.auto_inactive !== false) {
        for (const d of deployments) {
          if (d === deployment || d.environment !== deployment.environment || d.transient_environment) continue;
          if (d.statuses.at(-1)?.state === 'success') d.statuses.push({ state: 'inactive' });
        }
      }
      send(res, 201, { id: nextId++, state: status.state, description: status.description ?? '', environment: deployment.environment, log_url: status.log_url ?? '', environment_url: status.environment_url ?? '', deployment_url: `${base}/repos/o/r/deployments/${deployment.id}` });
      return;
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    statuses,
    checkRuns,
    deployments,
    comments: (issue) => comments.filter((c) => c.issue === issue),
    addComment,
    rateLimitNext: (count, seconds) => {
      limited = count;
      limitRetryAfter = seconds;
    },
    deleteComment: (id) => {
      const i = comments.findIndex((c) => c.id === id);
      if (i >= 0) comments.splice(i, 1);
    },
    setForkPr: (v) => {
      forkPr = v;
    },
    forbid: (permission) => {
      missing.add(permission);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
