// The live-state reader against the fake GitLab: ownership, details, request counts.
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { GitLabError } from '../../src/gitlab/errors.js';
import { readLiveState, type LiveProgress } from '../../src/gitlab/live.js';
import type { LiveScope, ScopeRef } from '../../src/model.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import {
  ADMIN_TOKEN,
  BORROW_ADMIN_TOKEN,
  BORROWER_READ_API_TOKEN,
  BORROWER_TOKEN,
  BOTH_TOKEN,
  OWNER_TOKEN,
  SUB_OWNER_TOKEN,
  baseSeed,
  borrowSeed,
  manyRunners,
} from './seeds.js';

let fake: FakeGitLab | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(seed = baseSeed()) {
  fake = await startFakeGitLab(seed);
  return fake;
}

const api = (f: FakeGitLab, token: string, parallelism = 8) =>
  createGitLabClient({ gitlabUrl: f.url, token, parallelism, retry: { limit: 2, baseDelayMs: 5, maxDelayMs: 10 } });

// Undefined for a scope the reader did not return, which no expected list of ids equals.
const ids = (s: LiveScope | undefined, which: 'owned' | 'visible') => s?.[which].map((r) => r.id);

const REFS: ScopeRef[] = [
  { type: 'group', path: 'acme/platform' },
  { type: 'group', id: 12 },
  { type: 'project', path: 'acme/platform/web' },
  { type: 'project', id: 101 },
];

