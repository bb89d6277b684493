// The GraphQL reader against the fake GitLab over HTTP: how few requests it
// sends, that each stays under GitLab's limits, how it splits a batch GitLab
// refuses, when it falls back to REST, and its errors and retries.
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab/client.js';
import { complexityOf, runnersConnection } from '../../src/gitlab/graphql-query.js';
import { readLiveState } from '../../src/gitlab/live.js';
import { readLiveStateGraphQL } from '../../src/gitlab/live-graphql.js';
import { readLive } from '../../src/gitlab/read-live.js';
import type { LiveRunner, ScopeRef } from '../../src/model.js';
import type { Seed, SeedRunner } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { ADMIN_TOKEN, OWNER_TOKEN, baseSeed, leakedToken } from './seeds.js';

let fake: FakeGitLab | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A runner GraphQL read, as REST reads it: GitLab's REST runner details have no token expiry (runner_details.rb). */
const asRestReads = (r: LiveRunner): LiveRunner => ({ ...r, token_expires_at: null, hidden: [...new Set([...(r.hidden ?? []), 'token_expires_at' as const])] });

const client = (f: FakeGitLab, token: string, extra: { parallelism?: number; log?: (l: string) => void } = {}): GitLabClient =>
  createGitLabClient({ gitlabUrl: f.url, token, parallelism: extra.parallelism ?? 4, log: extra.log, retry: { limit: 2, baseDelayMs: 5, maxDelayMs: 10 } });

/** `groups` groups of `perGroup` runners each under acme, plus `projects` projects of `perProject` runners. */
function wideSeed(groups: number, perGroup: number, projects = 0, perProject = 0, instance = 0): Seed {
  const seed = baseSeed();
  for (let i = 0; i < instance; i++) seed.runners!.push({ runner_type: 'instance_type', description: `i${i}` });
  const runners: SeedRunner[] = [];
  for (let g = 0; g < groups; g++) {
    seed.groups!.push({ id: 1000 + g, full_path: `acme/g${g}` });
    for (let r = 0; r < perGroup; r++) runners.push({ runner_type: 'group_type', group: `acme/g${g}`, description: `g${g}-r${r}`, tag_list: [`t${r % 3}`] });
  }
  for (let p = 0; p < projects; p++) {
    seed.projects!.push({ id: 5000 + p, path_with_namespace: `acme/p${p}` });
    for (let r = 0; r < perProject; r++) runners.push({ runner_type: 'project_type', projects: [`acme/p${p}`], description: `p${p}-r${r}` });
  }
  seed.runners!.push(...runners);
  return seed;
}

const groupRefs = (n: number): ScopeRef[] => Array.from({ length: n }, (_, g) => ({ type: 'group', path: `acme/g${g}` }));
const projectRefs = (n: number): ScopeRef[] => Array.from({ length: n }, (_, p) => ({ type: 'project', path: `acme/p${p}` }));

describe('the complexity estimate', () => {
  it('matches the shared doc: one group alias at first: 100 with 12 fields costs 35', () => {
    const conn = runnersConnection('group');
    // Our own node selection is larger; rebuild the doc's 12-field one.
    const twelve = { ...conn, children: [conn.children![0]!, { name: 'nodes', children: Array.from({ length: 12 }, (_, i) => ({ name: `f${i}` })) }] };
    expect(complexityOf({ name: 'group', alias: 'g0', resolver: { cost: 1 }, children: [twelve] })).toBe(35);
  });
});

