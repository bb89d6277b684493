// The fake's GraphQL runner reads: Group.runners membership sets, Project.runners
// contents, filters, keyset paging with the 100-item cap, authorization (nulls,
// dropped nodes, the resource error), maintenanceNote hidden without update
// permission, and userPermissions from the same rules as the REST endpoints.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_ERROR } from '../fake-gitlab/graphql/schema.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { gqlData, gqlPost, idsOf } from './graphql-helpers.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  const seed = baseSeed();
  seed.runners![2] = { ...seed.runners![2]!, maintenance_note: 'platform note' }; // runner 3
  fake = await startFakeGitLab(seed);
});
afterAll(() => fake.close());

const groupRunnerIds = async (path: string, args = '', token: string = TOKENS.owner) => {
  const q = `query($path: ID!) { g: group(fullPath: $path) { runners${args ? `(${args})` : ''} { count nodes { id } } } }`;
  const data = await gqlData(fake, q, { path }, token);
  return idsOf(data.g.runners.nodes);
};

describe('fake GraphQL: which runners', () => {
  it('Group.runners: DIRECT is the group\'s own, DESCENDANTS (the default) adds subgroups and projects below, ALL_AVAILABLE ancestors and instance', async () => {
    expect(await groupRunnerIds('acme', 'membership: DIRECT')).toEqual([2]);
    expect(await groupRunnerIds('acme')).toEqual([7, 6, 5, 4, 3, 2]);
    expect(await groupRunnerIds('acme', 'membership: DESCENDANTS')).toEqual([7, 6, 5, 4, 3, 2]);
    expect(await groupRunnerIds('acme/platform')).toEqual([7, 6, 4, 3]);
    expect(await groupRunnerIds('acme/platform', 'membership: ALL_AVAILABLE')).toEqual([7, 6, 4, 3, 2, 1]);
    expect(await groupRunnerIds('acme/platform', 'membership: DIRECT, type: GROUP_TYPE')).toEqual([3]);
  });

  it('filters by type, paused, status, tags and search', async () => {
    expect(await groupRunnerIds('acme', 'type: PROJECT_TYPE')).toEqual([7, 6]);
    expect(await groupRunnerIds('acme', 'type: GROUP_TYPE, paused: true')).toEqual([4]);
    expect(await groupRunnerIds('acme', 'status: ONLINE')).toEqual([3]);
    expect(await groupRunnerIds('acme', 'tagList: ["docker", "amd64"]')).toEqual([3]);
    expect(await groupRunnerIds('acme', 'search: "EDGE"')).toEqual([4]);
    expect(await groupRunnerIds('acme', 'sort: CREATED_ASC')).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('Project.runners: assigned project runners (also those owned elsewhere), ancestor group and instance runners when enabled', async () => {
    const q = `query($path: ID!) { p: project(fullPath: $path) { runners { nodes { id runnerType ownerProject { id fullPath } projectCount } } } }`;
    const api = await gqlData(fake, q, { path: 'acme/platform/api' });
    expect(idsOf(api.p.runners.nodes)).toEqual([7, 6, 3, 2, 1]);
    expect(api.p.runners.nodes[0]).toEqual({
      id: 'gid://gitlab/Ci::Runner/7',
      runnerType: 'PROJECT_TYPE',
      ownerProject: { id: 'gid://gitlab/Project/101', fullPath: 'acme/data/etl' },
      projectCount: 2,
    });
    // acme/data/etl has shared and group runners disabled
    const etl = await gqlData(fake, q, { path: 'acme/data/etl' });
    expect(idsOf(etl.p.runners.nodes)).toEqual([7]);
  });

  it('renders CiRunner fields with GitLab\'s enums, gids and times', async () => {
    const data = await gqlData(
      fake,
      `{ r: runner(id: "gid://gitlab/Ci::Runner/3") { id description paused locked runUntagged tagList accessLevel maximumTimeout
         maintenanceNote status contactedAt createdAt tokenExpiresAt runnerType ownerProject { id } projectCount
         groups { nodes { id fullPath } } projects { nodes { id } } managers { count nodes { id } } } }`,
    );
    expect(data.r).toMatchObject({
      id: 'gid://gitlab/Ci::Runner/3',
      description: 'platform-docker',
      paused: false,
      locked: false,
      runUntagged: true,
      tagList: ['docker', 'amd64'],
      accessLevel: 'NOT_PROTECTED',
      maximumTimeout: null,
      maintenanceNote: 'platform note',
      status: 'ONLINE',
      tokenExpiresAt: null,
      runnerType: 'GROUP_TYPE',
      ownerProject: null,
      projectCount: null,
      groups: { nodes: [{ id: 'gid://gitlab/Group/11', fullPath: 'acme/platform' }] },
      projects: null,
      managers: { count: 0, nodes: [] },
    });
    expect(data.r.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(data.r.contactedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('Query.groups(ids:) and Query.projects(fullPaths:) list what the caller may see', async () => {
    const groups = await gqlData(fake, '{ groups(ids: ["gid://gitlab/Group/10", "gid://gitlab/Group/11", "gid://gitlab/Group/999"]) { nodes { id fullPath } } }', undefined, TOKENS.subOwner);
    // sub-owner sees acme (a member below it) and acme/platform; name_asc order
    expect(groups.groups.nodes).toEqual([
      { id: 'gid://gitlab/Group/10', fullPath: 'acme' },
      { id: 'gid://gitlab/Group/11', fullPath: 'acme/platform' },
    ]);
    const projects = await gqlData(fake, '{ projects(fullPaths: ["acme/data/etl", "acme/platform/api", "nope/x"]) { nodes { fullPath } } }', undefined, TOKENS.subOwner);
    expect(projects.projects.nodes).toEqual([{ fullPath: 'acme/platform/api' }]);
    const tooMany = await gqlPost(fake, { query: 'query($p: [String!]) { projects(fullPaths: $p) { nodes { id } } }', variables: { p: Array.from({ length: 51 }, (_, i) => `acme/p${i}`) } });
    expect(tooMany.body).toMatchObject({ data: { projects: null }, errors: [{ message: 'You cannot provide more than 50 full_paths', path: ['projects'] }] });
    const badGid = await gqlPost(fake, { query: '{ groups(ids: ["10"]) { nodes { id } } }' });
    expect(badGid.body.errors[0].message).toBe('"10" is not a valid Global ID');
  });
});

describe('fake GraphQL: paging', () => {
  it('walks keyset pages with pageInfo; last/before page backwards', async () => {
    const q = `query($after: String) { g: group(fullPath: "acme") { runners(first: 2, after: $after) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } nodes { id } } } }`;
    const seen: number[][] = [];
    let after: string | null = null;
    const prev: boolean[] = [];
    for (;;) {
      const data = await gqlData(fake, q, { after });
      const conn = data.g.runners;
      seen.push(idsOf(conn.nodes));
      prev.push(conn.pageInfo.hasPreviousPage);
      expect(conn.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(conn.nodes.map((n: { id: string }) => n.id));
      expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual([[7, 6], [5, 4], [3, 2]]);
    expect(prev).toEqual([false, true, true]);
    const back = await gqlData(fake, '{ g: group(fullPath: "acme") { runners(last: 2) { pageInfo { hasNextPage hasPreviousPage } nodes { id } } } }');
    expect([idsOf(back.g.runners.nodes), back.g.runners.pageInfo]).toEqual([[3, 2], { hasNextPage: false, hasPreviousPage: true }]);
    const start = (await gqlData(fake, '{ g: group(fullPath: "acme") { runners(last: 2) { pageInfo { startCursor } } } }')).g.runners.pageInfo.startCursor;
    const before = await gqlData(fake, 'query($c: String) { g: group(fullPath: "acme") { runners(last: 2, before: $c) { pageInfo { hasNextPage hasPreviousPage } nodes { id } } } }', { c: start });
    expect([idsOf(before.g.runners.nodes), before.g.runners.pageInfo]).toEqual([[5, 4], { hasNextPage: true, hasPreviousPage: true }]);
  });

  it('refuses first with last, and a cursor it did not make', async () => {
    const both = await gqlPost(fake, { query: '{ g: group(fullPath: "acme") { runners(first: 1, last: 1) { nodes { id } } } }' });
    expect(both.body).toMatchObject({ data: { g: { runners: null } }, errors: [{ message: 'Can only provide either `first` or `last`, not both', path: ['g', 'runners'] }] });
    const bad = await gqlPost(fake, { query: '{ g: group(fullPath: "acme") { runners(after: "not-a-cursor") { nodes { id } } } }' });
    expect(bad.body.errors[0].message).toBe('Please provide a valid cursor');
  });

  it('drops nodes the caller may not read after cutting the page, so a short page can have a next page', async () => {
    // maint maintains acme/platform (so acme/platform/api, which takes group runners): acme's runner 2 is readable
    // (runner_policy.rb any_associated_projects_in_group_runner_inheriting_group_runners); the edge group's runner 4 is not.
    const q = `query($after: String) { p: project(fullPath: "acme/platform/api") { runners(first: 2, after: $after) { count pageInfo { hasNextPage endCursor } nodes { id } } } }`;
    const pages: [number[], boolean][] = [];
    let after: string | null = null;
    do {
      const data = await gqlData(fake, q, { after }, TOKENS.maintainer);
      const conn = data.p.runners;
      pages.push([idsOf(conn.nodes), conn.pageInfo.hasNextPage]);
      expect(conn.count).toBe(5);
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual([[[7, 6], true], [[3, 2], true], [[1], false]]);
  });

  describe('with more than 100 runners in a group', () => {
    let big: FakeGitLab;
    beforeAll(async () => {
      big = await startFakeGitLab(baseSeed());
      for (let i = 0; i < 150; i++) big.addRunner({ runner_type: 'group_type', group: 'acme/data', description: `bulk-${i}` });
    });
    afterAll(() => big.close());

    it('clamps first: 500 to exactly 100 with hasNextPage, and pages reach every runner once', async () => {
      const q = `query($after: String) { g: group(fullPath: "acme/data") { runners(membership: DIRECT, first: 500, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } } }`;
      const all: number[] = [];
      const sizes: number[] = [];
      let after: string | null = null;
      do {
        const data = await gqlData(big, q, { after });
        const conn = data.g.runners;
        sizes.push(conn.nodes.length);
        all.push(...idsOf(conn.nodes));
        after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      } while (after);
      expect(sizes).toEqual([100, 51]);
      expect(new Set(all).size).toBe(151);
    });
  });
});

describe('fake GraphQL: authorization', () => {
  it('a Maintainer reads group runners but sees no maintenanceNote and may neither update nor delete', async () => {
    const data = await gqlData(
      fake,
      '{ g: group(fullPath: "acme/platform") { runners(membership: DIRECT) { nodes { id maintenanceNote userPermissions { readRunner updateRunner deleteRunner assignRunner } } } } }',
      undefined,
      TOKENS.maintainer,
    );
    expect(data.g.runners.nodes).toEqual([
      { id: 'gid://gitlab/Ci::Runner/3', maintenanceNote: null, userPermissions: { readRunner: true, updateRunner: false, deleteRunner: false, assignRunner: false } },
    ]);
    const owner = await gqlData(fake, '{ r: runner(id: "gid://gitlab/Ci::Runner/3") { maintenanceNote } }', undefined, TOKENS.owner);
    expect(owner.r.maintenanceNote).toBe('platform note');
  });

  it('below Maintainer, runners is null with GitLab\'s resource error, and other aliases still answer', async () => {
    const a = await gqlPost(
      fake,
      { query: '{ p: project(fullPath: "acme/platform/api") { fullPath runners { nodes { id } } } g: group(fullPath: "acme") { id } }' },
      { token: TOKENS.developer },
    );
    expect(a.status).toBe(200);
    expect(a.body.data).toEqual({ p: { fullPath: 'acme/platform/api', runners: null }, g: { id: 'gid://gitlab/Group/10' } });
    expect(a.body.errors).toEqual([expect.objectContaining({ message: RESOURCE_ERROR, path: ['p', 'runners'] })]);
    // sub-owner sees acme (it owns a group below) but has no role on it
    const sub = await gqlPost(fake, { query: '{ g: group(fullPath: "acme") { runners { nodes { id } } } }' }, { token: TOKENS.subOwner });
    expect(sub.body).toMatchObject({ data: { g: { runners: null } }, errors: [{ message: RESOURCE_ERROR, path: ['g', 'runners'] }] });
  });

  it('drops runners the caller may not read, and hides what it may not see', async () => {
    const data = await gqlData(
      fake,
      '{ g: group(fullPath: "acme/platform") { runners(membership: ALL_AVAILABLE) { count nodes { id } } } r: runner(id: "gid://gitlab/Ci::Runner/7") { ownerProject { id } projects { nodes { fullPath } } projectCount } }',
      undefined,
      TOKENS.subOwner,
    );
    expect([data.g.runners.count, idsOf(data.g.runners.nodes)]).toEqual([6, [7, 6, 4, 3, 2, 1]]); // acme's runner 2 readable: a project below acme takes group runners
    expect(data.r).toEqual({ ownerProject: null, projects: { nodes: [{ fullPath: 'acme/platform/api' }] }, projectCount: 2 });
    const outsider = await gqlData(fake, '{ g: group(fullPath: "acme") { id } r: runner(id: "gid://gitlab/Ci::Runner/6") { id } }', undefined, TOKENS.outsider);
    expect(outsider).toEqual({ g: null, r: null });
  });

  it('Query.runners is for administrators; others get the resource error', async () => {
    const user = await gqlPost(fake, { query: '{ runners { nodes { id } } }' });
    expect(user.body).toMatchObject({ data: { runners: null }, errors: [{ message: RESOURCE_ERROR, path: ['runners'] }] });
    const admin = await gqlData(fake, '{ runners(type: INSTANCE_TYPE) { nodes { id } } all: runners { count } }', undefined, TOKENS.admin);
    expect([idsOf(admin.runners.nodes), admin.all.count]).toEqual([[1], 7]);
  });
});

describe('fake GraphQL: userPermissions follow the REST rules', () => {
  let own: FakeGitLab | undefined;
  afterEach(async () => {
    await own?.close();
    own = undefined;
  });

  const everyRunner = Array.from({ length: 7 }, (_, i) => `r${i + 1}: runner(id: "gid://gitlab/Ci::Runner/${i + 1}") { userPermissions { readRunner updateRunner deleteRunner } }`).join(' ');

  it.each(['owner', 'subOwner', 'maintainer', 'developer', 'admin'] as const)('%s: read = GET, update = PUT, delete = DELETE', async (who) => {
    own = await startFakeGitLab(baseSeed());
    const token = TOKENS[who];
    const data = await gqlData(own, `{ ${everyRunner} }`, undefined, token);
    for (let id = 1; id <= 7; id++) {
      const perms = data[`r${id}`]?.userPermissions ?? { readRunner: false, updateRunner: false, deleteRunner: false };
      const get = await call(own, 'GET', `/runners/${id}`, { token });
      expect([id, perms.readRunner]).toEqual([id, get.status === 200]);
      const put = await call(own, 'PUT', `/runners/${id}`, { token, json: { description: get.status === 200 ? get.body.description : 'x' } });
      expect([id, perms.updateRunner]).toEqual([id, put.status === 200]);
      const del = await call(own, 'DELETE', `/runners/${id}`, { token });
      expect([id, perms.deleteRunner]).toEqual([id, del.status === 204]);
    }
  });

  it('a runner enabled in two projects cannot be deleted by its owner project\'s maintainers', async () => {
    const data = await gqlData(fake, '{ r: runner(id: "gid://gitlab/Ci::Runner/7") { userPermissions { updateRunner deleteRunner } } }', undefined, TOKENS.owner);
    expect(data.r.userPermissions).toEqual({ updateRunner: true, deleteRunner: false });
    const del = await call(fake, 'DELETE', '/runners/7', { token: TOKENS.owner });
    expect(del.body).toEqual({ message: '403 Forbidden - Runner associated with more than one project' });
  });
});
