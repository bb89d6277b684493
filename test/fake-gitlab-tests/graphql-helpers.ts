// POST /api/graphql against a running fake (real HTTP to 127.0.0.1), for the GraphQL tests.
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { TOKENS } from './helpers.js';

export interface GqlAnswer {
  status: number;
  body: any; // JSON answer, shape checked by each test
}

export async function gqlPost(
  fake: FakeGitLab,
  payload: unknown,
  opts: { token?: string | null; header?: 'bearer' | 'private-token'; rawBody?: string } = {},
): Promise<GqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? TOKENS.owner : opts.token;
  if (token !== null) {
    if (opts.header === 'private-token') headers['PRIVATE-TOKEN'] = token;
    else headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(`${fake.url}/api/graphql`, { method: 'POST', headers, body: opts.rawBody ?? JSON.stringify(payload) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown };
}

/** A query with variables that must succeed: its `data`. */
export async function gqlData(fake: FakeGitLab, query: string, variables?: Record<string, unknown>, token?: string): Promise<any> {
  const a = await gqlPost(fake, { query, variables }, { token });
  if (a.status !== 200 || a.body.errors) throw new Error(`GraphQL answer ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body.data;
}

/** The complexity the fake logged for its last request. */
export function lastComplexity(fake: FakeGitLab): number | null | undefined {
  return fake.requests[fake.requests.length - 1]?.graphql?.complexity;
}

export const runnerGid = (id: number) => `gid://gitlab/Ci::Runner/${id}`;
export const idsOf = (nodes: { id: string }[]) => nodes.map((n) => Number(n.id.slice(n.id.lastIndexOf('/') + 1)));

/** The 12 scalar fields of the shared doc's worked example. */
export const TWELVE_FIELDS = 'id description paused locked runUntagged tagList accessLevel maximumTimeout runnerType status contactedAt createdAt';

/** One alias of the shared doc's worked example: 35 points. */
export const costlyAlias = (alias: string, path: string) =>
  `${alias}: group(fullPath: ${JSON.stringify(path)}) { runners(membership: DIRECT, type: GROUP_TYPE, first: 100) ` +
  `{ pageInfo { hasNextPage endCursor } nodes { ${TWELVE_FIELDS} } } }`;
