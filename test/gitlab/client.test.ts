// The GitLab client against the fake GitLab over real HTTP.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type ClientOptions } from '../../src/gitlab/client.js';
import { VERSION } from '../../src/version.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { caught } from './caught.js';
import {
  ADMIN_TOKEN,
  DEV_TOKEN,
  EXPIRED_TOKEN,
  OWNER_TOKEN,
  READ_API_TOKEN,
  RUNNER_ONLY_TOKEN,
  SUB_OWNER_TOKEN,
  baseSeed,
  leakedToken,
  manyRunners,
} from './seeds.js';

let fake: FakeGitLab;
const FAST_RETRY = { limit: 3, baseDelayMs: 5, maxDelayMs: 20 };

function client(token: string, extra: Partial<ClientOptions> = {}) {
  return createGitLabClient({ gitlabUrl: fake.url, token, retry: FAST_RETRY, timeoutMs: 5_000, ...extra });
}

/** Everything about an error a user or a log could see. */
function rendered(err: Error): string {
  return `${err.message}\n${err.stack}\n${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err)}`;
}

describe('GitLab client', () => {
  beforeEach(async () => {
    fake = await startFakeGitLab(baseSeed(manyRunners('acme/platform', 260, 1000)));
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends the token as PRIVATE-TOKEN, a runnerform User-Agent, and talks to /api/v4', async () => {
    const api = client(OWNER_TOKEN);
    const g = await api.getGroup('acme/platform');
    expect(g).toMatchObject({ id: 11, full_path: 'acme/platform' });
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/groups/acme%2Fplatform');
    expect(req.headers['private-token']).toBe(OWNER_TOKEN);
    expect(req.headers['user-agent']).toBe(`runnerform/${VERSION}`);
    expect(api.gitlabUrl).toBe(fake.url);
  });

  it('follows pagination past 250 runners with per_page=100', async () => {
    const api = client(OWNER_TOKEN);
    const runners = await api.listGroupRunners(11);
    // 260 bulk runners + platform-docker (4) + acme-top (3) from the ancestor group.
    expect(runners).toHaveLength(262);
    expect(new Set(runners.map((r) => r.id)).size).toBe(262);
    const lists = fake.requests.filter((r) => r.path === '/groups/11/runners');
    expect(lists.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(lists.every((r) => r.query.per_page === '100' && r.query.type === 'group_type')).toBe(true);
  });

  it('rides through a 429 with Retry-After and honours the wait', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'GET', path: '/groups/acme%2Fplatform', times: 1, fault: { kind: 'status', status: 429, retryAfter: 1 } });
    const start = Date.now();
    const g = await api.getGroup('acme/platform');
    expect(g.id).toBe(11);
    const hits = fake.requests.filter((r) => r.path === '/groups/acme%2Fplatform');
    expect(hits.map((r) => r.status)).toEqual([429, 200]);
    // The backoff alone would be ≤ 20 ms: only Retry-After explains a ~1 s wait.
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
  });

  it('rides through transient 5xx and connection resets on GET, PUT and DELETE', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'GET', path: '/runners/4', times: 2, fault: { kind: 'status', status: 502 } });
    fake.inject({ method: 'PUT', path: '/runners/4', times: 1, fault: { kind: 'status', status: 503 } });
    fake.inject({ method: 'DELETE', path: '/runners/5', times: 1, fault: { kind: 'reset' } });
    expect((await api.getRunner(4)).description).toBe('platform-docker');
    expect((await api.updateRunner(4, { maintenance_note: 'x' })).maintenance_note).toBe('x');
    expect(await api.deleteRunner(5)).toBe('deleted');
    const statuses = (method: string, path: string) => fake.requests.filter((r) => r.method === method && r.path === path).map((r) => r.status);
    expect(statuses('GET', '/runners/4')).toEqual([502, 502, 200]);
    expect(statuses('PUT', '/runners/4')).toEqual([503, 200]);
    expect(statuses('DELETE', '/runners/5')).toEqual([0, 204]);
  });

  it('gives up after the retry limit with a server error naming the attempts', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'GET', path: '/runners/4', times: 10, fault: { kind: 'status', status: 500 } });
    const err = await caught(api.getRunner(4));
    expect(err.kind).toBe('server');
    expect(err.attempts).toBe(4);
    expect(err.message).toContain('GET /runners/4');
    expect(err.message).toContain('500');
    expect(err.maybeApplied).toBe(false);
    expect(fake.requests.filter((r) => r.path === '/runners/4')).toHaveLength(4);
  });

  it('never retries a POST: a 503 on create is one request and "maybe applied"', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'status', status: 503 } });
    const err = await caught(api.createRunner({ runner_type: 'group_type', group_id: 11, description: 'new' }));
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(err.kind).toBe('server');
    expect(err.maybeApplied).toBe(true);
    expect(err.message).toMatch(/may have applied/);
  });

  it('retries a POST after a 429 (GitLab did nothing), honouring Retry-After', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'status', status: 429, retryAfter: 1, body: 'Retry later' } });
    const before = fake.runners().length;
    const created = await api.createRunner({ runner_type: 'group_type', group_id: 11, description: 'throttled' });
    expect(created.token).toMatch(/^glrt-/);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 201]);
    expect(fake.runners()).toHaveLength(before + 1);
  });

  it('a lost create answer is "maybe applied" (the runner exists), with no token in the error', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'lost-response' } });
    const before = fake.runners().length;
    const err = await caught(api.createRunner({ runner_type: 'group_type', group_id: 11, description: 'lost' }));
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.runners()).toHaveLength(before + 1);
    expect(err.kind).toBe('network');
    expect(err.maybeApplied).toBe(true);
    expect(leakedToken(rendered(err))).toBeUndefined();
  });

  it('a refused create is definite, names the attribute and GitLab\'s words', async () => {
    const api = client(OWNER_TOKEN);
    const err = await caught(
      api.createRunner({ runner_type: 'group_type', group_id: 11, description: 'bad', maximum_timeout: 60 }),
    );
    expect(err.kind).toBe('validation');
    expect(err.status).toBe(400);
    expect(err.maybeApplied).toBe(false);
    // POST answers with GitLab's sentence, PUT with the {"message":{attr:[…]}} body.
    expect(err.message).toContain('Maximum timeout needs to be at least 10 minutes');
    const put = await caught(api.updateRunner(4, { maximum_timeout: 60 }));
    expect(put.kind).toBe('validation');
    expect(put.fields).toEqual({ maximum_timeout: ['needs to be at least 10 minutes'] });
    expect(put.message).toContain('maximum_timeout needs to be at least 10 minutes');
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('returns the created runner and its token (which the client never logs)', async () => {
    const lines: string[] = [];
    const api = client(OWNER_TOKEN, { log: (l) => lines.push(l) });
    const created = await api.createRunner({ runner_type: 'group_type', group_id: 11, description: 'fresh', tag_list: ['a'] });
    expect(created.token).toMatch(/^glrt-/);
    const reset = await api.resetRunnerToken(created.id);
    expect(reset.token).toMatch(/^glrt-/);
    expect(lines.join('\n')).not.toContain('glrt-');
  });

  it('deleteRunner resolves "gone" on 404', async () => {
    const api = client(OWNER_TOKEN);
    expect(await api.deleteRunner(424242)).toBe('gone');
  });

  it('401: invalid or expired token, told plainly', async () => {
    for (const token of ['glpat-not-a-real-token-123456', EXPIRED_TOKEN]) {
      const err = await caught(client(token).getGroup('acme'));
      expect(err.kind).toBe('unauthorized');
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/invalid, expired or revoked/);
      expect(err.message).toContain('GITLAB_TOKEN');
      expect(rendered(err)).not.toContain(token);
    }
    // 401 is not retried.
    expect(fake.requests).toHaveLength(2);
  });

  it('403 insufficient_scope: names the missing scope', async () => {
    const readOnly = await caught(client(READ_API_TOKEN).updateRunner(4, { paused: true }));
    expect(readOnly.kind).toBe('insufficient_scope');
    expect(readOnly.message).toContain('manage_runner');
    expect(readOnly.message).toMatch(/`api` scope, or .*`read_api` \+ `create_runner` \+ `manage_runner`/);

    const noRead = await caught(client(RUNNER_ONLY_TOKEN).listGroupRunners(11, 'acme/platform'));
    expect(noRead.kind).toBe('insufficient_scope');
    expect(noRead.message).toContain('read_api');
  });

  it('403 otherwise: names the role (Owner of the group, Maintainer of the project, admin)', async () => {
    const dev = client(DEV_TOKEN);
    const g = await caught(dev.listGroupRunners(11, 'acme/platform'));
    expect(g.kind).toBe('forbidden');
    expect(g.message).toContain('Owner role on group acme/platform');
    const p = await caught(dev.listProjectRunners(100, 'acme/platform/web'));
    expect(p.message).toContain('Maintainer role on project acme/platform/web');
    const i = await caught(dev.listInstanceRunners());
    expect(i.message).toContain('administrator');
    const c = await caught(dev.createRunner({ runner_type: 'group_type', group_id: 11, description: 'x' }));
    expect(c.kind).toBe('forbidden');
    expect(c.maybeApplied).toBe(false);
    expect(c.message).toContain('Owner role on group 11');
  });

  it('404: "group acme/platform not found or not visible to this token"', async () => {
    const api = client(OWNER_TOKEN);
    const err = await caught(api.getGroup('acme/nope'));
    expect(err.kind).toBe('not_found');
    expect(err.message).toMatch(/^Group acme\/nope not found or not visible to this token/);
    const hidden = await caught(api.getGroup('other'));
    expect(hidden.message).toMatch(/^Group other not found or not visible to this token/);
    const project = await caught(api.getProject(999));
    expect(project.message).toMatch(/^Project 999 not found or not visible/);
  });

  it('no token in error messages, util.inspect of errors, or the --debug log', async () => {
    const lines: string[] = [];
    const api = client(DEV_TOKEN, { log: (l) => lines.push(l) });
    fake.inject({ method: 'GET', path: '/runners/3', times: 1, fault: { kind: 'reset' } });
    const errors = await Promise.all([
      caught(api.listGroupRunners(11)),
      caught(api.getGroup('nope')),
      caught(api.updateRunner(3, { paused: true })),
    ]);
    await api.getRunner(1);
    for (const err of errors) expect(leakedToken(rendered(err))).toBeUndefined();
    const log = lines.join('\n');
    expect(leakedToken(log)).toBeUndefined();
    // method, path, status and timing of each request
    expect(log).toMatch(/^GET \/groups\/11\/runners\?type=group_type&per_page=100 403 \d+ms$/m);
    expect(log).toMatch(/^GET \/runners\/1 200 \d+ms$/m);
  });

  it('redacts a token that GitLab echoes back in an error body', async () => {
    const api = client(ADMIN_TOKEN);
    fake.inject({
      method: 'GET',
      path: '/runners/1',
      times: 1,
      fault: { kind: 'status', status: 418, body: `{"message":"bad token ${ADMIN_TOKEN} for runner glrt-t1_abcdefghijklmnop"}` },
    });
    const err = await caught(api.getRunner(1));
    expect(err.kind).toBe('other');
    expect(rendered(err)).not.toContain(ADMIN_TOKEN);
    expect(rendered(err)).not.toContain('glrt-t1_abcdefghijklmnop');
    expect(err.message).toContain('[REDACTED]');
  });

  it('explains an answer that is not JSON (a proxy or login page)', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'GET', path: '/user', times: 1, fault: { kind: 'status', status: 200, body: '<html>Sign in</html>' } });
    const err = await caught(api.currentUser());
    expect(err.kind).toBe('other');
    expect(err.message).toMatch(/not the JSON the API sends.*--gitlab-url/);
  });

  it('keeps at most `parallelism` requests in flight, shared by all calls', async () => {
    fake.setLatencyMs(20);
    const api = client(ADMIN_TOKEN, { parallelism: 3 });
    await Promise.all([...Array.from({ length: 12 }, (_, i) => api.getRunner(1000 + i)), api.listGroupRunners(11)]);
    expect(fake.peakConcurrency()).toBe(3);
    expect(api.stats().peakConcurrency).toBe(3);
  });

  it('lists merge request notes and posts/updates one', async () => {
    const seed = baseSeed();
    seed.merge_requests = [{ project: 'acme/platform/web', iid: 7 }];
    await fake.close();
    fake = await startFakeGitLab(seed);
    const api = client(OWNER_TOKEN);
    expect(await api.listMergeRequestNotes('acme/platform/web', 7)).toEqual([]);
    const note = await api.createMergeRequestNote('acme/platform/web', 7, 'plan: 1 to add');
    await api.updateMergeRequestNote('acme/platform/web', 7, note.id, 'plan: 2 to add');
    const notes = await api.listMergeRequestNotes(100, 7);
    expect(notes.map((n) => n.body)).toEqual(['plan: 2 to add']);
  });
});

