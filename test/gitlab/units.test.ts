// Pure pieces of the GitLab edge: redaction, retry delays, pagination headers, proxy choice, limiter, errors.
import { describe, expect, it } from 'vitest';
import { gitLabErrorFrom, graphQLErrorFrom, parseErrorBody } from '../../src/gitlab/errors.js';
import { idFromGid, ownerProjectFrom, runnerGid } from '../../src/gitlab/graphql.js';
import { createLimiter } from '../../src/gitlab/limiter.js';
import { ASK_OWNER, ASK_PARENT, decideOwnership, ownershipByOwner, ownershipOf, parentPathOf, type OwnershipSources } from '../../src/gitlab/live.js';
import { nextPage, parseNextLink } from '../../src/gitlab/pagination.js';
import { bypassesProxy, proxyFor } from '../../src/gitlab/proxy.js';
import { redact } from '../../src/secrets.js';
import { retryDelayMs, type RetryPolicy } from '../../src/gitlab/retry.js';

describe('redact', () => {
  it('masks GitLab-style tokens and the given secrets', () => {
    const text = 'pat glpat-AbC_123-xyz789 runner glrt-t2_QWErty0987 reg GR1348941abcdefghij custom s3cr3t-value-here';
    const out = redact(text, ['s3cr3t-value-here']);
    expect(out).toBe('pat glpat-[REDACTED] runner glrt-[REDACTED] reg GR1348941[REDACTED] custom [REDACTED]');
  });
  it('leaves ordinary words alone', () => {
    expect(redact('GET /groups/global-runners 200', ['short'])).toBe('GET /groups/global-runners 200');
  });
});

describe('retryDelayMs', () => {
  const policy: RetryPolicy = { limit: 3, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 5000 };
  const at = (attempt: number, random: number, extra = {}) => retryDelayMs(policy, { attempt, random, nowMs: 1_000_000, ...extra });
  it('backs off exponentially with jitter, capped', () => {
    expect([at(1, 0), at(1, 0.999)]).toEqual([50, 100]);
    expect([at(2, 0), at(2, 0.999)]).toEqual([100, 200]);
    expect(at(3, 0.999)).toBe(250);
  });
  it('gives up past the limit', () => {
    expect(at(4, 0.5)).toBe(0);
  });
  it('honours Retry-After, and RateLimit-Reset only on a 429', () => {
    expect(at(1, 0, { retryAfterMs: 2000 })).toBe(2000);
    expect(at(1, 0, { status: 429, rateLimitReset: '1003' })).toBe(3000);
    expect(at(1, 0, { status: 503, rateLimitReset: '1003' })).toBe(50);
    expect(at(1, 0, { retryAfterMs: 60_000 })).toBe(0);
  });
  it('retries a POST only when GitLab surely did nothing: a 429, or a connection never made', () => {
    expect(at(1, 0, { method: 'POST', status: 429, retryAfterMs: 1000 })).toBe(1000);
    expect(at(1, 0, { method: 'POST', code: 'ECONNREFUSED' })).toBe(50);
    for (const extra of [{ status: 502 }, { status: 503 }, { status: 500 }, { code: 'ECONNRESET' }, { code: 'ETIMEDOUT' }]) {
      expect(at(1, 0, { method: 'POST', ...extra })).toBe(0);
      expect(at(1, 0, { method: 'PUT', ...extra })).toBeGreaterThan(0);
    }
  });
});

describe('pagination headers', () => {
  const origin = 'https://gitlab.example.com';
  it('prefers x-next-page and stops when it is empty', () => {
    expect(nextPage({ 'x-next-page': '3', link: '<https://x/?page=9>; rel="next"' }, origin)).toEqual({ page: '3' });
    expect(nextPage({ 'x-next-page': '' }, origin)).toBeNull();
  });
  it('follows Link rel=next (keyset), re-based onto the GitLab origin', () => {
    const link = '<http://internal:8080/api/v4/runners/all?cursor=abc&per_page=100>; rel="next", <http://internal:8080/api/v4/runners/all?page=1>; rel="first"';
    expect(parseNextLink(link)).toBe('http://internal:8080/api/v4/runners/all?cursor=abc&per_page=100');
    const next = nextPage({ link }, origin);
    expect(next && 'url' in next ? next.url.href : null).toBe('https://gitlab.example.com/api/v4/runners/all?cursor=abc&per_page=100');
    expect(nextPage({ link: '<https://x/?page=1>; rel="first"' }, origin)).toBeNull();
  });
});

