// The fake's GraphQL limits against the numbers of ../shared/gitlab-runner-api.md §7:
// GitLab's complexity formula and limits (250 user, 300 administrator, 200 anonymous)
// with its exact messages, depth 20, the 10,000-character query limit (422),
// multiplexed array bodies, 401 `Invalid token`, and the request log that records
// query length and complexity (real HTTP to 127.0.0.1).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { costlyAlias, gqlData, gqlPost, lastComplexity, TWELVE_FIELDS } from './graphql-helpers.js';
import { baseSeed, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());
beforeEach(() => fake.resetStats());

const aliases = (n: number, path = 'acme') => `query { ${Array.from({ length: n }, (_, i) => costlyAlias(`g${i}`, path)).join(' ')} }`;

describe('fake GraphQL: complexity', () => {
  it('one group alias at first: 100 with 12 fields costs 35; 7 pass at 250, 8 fail with GitLab\'s message and no data', async () => {
    await gqlData(fake, aliases(1));
    expect(lastComplexity(fake)).toBe(35);
    const seven = await gqlData(fake, aliases(7));
    expect(Object.keys(seven)).toHaveLength(7);
    expect(lastComplexity(fake)).toBe(245);
    const eight = await gqlPost(fake, { query: aliases(8) });
    expect(eight).toEqual({ status: 200, body: { errors: [{ message: 'Query has complexity of 280, which exceeds max complexity of 250' }] } });
  });

  it('administrators may spend 300, anonymous callers 200', async () => {
    const eight = await gqlPost(fake, { query: aliases(8) }, { token: TOKENS.admin });
    expect(eight.status).toBe(200);
    expect(Object.keys(eight.body.data)).toHaveLength(8);
    const nine = await gqlPost(fake, { query: aliases(9) }, { token: TOKENS.admin });
    expect(nine.body).toEqual({ errors: [{ message: 'Query has complexity of 315, which exceeds max complexity of 300' }] });
    const anonymous = await gqlPost(fake, { query: aliases(6) }, { token: null });
    expect(anonymous.body).toEqual({ errors: [{ message: 'Query has complexity of 210, which exceeds max complexity of 200' }] });
  });

  it.each([
    ['a connection at first: 50 is multiplied by 1.5, truncated', '{ g: group(fullPath: "acme") { runners(membership: DIRECT, first: 50) { nodes { id } } } }', 5],
    ['search adds 5 before the multiplier', '{ g: group(fullPath: "acme") { runners(search: "x", first: 50) { nodes { id } } } }', 13],
    ['sort adds 1', '{ g: group(fullPath: "acme") { runners(sort: CREATED_ASC, first: 100) { nodes { id } } } }', 9],
    ['omitted first counts as 100', '{ g: group(fullPath: "acme") { runners { nodes { id } } } }', 7],
    ['first above 100 counts as 100', '{ g: group(fullPath: "acme") { runners(first: 500) { nodes { id } } } }', 7],
    ['first: 0 multiplies by 1', '{ g: group(fullPath: "acme") { runners(first: 0) { nodes { id } } } }', 4],
    ['a plain object adds 1 + its fields (userPermissions)', `{ g: group(fullPath: "acme") { runners(membership: DIRECT, type: GROUP_TYPE, first: 100) { pageInfo { hasNextPage endCursor } nodes { ${TWELVE_FIELDS} userPermissions { updateRunner deleteRunner } } } } }`, 41],
    ['Query.groups pays for its default sort; nested connections multiply once', `{ groups(ids: ["gid://gitlab/Group/10", "gid://gitlab/Group/11"], first: 100) { nodes { id fullPath runners(membership: DIRECT, type: GROUP_TYPE, first: 100) { pageInfo { hasNextPage endCursor } nodes { ${TWELVE_FIELDS} } } } } }`, 78],
    ['Query.projects with nested project runners', '{ projects(fullPaths: ["acme/platform/api"]) { nodes { id fullPath runners(type: PROJECT_TYPE, first: 100) { nodes { id ownerProject { id } } } } } }', 28],
    ['descendantGroups costs a constant 5', '{ g: group(fullPath: "acme") { descendantGroups { nodes { id } } } }', 8],
    ['each alias is costed on its own', '{ a: group(fullPath: "acme") { id } b: group(fullPath: "acme") { id } }', 4],
    ['a fragment does not make a field cheaper, nor count a field twice', '{ g: group(fullPath: "acme") { id ...F } } fragment F on Group { id fullPath }', 3],
    ['Query.runner is a resolver field', '{ runner(id: "gid://gitlab/Ci::Runner/1") { id } }', 2],
    ['CiRunner.projects pays for its default sort (id_asc)', '{ runner(id: "gid://gitlab/Ci::Runner/7") { projects { nodes { id } } } }', 9],
  ])('%s', async (_what, query, cost) => {
    const a = await gqlPost(fake, { query }, { token: TOKENS.admin });
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(lastComplexity(fake)).toBe(cost);
  });

  it('takes `first` from variables', async () => {
    await gqlData(fake, 'query($n: Int) { g: group(fullPath: "acme") { runners(first: $n) { nodes { id } } } }', { n: 10 });
    expect(lastComplexity(fake)).toBe(4); // (2 + 1) × 1.1 = 3.3 → 3, + 1
  });

  it('refuses a query deeper than 20', async () => {
    const query = `{ g: group(fullPath: "acme/platform/edge") { ${'parent { '.repeat(20)}id${' }'.repeat(20)} } }`;
    const a = await gqlPost(fake, { query });
    expect(a).toEqual({ status: 200, body: { errors: [{ message: 'Query has depth of 22, which exceeds max depth of 20' }] } });
  });
});