describe('GitLab client: runnerOwnerProject (GraphQL)', () => {
  beforeEach(async () => {
    fake = await startFakeGitLab(baseSeed());
  });
  afterEach(async () => {
    await fake.close();
  });
  const graphql = () => fake.requests.filter((r) => r.path === '/api/graphql');

  it('asks POST /api/graphql with a Bearer token, through the same limiter and counters', async () => {
    const api = client(SUB_OWNER_TOKEN);
    // bob maintains acme/platform/web only: runner 7 is api's, which he cannot read; runner 6 is web's.
    expect(await api.runnerOwnerProject(7)).toBeNull();
    // The same answer says what the REST reader cannot know: GitLab's project count and the token's permissions.
    expect(await api.runnerOwnerProject(6)).toEqual({ id: 100, fullPath: 'acme/platform/web', runner: { projectCount: 1, permissions: { update: true, delete: true } } });
    expect(await api.runnerOwnerProject(4)).toBeNull(); // not readable at all: runner null
    const [first] = graphql();
    assert.ok(first, 'no request reached /api/graphql');
    expect(first.method).toBe('POST');
    expect(first.headers.authorization).toBe(`Bearer ${SUB_OWNER_TOKEN}`);
    expect(first.headers['private-token']).toBeUndefined();
    expect(first.headers['user-agent']).toBe(`runnerform/${VERSION}`);
    expect(first.body).toMatchObject({ variables: { id: 'gid://gitlab/Ci::Runner/7' } });
    expect(api.stats().requests).toBe(3);
  });

  it('retries a failed query like a GET (it changes nothing), and is never "maybe applied"', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'POST', path: '/api/graphql', times: 2, fault: { kind: 'status', status: 503 } });
    // Enabled in two projects: only an administrator may delete it.
    expect(await api.runnerOwnerProject(7)).toEqual({ id: 101, fullPath: 'acme/platform/api', runner: { projectCount: 2, permissions: { update: true, delete: false } } });
    expect(graphql().map((r) => r.status)).toEqual([503, 503, 200]);

    fake.inject({ method: 'POST', path: '/api/graphql', times: 10, fault: { kind: 'status', status: 500 } });
    const err = await caught(api.runnerOwnerProject(7));
    expect([err.kind, err.maybeApplied, err.attempts]).toEqual(['server', false, 4]);
    expect(err.message).toBe('GitLab failed to read the owner project of runner #7 (POST /api/graphql → 500 Internal Server Error) after 4 attempts.');
  });

  it('a token GraphQL refuses (401 {"errors":[…]}) says so, and names the scope it needs', async () => {
    const err = await caught(client(RUNNER_ONLY_TOKEN).runnerOwnerProject(7));
    expect(err.kind).toBe('unauthorized');
    expect(err.gitlabMessage).toBe('Invalid token');
    expect(err.message).toMatch(/^GitLab's GraphQL API rejected the token \(POST \/api\/graphql → 401 Invalid token\)/);
    expect(err.message).toContain('`read_api`');
    expect(leakedToken(rendered(err))).toBeUndefined();
  });

  it('GraphQL errors in a 200 answer become a GitLabError quoting GitLab, without the token', async () => {
    const api = client(OWNER_TOKEN);
    const body = JSON.stringify({ errors: [{ message: `Field 'ownerProject' doesn't exist on type 'CiRunner' (${OWNER_TOKEN})` }] });
    fake.inject({ method: 'POST', path: '/api/graphql', times: 1, fault: { kind: 'status', status: 200, body } });
    const err = await caught(api.runnerOwnerProject(7));
    expect(err.kind).toBe('other');
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/^GitLab's GraphQL API did not read the owner project of runner #7 \(POST \/api\/graphql → 200: Field 'ownerProject' doesn't exist/);
    expect(leakedToken(rendered(err))).toBeUndefined();
  });

  it('an answer without the data asked for is an error, not "no owner"', async () => {
    const api = client(OWNER_TOKEN);
    fake.inject({ method: 'POST', path: '/api/graphql', times: 1, fault: { kind: 'status', status: 200, body: '{"data":{}}' } });
    const err = await caught(api.runnerOwnerProject(7));
    expect(err.message).toContain('the answer has no data.runner');
  });
});
