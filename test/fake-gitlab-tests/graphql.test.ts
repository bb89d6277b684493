// POST /api/graphql of the fake: runnerform's ownerProject query (src/gitlab/graphql.ts),
// evaluated with GitLab's token rules and permissions (real HTTP to 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_OWNER_QUERY as KNOWN_QUERY } from '../../src/gitlab/graphql.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

interface GqlAnswer {
  status: number;
  body: any; // JSON answer, shape checked by each test
}

async function gql(
  body: unknown,
  opts: { token?: string | null; bearer?: boolean; method?: string; rawBody?: string } = {},
): Promise<GqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? TOKENS.admin : opts.token;
  if (token !== null) {
    if (opts.bearer === false) headers['PRIVATE-TOKEN'] = token;
    else headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(`${fake.url}/api/graphql`, {
    method: opts.method ?? 'POST',
    headers,
    body: opts.method === 'GET' ? undefined : (opts.rawBody ?? JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown };
}

const ownerOf = (id: number | string, opts: Parameters<typeof gql>[1] = {}) =>
  gql({ query: KNOWN_QUERY, variables: { id: typeof id === 'number' ? `gid://gitlab/Ci::Runner/${id}` : id } }, opts);

describe('fake GraphQL: runner ownerProject', () => {
  it('names the owner project of a project runner (first assigned project)', async () => {
    const a = await ownerOf(7, { token: TOKENS.owner });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      data: { runner: { id: 'gid://gitlab/Ci::Runner/7', ownerProject: { id: 'gid://gitlab/Project/101', fullPath: 'acme/data/etl' } } },
    });
  });

  it('ownerProject is null when the caller cannot read the owner project, though the runner is readable', async () => {
    // sub-owner owns acme/platform (so maintains acme/platform/api, where runner 7 is enabled), not acme/data/etl.
    const a = await ownerOf(7, { token: TOKENS.subOwner });
    expect(a.body).toEqual({ data: { runner: { id: 'gid://gitlab/Ci::Runner/7', ownerProject: null } } });
    const own = await ownerOf(6, { token: TOKENS.subOwner });
    expect(own.body.data.runner.ownerProject).toEqual({ id: 'gid://gitlab/Project/100', fullPath: 'acme/platform/api' });
  });

  it('runner is null when the caller may not read it, it does not exist, or nobody signed in', async () => {
    expect((await ownerOf(7, { token: TOKENS.developer })).body).toEqual({ data: { runner: null } });
    expect((await ownerOf(9999, { token: TOKENS.admin })).body).toEqual({ data: { runner: null } });
    const anonymous = await ownerOf(6, { token: null });
    expect([anonymous.status, anonymous.body]).toEqual([200, { data: { runner: null } }]);
  });

  it('group and instance runners have no owner project', async () => {
    expect((await ownerOf(3)).body.data.runner).toEqual({ id: 'gid://gitlab/Ci::Runner/3', ownerProject: null });
    expect((await ownerOf(1)).body.data.runner).toEqual({ id: 'gid://gitlab/Ci::Runner/1', ownerProject: null });
  });

  it('accepts the token as Bearer or PRIVATE-TOKEN, and read_api is enough', async () => {
    const viaHeader = await ownerOf(7, { token: TOKENS.owner, bearer: false });
    expect(viaHeader.body.data.runner.ownerProject.fullPath).toBe('acme/data/etl');
    const readApi = await ownerOf(7, { token: TOKENS.readApi });
    expect(readApi.body.data.runner.ownerProject.fullPath).toBe('acme/data/etl');
  });

  it.each([
    ['unknown', 'glpat-nope-nope-nope'],
    ['expired', TOKENS.expired],
    ['revoked', TOKENS.revoked],
    ['create_runner only', TOKENS.createRunner],
    ['manage_runner only', TOKENS.manageRunner],
  ])('answers 401 Invalid token for a %s token', async (_why, token) => {
    const a = await ownerOf(7, { token });
    expect(a).toEqual({ status: 401, body: { errors: [{ message: 'Invalid token' }] } });
  });

  it('answers query problems 200 with errors and no data', async () => {
    const badId = await ownerOf('gid://gitlab/Project/7');
    expect(badId.status).toBe(200);
    expect(badId.body).not.toHaveProperty('data');
    expect(badId.body.errors).toEqual([
      expect.objectContaining({
        message: 'Variable $id of type CiRunnerID! was provided invalid value',
        extensions: {
          value: 'gid://gitlab/Project/7',
          problems: [{ path: [], explanation: '"gid://gitlab/Project/7" does not represent an instance of Ci::Runner' }],
        },
      }),
    ]);
    const notGid = await ownerOf('7');
    expect(notGid.body.errors[0].extensions.problems[0].explanation).toBe('"7" is not a valid Global ID');
    expect((await gql({ query: KNOWN_QUERY })).body.errors[0].message).toMatch(/invalid value/);
    expect((await gql({})).body).toEqual({ errors: [{ message: 'No query string was present' }] });
    const other = await gql({ query: '{ currentUser { name } }' }, { token: TOKENS.owner });
    expect([other.status, other.body]).toEqual([200, { data: { currentUser: { name: 'Owner' } } }]);
  });

  it('takes variables as a JSON string too, and ignores whitespace in the query', async () => {
    const a = await gql({ query: KNOWN_QUERY.replace(/ /g, '\n  '), variables: JSON.stringify({ id: 'gid://gitlab/Ci::Runner/7' }) });
    expect(a.body.data.runner.ownerProject.id).toBe('gid://gitlab/Project/101');
    const broken = await gql(undefined, { rawBody: '{"query":' });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].message).toMatch(/Invalid JSON/);
  });

  it('records GraphQL requests like the others', async () => {
    fake.resetStats();
    await ownerOf(6, { token: TOKENS.owner });
    expect(fake.requests.map((r) => ({ method: r.method, path: r.path, status: r.status, body: r.body }))).toEqual([
      { method: 'POST', path: '/api/graphql', status: 200, body: { query: KNOWN_QUERY, variables: { id: 'gid://gitlab/Ci::Runner/6' } } },
    ]);
  });

  it('only POST is served', async () => {
    const a = await gql(undefined, { method: 'GET' });
    expect(a.status).toBe(404);
  });
});