describe('fake GraphQL: query size, multiplex, tokens', () => {
  const padded = (length: number) => {
    const base = '{ g: group(fullPath: "acme") { id } }\n# ';
    return base + 'x'.repeat(length - base.length);
  };

  it('answers 422 Query too large above 10,000 characters; variables do not count', async () => {
    expect((await gqlPost(fake, { query: padded(10_000) })).status).toBe(200);
    const big = await gqlPost(fake, { query: padded(10_001) });
    expect(big).toEqual({ status: 422, body: { errors: [{ message: 'Query too large' }] } });
    const q = 'query($paths: [String!]) { projects(fullPaths: $paths) { nodes { fullPath } } }';
    const paths = Array.from({ length: 50 }, (_, i) => `acme/${'p'.repeat(300)}${i}`);
    expect((await gqlPost(fake, { query: q, variables: { paths } })).status).toBe(200);
    expect(fake.graphqlStats()).toMatchObject({ requests: 3, maxQueryLength: 10_001, overSizeLimit: 1 });
  });

  it('answers a multiplex with an array in the same order; the text limit is summed', async () => {
    const a = await gqlPost(fake, [
      { query: '{ g: group(fullPath: "acme") { id } }' },
      { query: 'query P($path: ID!) { p: project(fullPath: $path) { id fullPath } }', variables: { path: 'acme/platform/api' } },
      { query: '{ g: group(fullPath: "acme") { nope } }' },
    ]);
    expect(a.status).toBe(200);
    expect(a.body).toEqual([
      { data: { g: { id: 'gid://gitlab/Group/10' } } },
      { data: { p: { id: 'gid://gitlab/Project/100', fullPath: 'acme/platform/api' } } },
      { errors: [expect.objectContaining({ message: "Field 'nope' doesn't exist on type 'Group'" })] },
    ]);
    const tooLong = await gqlPost(fake, [{ query: padded(6000) }, { query: padded(6000) }]);
    expect(tooLong).toEqual({ status: 422, body: { errors: [{ message: 'Query too large' }] } });
  });

  it('applies the complexity limit to the sum of a multiplex: every entry fails', async () => {
    const a = await gqlPost(fake, [{ query: aliases(4) }, { query: aliases(4) }]);
    const failure = { errors: [{ message: 'Query has complexity of 280, which exceeds max complexity of 250' }] };
    expect(a).toEqual({ status: 200, body: [failure, failure] });
    expect(lastComplexity(fake)).toBe(280);
    expect(fake.graphqlStats()).toMatchObject({ maxComplexity: 280, overComplexityLimit: 1 });
  });

  it('answers 401 Invalid token for a bad token in either header; read_api is enough; no token is anonymous', async () => {
    const query = '{ g: group(fullPath: "acme") { id } }';
    const invalid = { status: 401, body: { errors: [{ message: 'Invalid token' }] } };
    expect(await gqlPost(fake, { query }, { token: 'glpat-not-valid-at-all' })).toEqual(invalid);
    expect(await gqlPost(fake, { query }, { token: 'glpat-not-valid-at-all', header: 'private-token' })).toEqual(invalid);
    expect(await gqlPost(fake, { query }, { token: TOKENS.createRunner })).toEqual(invalid);
    const viaPrivateToken = await gqlPost(fake, { query }, { token: TOKENS.readApi, header: 'private-token' });
    expect(viaPrivateToken.body).toEqual({ data: { g: { id: 'gid://gitlab/Group/10' } } });
    expect((await gqlPost(fake, { query }, { token: null })).body).toEqual({ data: { g: null } });
  });

  it('answers validation errors in graphql-ruby\'s words, with no data', async () => {
    const cases: [string, string][] = [
      ['{ g: group(fullPath: "acme") { runners { nodes { id nope } } } }', "Field 'nope' doesn't exist on type 'CiRunner'"],
      ['{ g: group(fullPath: "acme") { runners(owner: 1) { nodes { id } } } }', "Field 'runners' doesn't accept argument 'owner'"],
      ['{ g: group { id } }', "Field 'group' is missing required arguments: fullPath"],
      ['{ g: group(fullPath: "acme") { runners } }', "Field must have selections (field 'runners' returns CiRunnerConnection but has no selections. Did you mean 'runners { ... }'?)"],
    ];
    for (const [query, message] of cases) {
      const a = await gqlPost(fake, { query });
      expect(a.status).toBe(200);
      expect(a.body).not.toHaveProperty('data');
      expect(a.body.errors.map((e: { message: string }) => e.message)).toContain(message);
    }
    const badEnum = await gqlPost(fake, { query: '{ g: group(fullPath: "acme") { runners(membership: EVERYTHING) { nodes { id } } } }' });
    expect([badEnum.status, 'data' in badEnum.body, badEnum.body.errors.length]).toEqual([200, false, 1]);
  });

  it('can play a GitLab that times out on big requests: 503 with GitLab\'s message, smaller ones pass', async () => {
    fake.setGraphQLTimeoutAbove(100);
    try {
      const big = await gqlPost(fake, { query: aliases(3) }); // 105
      expect(big).toEqual({ status: 503, body: { errors: [{ message: 'Request timed out. Please try a less complex query or a smaller set of records.' }] } });
      expect((await gqlPost(fake, { query: aliases(2) })).status).toBe(200); // 70
    } finally {
      fake.setGraphQLTimeoutAbove(null);
    }
    expect((await gqlPost(fake, { query: aliases(3) })).status).toBe(200);
  });

  it('fault injection, latency and statistics apply to /api/graphql', async () => {
    fake.inject({ method: 'POST', path: '/api/graphql', times: 1, fault: { kind: 'status', status: 429, retryAfter: 3 } });
    const res = await fetch(`${fake.url}/api/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ g: group(fullPath: "acme") { id } }' }),
    });
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([429, '3', 'Retry later']);
    fake.setLatencyMs(150);
    const started = Date.now();
    await gqlData(fake, '{ g: group(fullPath: "acme") { id } }');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    fake.setLatencyMs(0);
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([
      ['/api/graphql', 429],
      ['/api/graphql', 200],
    ]);
    expect(fake.graphqlStats()).toEqual({ requests: 1, maxComplexity: 2, maxQueryLength: 37, overComplexityLimit: 0, overSizeLimit: 0 });
  });
});