describe('the estimate against the fake\'s GitLab complexity, request by request', () => {
  // At parallelism 1 the --debug line of each request comes right before it, so the two pair up.
  const shapes: { name: string; seed: () => Seed; refs: ScopeRef[]; batchSize?: number }[] = [
    { name: 'group paths and ids, 101 runners each (pages)', seed: () => wideSeed(4, 101), refs: [...groupRefs(3), { type: 'group', id: 1003 }] },
    { name: 'projects by path and id, 101 runners (pages)', seed: () => wideSeed(0, 0, 6, 101), refs: [...projectRefs(3), ...[3, 4, 5].map((i): ScopeRef => ({ type: 'project', id: 5000 + i }))] },
    { name: 'instance runners past a page, beside groups and projects', seed: () => wideSeed(30, 1, 30, 1, 150), refs: [{ type: 'instance' }, ...groupRefs(30), ...projectRefs(30)] },
    { name: 'a batch of one', seed: () => wideSeed(5, 2, 5, 2), refs: [...groupRefs(5), ...projectRefs(5)], batchSize: 1 },
    { name: 'a batch of 100', seed: () => wideSeed(120, 1), refs: groupRefs(120), batchSize: 100 },
  ];
  for (const shape of shapes) {
    it(shape.name, async () => {
      fake = await startFakeGitLab(shape.seed());
      const lines: string[] = [];
      const api = client(fake, ADMIN_TOKEN, { parallelism: 1, log: (l) => lines.push(l) });
      await readLiveStateGraphQL(api, api.graphql, shape.refs, { batchSize: shape.batchSize });
      const estimates = lines.flatMap((l) => /^graphql .*\(complexity ≈ (\d+), (\d+) chars\)$/.exec(l)?.slice(1).map(Number) ?? []);
      const sent = fake.requests.map((r) => [r.graphql!.complexity!, r.graphql!.queryLength]).flat();
      expect(estimates.length).toBe(sent.length);
      for (let i = 0; i < sent.length; i += 2) {
        expect(estimates[i + 1]).toBe(sent[i + 1]); // the same request
        expect(estimates[i]).toBeGreaterThanOrEqual(sent[i]!);
        expect(sent[i]).toBeLessThanOrEqual(250);
      }
    });
  }
});

