/**
 * A local stand-in for the parts of GitHub's REST API that Canary Gate's reporting uses: issue
 * comments (list with Link-header pagination, create, update), the pull requests of a commit, commit
 * statuses and GET /user. Shapes and errors follow docs.github.com/rest. For tests and the demo;
 * never bundled into the action. Listens on 127.0.0.1 with an OS-chosen port.
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

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** Whether a valid token was presented (the token itself is never recorded). */
  authorized: boolean;
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
  comments(issue: number): FakeComment[];
  /** Seeds a comment by someone (to test that other people's comments are left alone). */
  addComment(issue: number, body: string, user: FakeGitHubUser): FakeComment;
  /** The next `count` requests get GitHub's secondary rate limit: 403 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  /** Deletes a comment (as a person would in the UI). */
  deleteComment(id: number): void;
  setForkPr(forkPr: boolean): void;
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
  const comments: FakeComment[] = [];
  const statuses: FakeStatus[] = [];
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
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body, authorized });
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
