// Which reader reads the live state: GraphQL by default (a handful of
// requests), REST with `--api rest` or when GitLab's GraphQL API cannot serve
// the read (404 on /api/graphql, or an older schema) — then it says so once.
import type { LiveState, ScopeRef } from '../model.js';
import type { GitLabApi } from './api.js';
import type { RawGraphQL } from './graphql-call.js';
import { GitLabError, isGitLabError } from './errors.js';
import { readLiveState, type ReadLiveOptions } from './live.js';
import type { SchemaFields } from './health-fields.js';
import { GraphQLUnavailableError, OLDER_SCHEMA, readLiveStateGraphQL } from './live-graphql.js';

export const READ_APIS = ['graphql', 'rest'] as const;
export type ReadApi = (typeof READ_APIS)[number];

/** How a client reads the live state (`--api`, `--graphql-batch`). */
export interface ReadSettings {
  api: ReadApi;
  /** Scopes per GraphQL list field; undefined: the default. */
  batchSize?: number;
}

export interface ReadOptions extends ReadLiveOptions {
  settings?: ReadSettings;
  /** Receives the one line that says GraphQL could not be used. */
  notice?: (line: string) => void;
  /** --debug lines of the GraphQL reader. */
  log?: (line: string) => void;
  /** Also read each runner's managers and creation method (health-read.ts): true, or the fields this GitLab has. */
  health?: boolean | SchemaFields;
}

/** A client that can send raw GraphQL queries (GitLabClient can; other GitLabApi implementations read through REST). */
function graphqlOf(api: GitLabApi): RawGraphQL | undefined {
  const g = (api as { graphql?: unknown }).graphql;
  return typeof g === 'function' ? (g as RawGraphQL) : undefined;
}

export async function readLive(api: GitLabApi, refs: ScopeRef[], opts: ReadOptions = {}): Promise<LiveState> {
  const settings = opts.settings ?? { api: 'graphql' };
  const graphql = graphqlOf(api);
  if (settings.api === 'rest' || !graphql) return readLiveState(api, refs, opts);
  try {
    return await readLiveStateGraphQL(api, graphql, refs, { ...opts, batchSize: settings.batchSize });
  } catch (err) {
    if (!(err instanceof GraphQLUnavailableError)) throw err;
    opts.notice?.(`runnerform: ${err.message}; reading the runners through the REST API instead (--api rest).`);
    return readLiveState(api, refs, opts).catch((restErr: unknown) => {
      // Only GraphQL being gone again (404, an older schema); a 429 or 5xx there stays what it is.
      const sameCause = isGitLabError(restErr) && restErr.path === '/api/graphql' && (restErr.status === 404 || OLDER_SCHEMA.test(restErr.gitlabMessage ?? ''));
      throw sameCause ? ownerUnreadable(api.gitlabUrl, err.message, restErr) : restErr;
    });
  }
}

/**
 * The REST reader still asks GraphQL for each project runner's owner (REST
 * never names it). When GraphQL is what failed, say that, not "not a GitLab API".
 */
function ownerUnreadable(gitlabUrl: string, why: string, err: GitLabError): GitLabError {
  const said = /\(trying to [^)]*\)|\(POST \/api\/graphql[^)]*\)/.exec(err.message)?.[0] ?? `(POST /api/graphql → ${err.status ?? err.code ?? 'no answer'})`;
  return new GitLabError(
    `Cannot read the project runners of the GitLab at ${gitlabUrl}: ${why}, and only GitLab's GraphQL API names the project that owns a runner ` +
      `(REST lists the projects a runner is enabled in, not its owner) ${said}. Group and instance scopes read through REST alone.`,
    {
      method: err.method, path: err.path, status: err.status, code: err.code ?? undefined, attempts: err.attempts,
      context: { subject: 'the owner of a project runner', action: 'read the owner of a project runner' },
      kind: err.kind, gitlabMessage: err.gitlabMessage, fields: null, requiredScope: null, maybeApplied: false,
    },
  );
}