describe('readLiveStateGraphQL', () => {
  it('reads 60 groups and 30 projects in a handful of requests, each under the limits; the fake agrees with our estimate', async () => {
    fake = await startFakeGitLab(wideSeed(60, 3, 30, 2));
    const lines: string[] = [];
    const refs = [...groupRefs(60), ...projectRefs(30), { type: 'instance' } as ScopeRef];
    const api = client(fake, ADMIN_TOKEN, { log: (l) => lines.push(l) });
    const live = await readLiveStateGraphQL(api, api.graphql, refs);
    expect(live.scopes.slice(0, 60).every((s) => s.owned.length === 3)).toBe(true);
    expect(live.scopes.slice(60, 90).every((s) => s.owned.length === 2)).toBe(true);
    expect(live.scopes[90]?.owned.map((r) => r.id)).toEqual([1, 2]);
    // Group paths: 60 aliases at 3 each (one request); then every scope's first page (two requests at most).
    expect(fake.requests.length).toBeLessThanOrEqual(3);
    expect(fake.requests.every((r) => r.path === '/api/graphql')).toBe(true);
    const stats = fake.graphqlStats();
    expect(stats.overComplexityLimit).toBe(0);
    expect(stats.overSizeLimit).toBe(0);
    // Our estimate is never below GitLab's (the fake computes GitLab's formula).
    const estimates = lines.filter((l) => l.startsWith('graphql ')).map((l) => Number(/complexity ≈ (\d+)/.exec(l)![1]));
    const actual = fake.requests.map((r) => r.graphql!.complexity!);
    expect(estimates).toHaveLength(actual.length);
    const sortedActual = [...actual].sort((a, b) => a - b);
    expect([...estimates].sort((a, b) => a - b).every((e, i) => e >= (sortedActual[i] ?? Infinity))).toBe(true);
    // The same live state as REST.
    const rest = await readLiveState(client(fake, ADMIN_TOKEN), refs);
    expect(live.scopes.map((s) => s.owned.map(asRestReads))).toEqual(rest.scopes.map((s) => s.owned));
  });

  it('honours the batch size: 1 scope per list field means one field per scope', async () => {
    fake = await startFakeGitLab(wideSeed(6, 1));
    const api = client(fake, OWNER_TOKEN);
    await readLiveStateGraphQL(api, api.graphql, groupRefs(6), { batchSize: 1, complexityLimit: 100 });
    // 1 resolve request (6 × 3), then 6 groups(ids:) fields of ~51 each: two per request under 100.
    expect(fake.requests).toHaveLength(1 + 3);
  });

  it('splits a batch GitLab finds too complex ("Query has complexity of X…") and still reads everything', async () => {
    fake = await startFakeGitLab(wideSeed(8, 2));
    const api = client(fake, OWNER_TOKEN);
    // Pretend the limit is 2,000: the packed request is over GitLab's 250 and must be split.
    const live = await readLiveStateGraphQL(api, api.graphql, [...groupRefs(8), { type: 'project', path: 'acme/platform/web' }], { complexityLimit: 2000, batchSize: 1 });
    expect(live.scopes.slice(0, 8).every((s) => s.owned.length === 2)).toBe(true);
    const over = fake.requests.filter((r) => r.graphql && r.graphql.complexity! > r.graphql.maxComplexity);
    expect(over.length).toBeGreaterThan(0);
    expect(fake.requests.at(-1)!.graphql!.complexity!).toBeLessThanOrEqual(250);
  });

  it('packs requests under the query-text limit, and splits one GitLab finds too large (422 "Query too large")', async () => {
    fake = await startFakeGitLab(wideSeed(300, 0));
    const api = client(fake, OWNER_TOKEN);
    await readLiveStateGraphQL(api, api.graphql, groupRefs(300), { maxQueryChars: 2000 });
    const sent = fake.requests.map((r) => r.graphql!.queryLength);
    expect(sent.length).toBeGreaterThan(3);
    expect(Math.max(...sent)).toBeLessThanOrEqual(2000);
    // Limits this client does not know about: GitLab's 10,000 characters answer 422, and the halves go through.
    fake.resetStats();
    const live = await readLiveStateGraphQL(api, api.graphql, groupRefs(300), { maxQueryChars: 1_000_000, complexityLimit: 1_000_000 });
    expect(live.scopes).toHaveLength(300);
    expect(fake.requests.some((r) => r.status === 422)).toBe(true);
    expect(fake.requests.filter((r) => r.status === 200 && r.graphql!.complexity !== null).every((r) => r.graphql!.queryLength <= 10_000)).toBe(true);
  });

  it('splits a batch that times out (503) and retries the halves', async () => {
    fake = await startFakeGitLab(wideSeed(40, 2));
    fake.setGraphQLTimeoutAbove(60);
    const api = client(fake, OWNER_TOKEN);
    const live = await readLiveStateGraphQL(api, api.graphql, groupRefs(40));
    expect(live.scopes.every((s) => s.owned.length === 2)).toBe(true);
    expect(fake.requests.some((r) => r.status === 503)).toBe(true);
    expect(fake.requests.filter((r) => r.status === 200).every((r) => r.graphql!.complexity! <= 60)).toBe(true);
  });

  it('a 503 that is not GitLab\'s timeout (a proxy, maintenance) is retried like REST\'s, never split', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ path: '/api/graphql', times: 2, fault: { kind: 'status', status: 503, body: '<html>GitLab is down for maintenance</html>' } });
    const api = client(fake, OWNER_TOKEN);
    const live = await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', path: 'acme/platform' }]);
    expect(live.scopes[0]?.owned.map((r) => r.id)).toEqual([4]);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    // Still down after the retries: GitLab's error, not a split down to "the smallest possible request".
    fake.inject({ path: '/api/graphql', times: 100, fault: { kind: 'status', status: 503, body: '<html>GitLab is down for maintenance</html>' } });
    const before = fake.requests.length;
    const err = (await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', path: 'acme/platform' }, { type: 'group', path: 'acme' }]).catch((e: Error) => e)) as Error;
    expect(err.message).not.toContain('smallest possible request');
    expect(err.message).toContain('503');
    expect(fake.requests.length - before).toBe(3);
  });

  it('retries a 429 with a plain-text body after Retry-After, and a 502', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ path: '/api/graphql', times: 1, fault: { kind: 'status', status: 429, retryAfter: 0 } });
    fake.inject({ path: '/api/graphql', times: 1, fault: { kind: 'status', status: 502 } });
    const api = client(fake, OWNER_TOKEN);
    const live = await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', path: 'acme/platform' }]);
    expect(live.scopes[0]?.owned.map((r) => r.id)).toEqual([4]);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 502, 200]);
  });

  it('reads a fleet that fits one request in one round trip: groups looked up by path inside the runners query (issue 17)', async () => {
    fake = await startFakeGitLab(baseSeed());
    const api = client(fake, ADMIN_TOKEN);
    const refs: ScopeRef[] = [{ type: 'group', path: 'acme/platform' }, { type: 'group', path: 'acme' }, { type: 'project', path: 'acme/platform/web' }, { type: 'instance' }];
    const live = await readLiveStateGraphQL(api, api.graphql, refs);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/graphql']);
    // Owned runners are what the plan reads (visible ones differ between readers by design).
    const owned = (l: typeof live, see = (r: LiveRunner) => r) => l.scopes.map((sc) => ({ ref: sc.ref, scope: sc.scope, owned: sc.owned.map(see) }));
    expect(owned(live, asRestReads)).toEqual(owned(await readLiveState(client(fake, ADMIN_TOKEN), refs)));
    expect(live.scopes.map((sc) => sc.owned.length)).toEqual([1, 1, 1, 2]);
  });

  it('pages a scope with more than 100 runners by cursor, in parallel with the others, and reports progress', async () => {
    fake = await startFakeGitLab(wideSeed(3, 230));
    const api = client(fake, OWNER_TOKEN, { parallelism: 1 });
    const seen: number[] = [];
    const live = await readLiveStateGraphQL(api, api.graphql, groupRefs(3), { onProgress: (p) => seen.push(p.scopesDone) });
    expect(live.scopes.map((s) => s.owned.length)).toEqual([230, 230, 230]);
    // The three groups fit one request (a group(fullPath:) alias each, no resolve round trip) + 2 rounds of follow-up pages.
    expect(fake.requests.length).toBe(1 + 1 + 1);
    expect(fake.peakConcurrency()).toBe(1);
    expect(seen.at(-1)).toBe(3);
  });

  it('an invalid token is the GraphQL 401 message, with no token in it', async () => {
    fake = await startFakeGitLab(baseSeed());
    const api = client(fake, 'glpat-nope-0123456789abcdefXYZ');
    const err = (await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', path: 'acme' }]).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/GraphQL API rejected the token/);
    expect(err.message).not.toContain('glpat-nope');
    expect(leakedToken(err.message)).toBeUndefined();
  });
});

