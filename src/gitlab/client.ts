// The GitLab client the rest of runnerform uses: the REST endpoints and the
// GraphQL calls over one transport (see transport.ts for how it talks HTTP).
import type { GitLabApi } from './api.js';
import { graphQLQuery, rawGraphQL, type RawGraphQL } from './graphql-call.js';
import { ownerProjectFrom, RUNNER_OWNER_FACTS_QUERY, runnerGid } from './graphql.js';
import type { ReadSettings } from './read-live.js';
import type { ApiRunnerManager } from './health-fields.js';
import { restEndpoints } from './rest-endpoints.js';
import { runnerManagersEndpoint } from './rest-managers.js';
import { projectRunnerCalls } from './project-runner-calls.js';
import { createTransport, type TransportOptions } from './transport.js';

export { DEFAULT_PARALLELISM, DEFAULT_TIMEOUT_MS, type RawGraphQLAnswer } from './transport.js';
export type { RawGraphQL } from './graphql-call.js';

export interface ClientOptions extends TransportOptions {
  /** How the live state is read (--api, --graphql-batch); default GraphQL. */
  read?: ReadSettings;
}

/** GitLabApi plus counters that tests, --debug and the benchmark read. */
export interface GitLabClient extends GitLabApi {
  stats(): { requests: number; peakConcurrency: number };
  graphql: RawGraphQL;
  readonly readSettings: ReadSettings;
  /** The redacted --debug log, when on. */
  readonly log?: (line: string) => void;
  /** GET /runners/:id/managers (rest-managers.ts). */
  runnerManagers(id: number): Promise<ApiRunnerManager[]>;
}

export function createGitLabClient(opts: ClientOptions): GitLabClient {
  const t = createTransport(opts);
  return {
    ...restEndpoints(t),
    ...projectRunnerCalls((call) => t.request(call), (idOrPath) => encodeURIComponent(String(idOrPath))),
    gitlabUrl: t.gitlabUrl,
    stats: t.stats,
    graphql: rawGraphQL(t),
    readSettings: opts.read ?? { api: 'graphql' },
    log: t.log,
    runnerManagers: runnerManagersEndpoint(t),
    runnerOwnerProject: (id) =>
      graphQLQuery(t, RUNNER_OWNER_FACTS_QUERY, { id: runnerGid(id) }, { subject: `runner #${id}`, action: `read the owner project of runner #${id}` }, ownerProjectFrom),
  };
}
