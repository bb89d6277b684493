// How the GraphQL reader sends its fields: root fields ("parts") packed into as
// few requests as GitLab's complexity and query-size limits allow, a request
// GitLab finds too big split in halves, and the next pages a round of answers
// found sent in the next round.
import type { RawGraphQL } from './graphql-call.js';
import { GitLabError, isGitLabError, type RequestContext } from './errors.js';
import { graphQLErrorMessages } from './graphql.js';
import { complexityOf, printQuery, type Field } from './graphql-query.js';

/** GitLab's limits for an authenticated user (an administrator gets 300; 250 is safe for both). */
export const USER_COMPLEXITY_LIMIT = 250;
export const QUERY_TEXT_LIMIT = 10_000;

/** Validation errors of a GitLab older than the schema runnerform reads. */
export const OLDER_SCHEMA = /doesn't exist on type|doesn't accept argument|isn't a defined input type|has an invalid value/;

/** GitLab has no usable GraphQL runner API (404, or an older schema): read through REST instead. */
export class GraphQLUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'GraphQLUnavailableError';
  }
}

/** An error GitLab attached to a field of the answer. */
export interface PathError {
  message: string;
  path: (string | number)[];
}

/** One root field of a request; `split` gives smaller halves when GitLab says the request is too much. */
export interface Part {
  what: string;
  field(alias: string): Field;
  variables(alias: string): Record<string, { type: string; value: unknown }>;
  split(): Part[] | null;
  take(value: unknown, errors: PathError[]): void;
}

export interface SendOptions {
  complexityLimit?: number;
  maxQueryChars?: number;
  /** Receives one line per request (for --debug): what it asks and its estimated complexity. */
  log?: (line: string) => void;
}

export interface Sender {
  /** Sends `parts`, then every part `later` queued while their answers were taken, until none is left. */
  run(parts: Part[]): Promise<void>;
  /** Queues a part (a next page) for the next round. */
  later(part: Part): void;
  /** True when `parts` fit one request. */
  fitsOne(parts: Part[]): boolean;
}

export function halves<T>(items: T[]): [T[], T[]] | null {
  if (items.length < 2) return null;
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}

const CONTEXT: RequestContext = { subject: 'the runners of the declared scopes', action: 'read the runners of the declared scopes' };

function graphQLFailure(message: string, status: number | null, kind: 'server' | 'other', said: string | null): GitLabError {
  return new GitLabError(message, {
    method: 'POST', path: '/api/graphql', status, context: CONTEXT, kind, gitlabMessage: said, fields: null, requiredScope: null, maybeApplied: false,
  });
}

export function createSender(graphql: RawGraphQL, opts: SendOptions): Sender {
  const budget = opts.complexityLimit ?? USER_COMPLEXITY_LIMIT;
  const maxChars = opts.maxQueryChars ?? QUERY_TEXT_LIMIT;
  const queued: Part[] = [];
  const pack = (parts: Part[]) => packRequests(parts, budget, maxChars);

  const run = async (parts: Part[]): Promise<void> => {
    await Promise.all(pack(parts).map(send));
    if (queued.length > 0) await run(queued.splice(0));
  };

  const retrySmaller = async (batch: Part[], why: string): Promise<void> => {
    const h = halves(batch);
    if (h) {
      opts.log?.(`graphql ${why}: splitting ${batch.length} fields into ${h[0].length} + ${h[1].length}`);
      await Promise.all(pack(h[0]).concat(pack(h[1])).map(send));
      return;
    }
    const [only] = batch;
    if (!only) return; // an empty batch asks nothing
    const smaller = only.split();
    if (!smaller) throw graphQLFailure(`GitLab's GraphQL API refused the smallest possible request (${only.what}): ${why}.`, null, 'server', why);
    opts.log?.(`graphql ${why}: splitting ${only.what}`);
    await Promise.all(pack(smaller).map(send));
  };

  /** Sends one request; splits it when GitLab says it is too complex, too large or took too long. */
  const send = async (batch: Part[]): Promise<void> => {
    const roots = batch.map((p, i) => p.field(`a${i}`));
    const vars: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    batch.forEach((p, i) => {
      for (const [name, v] of Object.entries(p.variables(`a${i}`))) {
        vars[name] = v.type;
        values[name] = v.value;
      }
    });
    const query = printQuery('RunnerformLiveState', vars, roots);
    const cost = roots.reduce((s, f) => s + complexityOf(f), 0);
    let answer;
    try {
      answer = await graphql(query, values, CONTEXT, `${batch.map((p) => p.what).join(', ')} (complexity ≈ ${cost}, ${query.length} chars)`);
    } catch (err) {
      if (isGitLabError(err) && err.status === 404) throw new GraphQLUnavailableError('GitLab answered 404 to /api/graphql');
      // A 503 other than GitLab's timeout was already retried like any 5xx: an outage, not a request too big.
      const timedOut = isGitLabError(err) && err.status === 503 && /^Request timed out/.test(err.gitlabMessage ?? '');
      if (isGitLabError(err) && (timedOut || err.status === 422)) return retrySmaller(batch, `${err.status} ${err.gitlabMessage ?? ''}`.trim());
      throw err;
    }
    const body = answer.body as { data?: Record<string, unknown> | null; errors?: PathError[] } | null;
    const messages = graphQLErrorMessages(body);
    const data = body?.data;
    if (data === undefined || data === null) {
      const tooComplex = messages.find((m) => /^Query has complexity of \d+, which exceeds max complexity of \d+/.test(m));
      if (tooComplex) return retrySmaller(batch, tooComplex);
      const older = messages.find((m) => OLDER_SCHEMA.test(m));
      if (older) throw new GraphQLUnavailableError(`this GitLab's GraphQL API lacks what runnerform reads (${older})`);
      const said = messages.join('; ') || null;
      throw graphQLFailure(`GitLab's GraphQL API did not ${CONTEXT.action} (POST /api/graphql → ${answer.status}: ${said ?? 'an answer without data'}).`, answer.status, 'other', said);
    }
    const errors = Array.isArray(body?.errors) ? body.errors.filter((e) => Array.isArray(e.path)) : [];
    batch.forEach((p, i) => p.take(data[`a${i}`] ?? null, errors.filter((e) => e.path[0] === `a${i}`)));
    // An error on no field of ours (none should happen with data present) is still an error.
    if (messages.length > 0 && errors.length === 0) {
      throw graphQLFailure(`GitLab's GraphQL API did not ${CONTEXT.action} (POST /api/graphql → ${messages.join('; ')}).`, answer.status, 'other', messages.join('; '));
    }
  };

  return { run, later: (part) => queued.push(part), fitsOne: (parts) => pack(parts).length <= 1 };
}

/** Packs root fields into requests under the complexity budget and the query-text limit, in order. */
export function packRequests(parts: Part[], budget: number, maxChars: number): Part[][] {
  const out: Part[][] = [];
  let cur: Part[] = [];
  let cost = 0;
  let chars = 0;
  for (const p of parts) {
    const alias = `a${cur.length}`;
    const f = p.field(alias);
    const c = complexityOf(f);
    // A rough text size: the field, its variable declarations, and the query's frame.
    const t = printQuery('Q', Object.fromEntries(Object.entries(p.variables(alias)).map(([k, v]) => [k, v.type])), [f]).length;
    if (cur.length > 0 && (cost + c > budget || chars + t > maxChars)) {
      out.push(cur);
      cur = [];
      cost = 0;
      chars = 0;
    }
    cur.push(p);
    cost += c;
    chars += t;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