describe('readLive: GraphQL by default, REST when asked or when GitLab cannot', () => {
  const refs: ScopeRef[] = [{ type: 'group', path: 'acme/platform' }, { type: 'project', path: 'acme/platform/web' }];

  it('--api rest reads through REST only', async () => {
    fake = await startFakeGitLab(baseSeed());
    await readLive(client(fake, OWNER_TOKEN), refs, { settings: { api: 'rest' } });
    expect(fake.requests.filter((r) => r.path === '/api/graphql' && JSON.stringify(r.body).includes('groups('))).toEqual([]);
    expect(fake.requests.some((r) => r.path === '/groups/acme%2Fplatform')).toBe(true);
  });

  it('404 on /api/graphql: one line on stderr, then the same live state through REST', async () => {
    fake = await startFakeGitLab(baseSeed());
    const rest = await readLiveState(client(fake, OWNER_TOKEN), refs);
    fake.inject({ path: '/api/graphql', times: 1, fault: { kind: 'status', status: 404, body: '{"message":"404 Not Found"}' } });
    const notices: string[] = [];
    const live = await readLive(client(fake, OWNER_TOKEN), refs, { notice: (l) => notices.push(l) });
    expect(notices).toEqual(['runnerform: GitLab answered 404 to /api/graphql; reading the runners through the REST API instead (--api rest).']);
    expect(live).toEqual(rest);
  });

  it('GraphQL disabled for good (every /api/graphql is 404): groups read through REST; project scopes say why they cannot', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ path: '/api/graphql', times: 1000, fault: { kind: 'status', status: 404, body: '{"message":"404 Not Found"}' } });
    const notices: string[] = [];
    const groups = await readLive(client(fake, OWNER_TOKEN), refs.slice(0, 1), { notice: (l) => notices.push(l) });
    expect(groups.scopes[0]?.owned.map((r) => r.id)).toEqual([4]);
    // The REST reader asks GraphQL for a project runner's owner: that is what fails, not the URL.
    const err = (await readLive(client(fake, OWNER_TOKEN), refs, { notice: (l) => notices.push(l) }).catch((e: Error) => e)) as Error;
    expect(notices).toHaveLength(2);
    expect(err.message).toMatch(/^Cannot read the project runners of the GitLab at http:\/\/127\.0\.0\.1:\d+: GitLab answered 404 to \/api\/graphql, and only GitLab's GraphQL API names the project that owns a runner/);
    expect(err.message).toContain('POST /api/graphql → 404');
    expect(err.message).not.toContain('is not a GitLab API');
  });

  it('after a fallback, an owner query that fails for another reason (502) is that failure, not "cannot read owners"', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ path: '/api/graphql', times: 1, fault: { kind: 'status', status: 404, body: '{"message":"404 Not Found"}' } });
    fake.inject({ path: '/api/graphql', times: 1000, fault: { kind: 'status', status: 502 } });
    const err = (await readLive(client(fake, OWNER_TOKEN), refs, { notice: () => {} }).catch((e: Error) => e)) as Error;
    expect(err.message).toContain('502');
    expect(err.message).not.toContain('Cannot read the project runners');
  });

  it('an older GitLab ("Field \'x\' doesn\'t exist on type \'CiRunner\'"): one line, then REST', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({
      path: '/api/graphql',
      times: 1,
      fault: { kind: 'status', status: 200, body: JSON.stringify({ errors: [{ message: "Field 'tokenExpiresAt' doesn't exist on type 'CiRunner'" }] }) },
    });
    const notices: string[] = [];
    const live = await readLive(client(fake, OWNER_TOKEN), refs, { notice: (l) => notices.push(l) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("Field 'tokenExpiresAt' doesn't exist on type 'CiRunner'");
    expect(notices[0]).toContain('reading the runners through the REST API instead');
    expect(live.scopes[0]?.owned.map((r) => r.id)).toEqual([4]);
  });
});