describe('readLiveState', () => {
  it('resolves scopes and keeps only owned runners as candidates', async () => {
    const f = await start();
    const live = await readLiveState(api(f, OWNER_TOKEN), REFS);
    expect(live.gitlabUrl).toBe(f.url);
    expect(live.scopes.map((s) => s.scope)).toEqual([
      { type: 'group', id: 11, path: 'acme/platform' },
      { type: 'group', id: 12, path: 'acme/platform/ci' },
      { type: 'project', id: 100, path: 'acme/platform/web' },
      { type: 'project', id: 101, path: 'acme/platform/api' },
    ]);
    expect(live.scopes.map((s) => s.ref)).toEqual(REFS);
    const [platform, ci, web, apiProject] = live.scopes;
    // Ancestor-group runners are listed but only inherited.
    expect(ids(platform, 'owned')).toEqual([4]);
    expect(platform?.visible.map((r) => [r.id, r.ownership])).toEqual([[3, 'inherited']]);
    expect(ids(ci, 'owned')).toEqual([5]);
    expect(ci?.visible.map((r) => [r.id, r.ownership])).toEqual([
      [3, 'inherited'],
      [4, 'inherited'],
    ]);
    // A runner enabled in web but owned by api is borrowed in web, owned in api.
    expect(ids(web, 'owned')).toEqual([6]);
    expect(web?.visible.map((r) => [r.id, r.ownership])).toEqual([[7, 'borrowed']]);
    expect(ids(apiProject, 'owned')).toEqual([7]);
    // Instance runners are never candidates of a group or project scope.
    for (const s of live.scopes) for (const r of [...s.owned, ...s.visible]) expect(r.runner_type).not.toBe('instance_type');
  });

  it('every owned runner arrives with all its details', async () => {
    const f = await start();
    const live = await readLiveState(api(f, OWNER_TOKEN), [{ type: 'group', path: 'acme/platform' }]);
    expect(live.scopes[0]?.owned).toEqual([
      {
        id: 4,
        description: 'platform-docker',
        runner_type: 'group_type',
        attrs: {
          paused: false,
          locked: true,
          run_untagged: false,
          tag_list: ['docker', 'linux'],
          access_level: 'ref_protected',
          maximum_timeout: 3600,
          maintenance_note: 'owned by the platform team',
        },
        status: expect.stringMatching(/^(online|offline|stale|never_contacted)$/),
        contacted_at: '2026-01-01T00:00:00Z',
        ownership: 'owned',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        token_expires_at: null,
        permissions: { update: true, delete: true },
        // GitLab's REST runner details have no token expiry (runner_details.rb): unknown, not "never expires".
        hidden: ['token_expires_at'],
      },
    ]);
    expect(live.api).toBe('rest');
  });

  it('instance scope: instance runners are owned there (admin token)', async () => {
    const f = await start();
    const live = await readLiveState(api(f, ADMIN_TOKEN), [{ type: 'instance' }, { type: 'group', path: 'acme' }]);
    const [instance, acme] = live.scopes;
    expect(instance?.scope).toEqual({ type: 'instance', id: null, path: null });
    expect(ids(instance, 'owned')).toEqual([1, 2]);
    expect(instance?.owned[1]?.attrs.paused).toBe(true);
    expect(ids(acme, 'owned')).toEqual([3]);
    expect(f.requests.some((r) => r.path === '/runners/all' && r.query.type === 'instance_type')).toBe(true);
  });

  it('an ancestor runner whose details the token may not read stays visible, partial, never owned', async () => {
    const seed = baseSeed();
    // No project bob maintains takes group runners, so nothing lets him read acme's and acme/platform's runners (runner_policy.rb).
    const noGroupRunners = ['acme/platform/ci/tools', 'acme/platform/web'];
    seed.projects = seed.projects!.map((p) => (noGroupRunners.includes(p.path_with_namespace) ? { ...p, group_runners_enabled: false } : p));
    const f = await start(seed);
    // bob owns only acme/platform/ci: GitLab refuses him the details of acme's and acme/platform's runners.
    const live = await readLiveState(api(f, SUB_OWNER_TOKEN), [{ type: 'group', path: 'acme/platform/ci' }]);
    const [ci] = live.scopes;
    expect(ids(ci, 'owned')).toEqual([5]);
    expect(ci?.visible.map((r) => [r.id, r.ownership, r.partial])).toEqual([
      [3, 'inherited', true],
      [4, 'inherited', true],
    ]);
    const [own] = ci?.owned ?? [];
    expect(own).toBeDefined();
    expect(own?.partial).toBeUndefined();
  });

  it('uses one resolve per scope, one list page per 100 runners, one detail per distinct runner, one GraphQL query per project runner', async () => {
    const f = await start(baseSeed(manyRunners('acme/platform', 250, 1000)));
    const live = await readLiveState(api(f, OWNER_TOKEN), REFS);
    const owned = live.scopes[0]?.owned.map((r) => r.id) ?? [];
    expect(owned).toHaveLength(251);
    expect(owned).toEqual([...owned].sort((a, b) => a - b));
    const count = (re: RegExp) => f.requests.filter((r) => re.test(r.path)).length;
    expect(count(/^\/(groups|projects)\/[^/]+$/)).toBe(4);
    // platform: 252 listed → 3 pages; ci: 253 listed (its own + both ancestors') → 3 pages; 2 project lists.
    expect(count(/^\/groups\/\d+\/runners$/)).toBe(6);
    expect(count(/^\/projects\/\d+\/runners$/)).toBe(2);
    // Distinct runners: 1000..1249, 3, 4, 5, 6, 7 — each read once even when listed in two scopes.
    expect(count(/^\/runners\/\d+$/)).toBe(255);
    // Project runners 6 and 7 (7 listed in both projects): one ownerProject query each; groups never ask.
    const graphql = f.requests.filter((r) => r.path === '/api/graphql');
    expect(graphql.map((r) => (r.body as { variables: { id: string } }).variables.id).sort()).toEqual([
      'gid://gitlab/Ci::Runner/6',
      'gid://gitlab/Ci::Runner/7',
    ]);
    // The token's user and its role, asked from the top: Owner of acme, so of both group scopes (refusal predictions).
    expect(f.requests.filter((r) => r.path === '/user' || /^\/groups\/[^/]+\/members\/all\/\d+$/.test(r.path)).map((r) => r.path)).toEqual(['/user', '/groups/acme/members/all/2']);
    expect(f.requests).toHaveLength(4 + 8 + 255 + 2 + 2);
  });

  it('group and instance scopes never ask GraphQL', async () => {
    const f = await start();
    await readLiveState(api(f, ADMIN_TOKEN), [{ type: 'instance' }, { type: 'group', path: 'acme' }, { type: 'group', path: 'acme/platform' }]);
    expect(f.requests.filter((r) => r.path === '/api/graphql')).toEqual([]);
  });

  it('reports progress up to every scope and runner read', async () => {
    const f = await start();
    const seen: LiveProgress[] = [];
    await readLiveState(api(f, OWNER_TOKEN), REFS, { onProgress: (p) => seen.push(p) });
    expect(seen[0]).toEqual({ scopesDone: 0, scopesTotal: 4, runnersDone: 0, runnersTotal: 0 });
    expect(seen.at(-1)).toEqual({ scopesDone: 4, scopesTotal: 4, runnersDone: 5, runnersTotal: 5 });
    for (const p of seen) expect(p.runnersDone).toBeLessThanOrEqual(p.runnersTotal);
  });

  it('a scope that does not exist fails with the actionable 404', async () => {
    const f = await start();
    const err = await readLiveState(api(f, OWNER_TOKEN), [{ type: 'group', path: 'acme/platfrom' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabError);
    expect((err as GitLabError).message).toMatch(/^Group acme\/platfrom not found or not visible to this token/);
  });

  it('a failing detail read fails the whole read (no silently missing runner)', async () => {
    const f = await start();
    f.inject({ method: 'GET', path: '/runners/4', times: 10, fault: { kind: 'status', status: 500 } });
    const err = await readLiveState(api(f, OWNER_TOKEN), [{ type: 'group', path: 'acme/platform' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabError);
    expect((err as GitLabError).kind).toBe('server');
  });
});

describe('project runners borrowed from a project the token cannot see', () => {
  const A = { type: 'project', path: 'team/a' } as const;
  const B = { type: 'project', path: 'team/b' } as const;
  const graphqlCalls = (f: FakeGitLab) => f.requests.filter((r) => r.path === '/api/graphql');
  const asked = (f: FakeGitLab) => graphqlCalls(f).map((r) => (r.body as { variables: { id: string } }).variables.id).sort();

  it('a token that sees only the borrowing project never owns the borrowed runner', async () => {
    const f = await start(borrowSeed());
    // REST alone makes runner 7 look owned: bob sees only team/b among its projects.
    const detail = await api(f, BORROWER_TOKEN).getRunner(7);
    expect(detail.projects.map((p) => p.id)).toEqual([200]);
    f.resetStats();

    const live = await readLiveState(api(f, BORROWER_TOKEN), [B]);
    const [b] = live.scopes;
    // 8 is team/b's own; 9 is owned by team/b and lent to team/a (hidden from bob): owned too.
    expect(ids(b, 'owned')).toEqual([8, 9]);
    expect(b?.visible.map((r) => [r.id, r.ownership])).toEqual([[7, 'borrowed']]);
    // Every project runner of the scope was asked about, with the documented Bearer header, not PRIVATE-TOKEN.
    expect(asked(f)).toEqual(['gid://gitlab/Ci::Runner/7', 'gid://gitlab/Ci::Runner/8', 'gid://gitlab/Ci::Runner/9']);
    for (const r of graphqlCalls(f)) {
      expect(r.method).toBe('POST');
      expect(r.headers.authorization).toBe(`Bearer ${BORROWER_TOKEN}`);
      expect(r.headers['private-token']).toBeUndefined();
      expect(r.status).toBe(200);
    }
  });

  it('a read_api token is enough for the GraphQL check', async () => {
    const f = await start(borrowSeed());
    const live = await readLiveState(api(f, BORROWER_READ_API_TOKEN), [B]);
    expect(ids(live.scopes[0], 'owned')).toEqual([8, 9]);
  });

  it('a user who maintains both projects: each runner is owned by its owner project only', async () => {
    const f = await start(borrowSeed());
    const live = await readLiveState(api(f, BOTH_TOKEN), [A, B]);
    const [a, b] = live.scopes;
    expect(ids(a, 'owned')).toEqual([7]);
    expect(a?.visible.map((r) => [r.id, r.ownership])).toEqual([[9, 'borrowed']]);
    expect(ids(b, 'owned')).toEqual([8, 9]);
    expect(b?.visible.map((r) => [r.id, r.ownership])).toEqual([[7, 'borrowed']]);
    // One query per distinct runner, although 7 and 9 are listed in both scopes.
    expect(asked(f)).toEqual(['gid://gitlab/Ci::Runner/7', 'gid://gitlab/Ci::Runner/8', 'gid://gitlab/Ci::Runner/9']);
  });

  it('an admin token gets the same answer (and still asks: REST order proves nothing)', async () => {
    const f = await start(borrowSeed());
    const live = await readLiveState(api(f, BORROW_ADMIN_TOKEN), [A, B]);
    expect(live.scopes.map((s) => ids(s, 'owned'))).toEqual([[7], [8, 9]]);
    expect(graphqlCalls(f)).toHaveLength(3);
  });

  it('a failing GraphQL check fails the whole read (never a guessed owner)', async () => {
    const f = await start(borrowSeed());
    f.inject({ method: 'POST', path: '/api/graphql', times: 10, fault: { kind: 'status', status: 502 } });
    const err = await readLiveState(api(f, BORROWER_TOKEN), [B]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabError);
    expect((err as GitLabError).kind).toBe('server');
    expect((err as GitLabError).message).toMatch(/^GitLab failed to read the owner project of runner #\d+ \(POST \/api\/graphql → 502/);
    // A query is a read: retried like a GET (limit 2 → 3 attempts per runner).
    expect(graphqlCalls(f).length).toBeGreaterThanOrEqual(3);
  });
});
