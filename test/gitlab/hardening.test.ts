// What a hostile or misconfigured network can do to the client: endless
// pagination, redirects to another host, a URL that is not a GitLab API, a
// port that refuses, https spoken to an http port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type ClientOptions } from '../../src/gitlab/client.js';
import { GitLabError } from '../../src/gitlab/errors.js';
import { createCursorGuard, createPageGuard } from '../../src/gitlab/pagination.js';
import { readLiveStateGraphQL } from '../../src/gitlab/live-graphql.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, baseSeed } from './seeds.js';
import { caughtError } from './caught.js';
import { listenLocal, type LocalServer } from '../support/local-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A local server (test/support/local-server.ts), closed after the test. */
async function server(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LocalServer> {
  const local = await listenLocal((req, res, body) => handler(req, res, body.toString()));
  closers.push(() => local.close());
  return local;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

function client(url: string, extra: Partial<ClientOptions> = {}) {
  return createGitLabClient({ gitlabUrl: url, token: OWNER_TOKEN, env: {}, retry: { limit: 4, baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 5_000, ...extra });
}

describe('a bounded pagination walk', () => {
  it('stops when a page announces itself again (x-next-page: 2 forever)', async () => {
    const gl = await server((_req, res) => json(res, 200, [{ id: 1, runner_type: 'group_type' }], { 'x-next-page': '2' }));
    const err = await caughtError(client(gl.url).listGroupRunners(11, 'acme/platform'));
    expect(err.message).toMatch(/^GitLab at http:\/\/127\.0\.0\.1:\d+: could not list the runners of group acme\/platform: the list .*page "2".*does not advance/);
    // Pages 1 and 2, then the repeat is refused: not 1,855 requests.
    expect(gl.seen.length).toBe(2);
    expect(err.message).not.toContain(OWNER_TOKEN);
  });

  it('stops when a Link rel=next points back at a page already read', async () => {
    const gl = await server((req, res) => {
      const next = req.url?.includes('cursor=b') ? 'cursor=a' : 'cursor=b';
      json(res, 200, [{ id: 1 }], { link: `<http://127.0.0.1/api/v4/runners/all?${next}&per_page=100&type=instance_type>; rel="next"` });
    });
    const err = await caughtError(client(gl.url).listInstanceRunners());
    expect(err.message).toMatch(/which was already read/);
    expect(gl.seen.length).toBe(3); // first page, cursor=b, cursor=a; then cursor=b again is refused
  });

  it('stops at the hard cap of pages, with an error rather than a partial list', async () => {
    const gl = await server((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
      json(res, 200, [{ id: page }], { 'x-next-page': String(page + 1) });
    });
    const err = await caughtError(client(gl.url, { maxPages: 5 }).listInstanceRunners());
    expect(err.message).toMatch(/stopped after 5 pages/);
    expect(gl.seen.length).toBe(5);
  });

  it('lets a real walk through: each page once, in order', () => {
    const guard = createPageGuard(10);
    const at = (page: number) => new URL(`https://g.example/api/v4/runners/all?per_page=100&page=${page}`);
    for (let p = 1; p < 10; p++) guard.check(at(p), { page: String(p + 1) });
    expect(guard.pages()).toBe(9);
    expect(() => guard.check(at(10), { page: '11' })).toThrow(/stopped after 10 pages/);
  });
});

describe('a bounded GraphQL cursor walk', () => {
  /** Answers every runners connection of every query with a next page at `cursor(n)`. */
  async function endlessGraphQL(cursor: (n: number) => string) {
    let n = 0;
    return server((_req, res, body) => {
      const query = (JSON.parse(body) as { query: string }).query;
      const aliases = [...query.matchAll(/\b(a\d+): runners\b/g)].map((m) => m[1]);
      const page = { nodes: [], pageInfo: { hasNextPage: true, endCursor: cursor(++n) } };
      json(res, 200, { data: Object.fromEntries(aliases.map((a) => [a, page])) });
    });
  }

  it('stops when a cursor comes back', async () => {
    const gl = await endlessGraphQL(() => 'same');
    const api = client(gl.url);
    const err = await caughtError(readLiveStateGraphQL(api, api.graphql, [{ type: 'instance' }]));
    expect(err.message).toMatch(/announced a next page of the runners of .*instance.* at a cursor already read/);
    expect(gl.seen.length).toBe(2);
  });

  it('stops at the page cap when every cursor is new', async () => {
    const gl = await endlessGraphQL((n) => `c${n}`);
    const api = client(gl.url);
    const err = await caughtError(readLiveStateGraphQL(api, api.graphql, [{ type: 'instance' }], { maxPages: 4 }));
    expect(err.message).toMatch(/stopped after 4 pages/);
    expect(gl.seen.length).toBe(4);
  });

  it('the guard itself: new cursors pass, a repeat or the cap throws', () => {
    const g = createCursorGuard('x', 3);
    g.check('a');
    expect(() => g.check('a')).toThrow(/already read/);
    g.check('b'); // the first page, a, b: three pages
    expect(() => g.check('c')).toThrow(/stopped after 3 pages/);
  });
});

describe('redirects', () => {
  it('never follows a redirect to another host (every request carries the token), but follows one on the same GitLab', async () => {
    const other = await server((_req, res) => json(res, 200, { id: 1, username: 'elsewhere' }));
    const gl = await server((req, res) => {
      if (req.url === '/api/v4/user') res.writeHead(302, { location: `${other.url}/api/v4/user` }).end();
      else if (req.url?.startsWith('/api/v4/groups/acme')) res.writeHead(301, { location: '/api/v4/groups/11' }).end();
      else json(res, 200, { id: 11, full_path: 'acme/platform' });
    });
    const api = client(gl.url);
    const err = await caughtError(api.currentUser());
    expect(err.message).toContain(`answered GET /user (to read the token's user) with a redirect (302) to another host or scheme, ${other.url}/api/v4/user`);
    expect((err as GitLabError).kind).toBe('redirect');
    expect(gl.seen.map((s) => s.headers['private-token'])).toEqual([OWNER_TOKEN]);
    expect(other.seen).toHaveLength(0);
    // A redirect within the same origin is GitLab moving a path: the token goes with it.
    await api.getGroup('acme/platform');
    expect(gl.seen.slice(1).map((s) => [s.url, s.headers['private-token']])).toEqual([
      ['/api/v4/groups/acme%2Fplatform?with_projects=false', OWNER_TOKEN],
      ['/api/v4/groups/11', OWNER_TOKEN],
    ]);
  });
});

describe('a URL that is not a GitLab API', () => {
  let fake: FakeGitLab | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('says so with the URL when the API root answers 404, instead of "group … not found"', async () => {
    fake = await startFakeGitLab(baseSeed());
    const wrong = `${fake.url}/wrong`;
    const err = await caughtError(client(wrong).getGroup('acme/platform'));
    expect(err).toBeInstanceOf(GitLabError);
    expect((err as GitLabError).kind).toBe('not_gitlab');
    expect(err.message).toContain(`${wrong} is not a GitLab API`);
    expect(err.message).not.toMatch(/not found or not visible/);
    expect(err.message).toMatch(/--gitlab-url/);
  });

  it('still reports a group the token cannot see as not found (the API root answers)', async () => {
    fake = await startFakeGitLab(baseSeed());
    const err = await caughtError(client(fake.url).getGroup('acme/nope'));
    const live = fake;
    expect((err as GitLabError).kind).toBe('not_found');
    expect(err.message).toMatch(/^Group acme\/nope not found or not visible to this token/);
    // The probe of the API root is asked once per client, not once per 404.
    const api = client(fake.url);
    await caughtError(api.getGroup('acme/nope'));
    await caughtError(api.getProject('acme/nope'));
    expect(live.requests.filter((r) => r.path === '/user')).toHaveLength(2);
  });

  it('treats a 404 on /api/graphql as "not a GitLab API", not as the runner missing', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ method: 'POST', path: '/api/graphql', times: 1, fault: { kind: 'status', status: 404 } });
    const err = await caughtError(client(fake.url).runnerOwnerProject(3));
    expect((err as GitLabError).kind).toBe('not_gitlab');
    expect(err.message).toContain(`${fake.url} is not a GitLab API: its GraphQL endpoint answered 404`);
    expect(err.message).not.toMatch(/Runner #3 not found/i);
  });

  it('explains a 200 login page with the URL', async () => {
    const gl = await server((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'));
    const err = await caughtError(client(gl.url).currentUser());
    expect(err.message).toContain(`GitLab at ${gl.url} answered GET /user`);
  });
});

describe('connection failures', () => {
  it('names the URL on a refused port and retries it once, not four times', async () => {
    const gone = await server(() => undefined);
    await closers.pop()!(); // the port is now closed: connections are refused
    const lines: string[] = [];
    const err = await caughtError(client(gone.url, { log: (l) => lines.push(l) }).currentUser());
    expect(err.message).toContain(`Could not connect to GitLab at ${gone.url}`);
    expect(err.message).toContain(`nothing accepts connections on ${new URL(gone.url).host}`);
    expect((err as GitLabError).attempts).toBe(2);
    expect(lines.filter((l) => /retry \d/.test(l))).toHaveLength(1);
  });

  it('asks "is this an http port?" when https meets a plain http server', async () => {
    const gl = await server((_req, res) => json(res, 200, {}));
    const https = gl.url.replace('http://', 'https://');
    const err = await caughtError(client(https).currentUser());
    expect(err.message).toContain(`GitLab at ${https}`);
    expect(err.message).toMatch(/is this an http port\?/);
    expect(gl.seen).toHaveLength(0); // the TLS hello is not an HTTP request
  });

  it('blames the proxy, not GitLab, when the proxy refuses', async () => {
    const proxy = await server(() => undefined);
    await closers.pop()!();
    const err = await caughtError(client('https://gitlab.example.com', { env: { HTTPS_PROXY: proxy.url } }).currentUser());
    expect(err.message).toContain(`Could not reach the proxy ${proxy.url}/`);
    expect(err.message).toContain('on the way to GitLab at https://gitlab.example.com');
  });
});
