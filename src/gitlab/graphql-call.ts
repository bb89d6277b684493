// The GraphQL calls of the client: the raw one the live reader uses (partial
// answers and all), and one that reads a whole answer or fails.
import { graphQLErrorFrom, type RequestContext } from './errors.js';
import { graphQLErrorMessages, UnexpectedAnswerError } from './graphql.js';
import type { RawGraphQLAnswer, Transport } from './transport.js';

/**
 * POST /api/graphql without interpreting `errors` (the live reader needs partial
 * answers). A 503 "Request timed out" is not retried here: the caller splits the batch instead.
 */
export type RawGraphQL = (query: string, variables: Record<string, unknown>, context: RequestContext, note?: string) => Promise<RawGraphQLAnswer>;

export function rawGraphQL(t: Transport): RawGraphQL {
  return (query, variables, context, note) => {
    if (note) t.log?.(`graphql ${note}`);
    return t.postGraphQL({ query, variables }, context, true);
  };
}

/**
 * One query whose answer `read` turns into T. GraphQL answers 200 with `errors`
 * when the query itself fails: those, and answers without the data asked for, become a GitLabError.
 */
export async function graphQLQuery<T>(t: Transport, query: string, variables: Record<string, unknown>, context: RequestContext, read: (body: unknown) => T): Promise<T> {
  const answer = await t.postGraphQL({ query, variables }, context, false);
  const failed = (messages: string[]) => graphQLErrorFrom({ status: answer.status, messages, context, attempts: answer.attempts, redact: t.redact });
  const messages = graphQLErrorMessages(answer.body);
  if (messages.length > 0) throw failed(messages);
  try {
    return read(answer.body);
  } catch (err) {
    if (!(err instanceof UnexpectedAnswerError)) throw err;
    throw failed([err.message]);
  }
}