describe('proxy selection', () => {
  const u = (s: string) => new URL(s);
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'http://p2:80' };
    expect(proxyFor(u('https://gitlab.com'), env)).toBe('http://proxy:3128');
    expect(proxyFor(u('http://gitlab.local'), env)).toBe('http://p2:80');
    expect(proxyFor(u('https://gitlab.com'), {})).toBeUndefined();
  });
  it('honours NO_PROXY domains, wildcards and ports', () => {
    expect(bypassesProxy(u('https://git.corp.example'), 'localhost, .corp.example')).toBe(true);
    expect(bypassesProxy(u('https://corp.example'), '*.corp.example')).toBe(true);
    expect(bypassesProxy(u('https://notcorp.example'), 'corp.example')).toBe(false);
    expect(bypassesProxy(u('https://gitlab.com'), '*')).toBe(true);
    expect(bypassesProxy(u('https://gitlab.com:8443'), 'gitlab.com:443')).toBe(false);
    expect(bypassesProxy(u('https://gitlab.com'), 'gitlab.com:443')).toBe(true);
    expect(bypassesProxy(u('http://[::1]:80'), '::1')).toBe(true);
    expect(proxyFor(u('https://gitlab.com'), { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'gitlab.com' })).toBeUndefined();
  });
});

describe('limiter', () => {
  it('never runs more than its limit and runs everything', async () => {
    const lim = createLimiter(2);
    let running = 0;
    let max = 0;
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        lim.run(async () => {
          running++;
          max = Math.max(max, running);
          await new Promise((r) => setImmediate(r));
          running--;
          if (i === 3) throw new Error('boom');
          return i;
        }).catch(() => -1),
      ),
    );
    expect(results).toEqual([0, 1, 2, -1, 4, 5, 6]);
    expect(max).toBe(2);
    expect(lim.peak).toBe(2);
    expect(lim.active).toBe(0);
  });
});

describe('GitLab error bodies', () => {
  const ctx = { subject: 'group acme/platform', action: 'list the runners of group acme/platform', role: 'Owner role on group acme/platform' };
  it('parses message strings, attribute maps, OAuth-style errors and plain text', () => {
    expect(parseErrorBody({ message: '404 Group Not Found' }).message).toBe('404 Group Not Found');
    expect(parseErrorBody({ message: { tag_list: ['can not be empty'] } }).fields).toEqual({ tag_list: ['can not be empty'] });
    expect(parseErrorBody({ error: 'insufficient_scope', error_description: 'higher', scope: 'api' })).toMatchObject({ errorCode: 'insufficient_scope', scope: 'api' });
    expect(parseErrorBody('Retry later').message).toBe('Retry later');
    expect(parseErrorBody('').message).toBeNull();
  });
  it('tells a lost answer of a change apart from a refusal', () => {
    const lost = gitLabErrorFrom({ method: 'POST', path: '/user/runners', status: null, code: 'ETIMEDOUT', context: ctx });
    expect([lost.kind, lost.maybeApplied]).toEqual(['network', true]);
    const refused = gitLabErrorFrom({ method: 'POST', path: '/user/runners', status: 403, body: { message: '403 Forbidden' }, context: ctx });
    expect([refused.kind, refused.maybeApplied]).toEqual(['forbidden', false]);
    const readLost = gitLabErrorFrom({ method: 'GET', path: '/groups/1', status: 502, context: ctx });
    expect(readLost.maybeApplied).toBe(false);
  });
  it('falls back to method, path, status and GitLab\'s message', () => {
    const e = gitLabErrorFrom({ method: 'PUT', path: '/runners/3', status: 409, body: { message: '409 Conflict - busy' }, context: ctx });
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain('PUT /runners/3 → 409 Conflict - busy');
  });
});