describe('answers GitLab may give that the schema does not promise (issue 13 item 14)', () => {
  const answer = (body: unknown) => ({ kind: 'status' as const, status: 200, body: JSON.stringify(body) });
  const groupNode = (runners: unknown) => ({ data: { a0: { nodes: [{ id: 'gid://gitlab/Group/11', fullPath: 'acme/platform', runners }] } } });
  const node = {
    id: 'gid://gitlab/Ci::Runner/3', description: 'platform-docker', paused: false, locked: false, runUntagged: true, tagList: [], accessLevel: 'NOT_PROTECTED',
    maximumTimeout: null, maintenanceNote: null, runnerType: null, status: 'ONLINE', contactedAt: null, createdAt: null, tokenExpiresAt: null,
    userPermissions: { updateRunner: true, deleteRunner: true },
  };

  it('a runner whose runnerType is null is the type its scope was listed by', async () => {
    fake = await startFakeGitLab(baseSeed());
    fake.inject({ path: '/api/graphql', times: 1, fault: answer(groupNode({ pageInfo: { hasNextPage: false, endCursor: null }, nodes: [node] })) });
    const api = client(fake, OWNER_TOKEN);
    const live = await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', id: 11 }]);
    expect(live.scopes[0]?.owned.map((r) => [r.id, r.runner_type])).toEqual([[3, 'group_type']]);
  });

  it('an error on a runners field that is not a refusal is said as GitLab said it, not as a missing role', async () => {
    fake = await startFakeGitLab(baseSeed());
    const body = { ...groupNode(null), errors: [{ message: 'Timeout on Group.runners', path: ['a0', 'nodes', 0, 'runners'] }] };
    fake.inject({ path: '/api/graphql', times: 1, fault: answer(body) });
    const api = client(fake, OWNER_TOKEN);
    const err = (await readLiveStateGraphQL(api, api.graphql, [{ type: 'group', id: 11 }]).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe("GitLab's GraphQL API did not list the runners of group acme/platform (POST /api/graphql → Timeout on Group.runners).");
    expect(err.message).not.toMatch(/Owner role/);
  });
});
