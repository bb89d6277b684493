// POST /api/graphql of the fake GitLab: graphql-js's parser, validator and
// executor over the schema of schema.ts, inside GitLab's controller rules:
// - the token comes from PRIVATE-TOKEN or `Authorization: Bearer`; an unknown,
//   expired or revoked token, or one without `api`/`read_api`, is answered
//   401 {"errors":[{"message":"Invalid token"}]}; no token at all is an
//   anonymous request (which can see no private group, project or runner);
// - a JSON array body is a multiplex: an array of answers in the same order;
// - query text over 10,000 characters (summed over a multiplex) → 422 "Query too large";
// - complexity over 250 (administrators 300, anonymous 200; summed over a
//   multiplex, which then fails as a whole) or depth over 20 → 200 with
//   `errors` and no `data`; so do parse, validation and variable errors;
// - optionally (tests), a request costing more than a threshold answers
//   GitLab's 503 timeout, so a client's batch splitting can be exercised.
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { authenticate, hasScope, tokenFromHeaders } from '../access.js';
import type { Reply } from '../context.js';
import { parseBody } from '../http-io.js';
import type { FakeState, UserRec } from '../state.js';
import { complexityError, depthError, MAX_COMPLEXITY, MAX_DEPTH, queryCost } from './complexity.js';
import { rubyMessage } from './messages.js';
import { fakeSchema, type GqlContext } from './schema.js';

export const MAX_QUERY_SIZE = 10_000;

/** What the request log keeps of a GraphQL request (for benchmarks: largest complexity, longest query). */
export interface GraphQLRequestStats {
  /** Characters of query text, summed over a multiplex. */
  queryLength: number;
  /** GitLab's complexity, summed over a multiplex; null when no query got that far. */
  complexity: number | null;
  /** The complexity limit that applied to the caller. */
  maxComplexity: number;
}

export interface GraphQLOutcome {
  reply: Reply;
  stats: GraphQLRequestStats;
}

type Answer = Record<string, unknown>;
const errorsOnly = (...messages: string[]): Answer => ({ errors: messages.map((message) => ({ message })) });

/** `variables` may arrive as an object or as a JSON string (GitLab accepts both). */
function variablesOf(raw: unknown): Record<string, unknown> | null {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'string') {
    try {
      return variablesOf(JSON.parse(raw) as unknown);
    } catch {
      return null;
    }
  }
  return typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

/** graphql-ruby's shape: the message names the variable and its type, `problems` explain. */
function variableError(e: GraphQLError, operation: OperationDefinitionNode, raw: Record<string, unknown>): Answer {
  const name = /^Variable "\$(\w+)"/.exec(e.message)?.[1];
  const explanation = /^Variable "\$\w+" got invalid value .*?; (.*)$/s.exec(e.message)?.[1] ?? e.message;
  return {
    message: rubyMessage(e.message, operation),
    ...(e.locations ? { locations: e.locations } : {}),
    extensions: { value: name === undefined ? null : (raw[name] ?? null), problems: [{ path: e.path ?? [], explanation }] },
  };
}

/** A query ready to run, or the answer that ends it early. */
type Prepared =
  | {
      ok: true;
      document: DocumentNode;
      operation: OperationDefinitionNode;
      /** As sent: execute() coerces them itself. */
      rawVariables: Record<string, unknown>;
      complexity: number;
      depth: number;
    }
  | { ok: false; answer: Answer };

function prepare(entry: unknown): Prepared {
  const params = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
  const query = typeof params.query === 'string' ? params.query : '';
  if (query.trim() === '') return { ok: false, answer: errorsOnly('No query string was present') };
  const schema = fakeSchema();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (e) {
    return { ok: false, answer: { errors: [(e as GraphQLError).toJSON()] } };
  }
  const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;
  const operation = getOperationAST(document, operationName) ?? undefined;
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length) {
    return { ok: false, answer: { errors: invalid.map((e) => ({ ...e.toJSON(), message: rubyMessage(e.message, operation) })) } };
  }
  if (!operation) {
    return { ok: false, answer: errorsOnly(operationName ? `No operation named "${operationName}"` : 'An operation name is required') };
  }
  const rawVariables = variablesOf(params.variables);
  if (rawVariables === null) return { ok: false, answer: errorsOnly('Unexpected end of JSON input') };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return { ok: false, answer: { errors: coerced.errors.map((e) => variableError(e, operation, rawVariables)) } };
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  let cost;
  try {
    cost = queryCost(schema, operation, fragments, coerced.coerced);
  } catch (e) {
    return { ok: false, answer: errorsOnly(e instanceof Error ? e.message : String(e)) };
  }
  if (cost.depth > MAX_DEPTH) return { ok: false, answer: errorsOnly(depthError(cost.depth, MAX_DEPTH)) };
  return { ok: true, document, operation, rawVariables, complexity: cost.complexity, depth: cost.depth };
}