describe('ownershipOf', () => {
  const group = { type: 'group' as const, id: 11, path: 'acme/platform' };
  const project = { type: 'project' as const, id: 100, path: 'acme/web' };
  it('owns a group runner only when groups[0] is the scope', () => {
    expect(ownershipOf(group, { runner_type: 'group_type', groups: [{ id: 11 }], projects: [] })).toBe('owned');
    expect(ownershipOf(group, { runner_type: 'group_type', groups: [{ id: 10 }], projects: [] })).toBe('inherited');
  });
  it('a group runner whose detail names no group (GitLab filters `groups` to authorized_groups): the parent group\'s list decides', async () => {
    expect(ownershipOf(group, { runner_type: 'group_type', groups: [], projects: [] })).toBe(ASK_PARENT);
    expect(parentPathOf(group)).toBe('acme');
    expect(parentPathOf({ type: 'group', id: 10, path: 'acme' })).toBeNull();
    const detail = (id: number) => ({ id, runner_type: 'group_type', groups: [], projects: [] }) as never;
    const sources = (parent: Set<number> | null): OwnershipSources => ({ ownerOf: () => Promise.resolve(null), parentIds: () => Promise.resolve(parent) });
    expect(await decideOwnership(group, detail(5), sources(new Set([2])))).toBe('owned');
    expect(await decideOwnership(group, detail(2), sources(new Set([2])))).toBe('inherited');
    // A token that may list the group but not its parent holds a direct role on the group, which GitLab would have named.
    expect(await decideOwnership(group, detail(5), sources(null))).toBe('inherited');
  });
  it('never calls a project runner owned from REST alone: only a detail without this project proves it borrowed', () => {
    // REST lists only the projects the token may read, in no promised order: neither order proves the owner.
    expect(ownershipOf(project, { runner_type: 'project_type', groups: [], projects: [{ id: 100 }, { id: 7 }] })).toBe(ASK_OWNER);
    expect(ownershipOf(project, { runner_type: 'project_type', groups: [], projects: [{ id: 7 }, { id: 100 }] })).toBe(ASK_OWNER);
    expect(ownershipOf(project, { runner_type: 'project_type', groups: [], projects: [{ id: 100 }] })).toBe(ASK_OWNER);
    // GitLab versions that leave `projects` out of the detail: ask.
    expect(ownershipOf(project, { runner_type: 'project_type', groups: [] } as never)).toBe(ASK_OWNER);
    expect(ownershipOf(project, { runner_type: 'project_type', groups: [], projects: [{ id: 7 }] })).toBe('borrowed');
    expect(ownershipOf(group, { runner_type: 'project_type', groups: [], projects: [{ id: 11 }] })).toBe('borrowed');
  });
  it('owns a project runner only when GraphQL names this project its owner', () => {
    expect(ownershipByOwner(project, { id: 100, fullPath: 'acme/web' })).toBe('owned');
    expect(ownershipByOwner(project, { id: 7, fullPath: 'acme/other' })).toBe('borrowed');
    expect(ownershipByOwner(project, null)).toBe('borrowed');
    expect(ownershipByOwner(group, { id: 11, fullPath: 'acme/platform' })).toBe('borrowed');
  });
  it('instance runners belong to the instance scope only', () => {
    expect(ownershipOf({ type: 'instance', id: null, path: null }, { runner_type: 'instance_type', groups: [], projects: [] })).toBe('owned');
    expect(ownershipOf(group, { runner_type: 'instance_type', groups: [], projects: [] })).toBe('instance');
  });
});

describe('GraphQL ownerProject answers', () => {
  const ctx = { subject: 'runner #7', action: 'read the owner project of runner #7' };
  it('builds and reads global ids', () => {
    expect(runnerGid(42)).toBe('gid://gitlab/Ci::Runner/42');
    expect(idFromGid('gid://gitlab/Project/100', 'Project')).toBe(100);
    expect(idFromGid('gid://gitlab/Group/100', 'Project')).toBeNull();
    expect(idFromGid('gid://gitlab/Project/01', 'Project')).toBeNull();
    expect(idFromGid(100, 'Project')).toBeNull();
  });
  it('reads the owner, and null for a hidden runner or owner', () => {
    expect(ownerProjectFrom({ data: { runner: { id: 'gid://gitlab/Ci::Runner/7', ownerProject: { id: 'gid://gitlab/Project/100', fullPath: 'team/a' } } } })).toEqual({
      id: 100,
      fullPath: 'team/a',
    });
    expect(ownerProjectFrom({ data: { runner: { id: 'gid://gitlab/Ci::Runner/7', ownerProject: null } } })).toBeNull();
    expect(ownerProjectFrom({ data: { runner: null } })).toBeNull();
  });
  it('refuses answers without the data asked for', () => {
    expect(() => ownerProjectFrom({})).toThrow(/no data.runner/);
    expect(() => ownerProjectFrom({ data: { runner: { id: 'x' } } })).toThrow(/no ownerProject/);
    expect(() => ownerProjectFrom({ data: { runner: { ownerProject: { id: 'gid://gitlab/Project/x', fullPath: 'a' } } } })).toThrow(/project id/);
  });
  it('turns GraphQL errors into GitLabErrors that quote GitLab', () => {
    const e = graphQLErrorFrom({ status: 200, messages: ['Variable $id of type CiRunnerID! was provided invalid value'], context: ctx });
    expect(e.kind).toBe('other');
    expect(e.message).toBe(
      "GitLab's GraphQL API did not read the owner project of runner #7 (POST /api/graphql → 200: Variable $id of type CiRunnerID! was provided invalid value).",
    );
    const denied = graphQLErrorFrom({ status: 200, messages: ["The resource that you are attempting to access does not exist or you don't have permission to perform this action"], context: ctx });
    expect(denied.kind).toBe('forbidden');
    expect(parseErrorBody({ errors: [{ message: 'Invalid token' }] }).message).toBe('Invalid token');
  });
});