function run(p: Extract<Prepared, { ok: true }>, context: GqlContext): Answer {
  const result = execute({
    schema: fakeSchema(),
    document: p.document,
    operationName: p.operation.name?.value,
    variableValues: p.rawVariables,
    contextValue: context,
  });
  if ('then' in result) throw new Error('the fake GraphQL schema resolves synchronously');
  const answer: Answer = {};
  if (result.errors?.length) answer.errors = result.errors.map((e) => e.toJSON());
  if (result.data !== undefined) answer.data = result.data;
  return answer;
}

function maxComplexityFor(user: UserRec | null): number {
  if (user === null) return MAX_COMPLEXITY.anonymous;
  return user.admin ? MAX_COMPLEXITY.admin : MAX_COMPLEXITY.user;
}

/** GitLab's answer when a query runs past its 30 s GraphQL timeout (GraphqlController, 503). */
export const TIMEOUT_MESSAGE = 'Request timed out. Please try a less complex query or a smaller set of records.';

export interface GraphQLOptions {
  /** Simulated server timeout: a request costing more than this answers 503. */
  timeoutAbove?: number | null;
}

export function handleGraphQL(
  state: FakeState,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  opts: GraphQLOptions = {},
): GraphQLOutcome {
  const tokenValue = tokenFromHeaders(headers);
  let user: UserRec | null = null;
  const stats: GraphQLRequestStats = { queryLength: 0, complexity: null, maxComplexity: MAX_COMPLEXITY.anonymous };
  const done = (status: number, body: unknown): GraphQLOutcome => ({ reply: { status, body }, stats });
  if (tokenValue !== null) {
    const authn = authenticate(state, tokenValue);
    if (!authn.ok || !hasScope(authn.token, ['api', 'read_api'])) return done(401, errorsOnly('Invalid token'));
    user = authn.token.user;
  }
  stats.maxComplexity = maxComplexityFor(user);
  let body: unknown;
  try {
    body = parseBody(rawBody, typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined);
  } catch {
    return done(400, errorsOnly('Invalid JSON in the request body'));
  }
  const multiplex = Array.isArray(body);
  const entries: unknown[] = multiplex ? (body as unknown[]) : [body];
  const queryOf = (e: unknown) => (typeof e === 'object' && e !== null && typeof (e as { query?: unknown }).query === 'string' ? (e as { query: string }).query : '');
  stats.queryLength = entries.reduce<number>((n, e) => n + queryOf(e).length, 0);
  if (stats.queryLength > MAX_QUERY_SIZE) return done(422, errorsOnly('Query too large'));

  const prepared = entries.map(prepare);
  const costs = prepared.filter((p) => p.ok).map((p) => p.complexity);
  if (costs.length) stats.complexity = costs.reduce((a, b) => a + b, 0);
  let answers: Answer[];
  if (stats.complexity !== null && stats.complexity > stats.maxComplexity) {
    // The limit applies to the whole multiplex: every entry fails with the sum.
    const failure = errorsOnly(complexityError(stats.complexity, stats.maxComplexity));
    answers = prepared.map((p) => (p.ok ? failure : p.answer));
  } else if (stats.complexity !== null && opts.timeoutAbove != null && stats.complexity > opts.timeoutAbove) {
    return done(503, errorsOnly(TIMEOUT_MESSAGE));
  } else {
    const context: GqlContext = { state, user };
    answers = prepared.map((p) => (p.ok ? run(p, context) : p.answer));
  }
  return done(200, multiplex ? answers : answers[0]);
}
