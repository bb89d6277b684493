// The live read of `runnerform health`: the usual read with each runner's
// managers and creation method (GraphQL: the same handful of requests, asking
// only for the fields one introspection request says this GitLab has; REST:
// GET /runners/:id/managers per owned runner), plus one GraphQL request for
// GitLab's version (Query.metadata) and each declared group's stale-runner
// pruning (EE's Group.allowStaleRunnerPruning). What GitLab does not say stays
// null: unknown, never healthy.
import type { LiveState, ScopeRef } from '../model.js';
import type { GitLabApi } from './api.js';
import type { RawGraphQL } from './graphql-call.js';
import { graphQLErrorMessages } from './graphql.js';
import { isGitLabError } from './errors.js';
import { managerOfRest, SCHEMA_FIELDS_QUERY, schemaFieldsFrom, type ApiRunnerManager, type SchemaFields } from './health-fields.js';
import { readLive, type ReadOptions } from './read-live.js';

export interface FleetFacts {
  /** GitLab's version (Query.metadata.version); null: not said. */
  gitlab_version: string | null;
  /** Group id → stale runner pruning on; null: not said (GitLab CE, an older GitLab, or not readable). */
  pruning: Record<number, boolean | null>;
}

/** Groups per request: each `group(fullPath:)` costs 2, well under GitLab's 250. */
const GROUPS_PER_REQUEST = 100;

/** A client that can also list a runner's managers over REST (GitLabClient can). */
type ManagersApi = GitLabApi & { runnerManagers?: (id: number) => Promise<ApiRunnerManager[]> };

export async function readHealthLive(api: GitLabApi, refs: ScopeRef[], opts: ReadOptions = {}): Promise<{ live: LiveState; fleet: FleetFacts }> {
  const graphql = (api as { graphql?: RawGraphQL }).graphql;
  const fields = typeof graphql === 'function' && opts.settings?.api !== 'rest' ? await schemaFields(graphql) : null;
  const live = await readLive(api, refs, { ...opts, health: fields ?? true });
  await addRestManagers(api, live);
  const fleet = typeof graphql === 'function' ? await readFleet(graphql, live) : { gitlab_version: null, pruning: {} };
  return { live, fleet };
}

/** REST (`--api rest`, or the fallback) read no managers: ask GET /runners/:id/managers for each owned runner. */
async function addRestManagers(api: GitLabApi, live: LiveState): Promise<void> {
  const owned = live.scopes.flatMap((s) => s.owned).filter((r) => r.health === undefined);
  await Promise.all(
    owned.map(async (r) => {
      const list = (api as ManagersApi).runnerManagers;
      const managers = list ? (await list(r.id)).map(managerOfRest) : null;
      // REST never says how a runner was created.
      r.health = { managers, managers_truncated: false, creation_method: null };
    }),
  );
}

/** Which health fields this GitLab has (one introspection request); null when it will not say (then all are asked for). */
async function schemaFields(graphql: RawGraphQL): Promise<SchemaFields | null> {
  const context = { subject: "GitLab's runner fields", action: "read which runner fields GitLab's GraphQL API has" };
  try {
    const answer = await graphql(SCHEMA_FIELDS_QUERY, {}, context, 'CiRunner and CiRunnerManager fields');
    return schemaFieldsFrom((answer.body as { data?: unknown } | null)?.data ?? null);
  } catch (err) {
    // No GraphQL at all (404): the live read says so and falls back to REST.
    if (isGitLabError(err) && err.status === 404) return null;
    throw err;
  }
}

async function readFleet(graphql: RawGraphQL, live: LiveState): Promise<FleetFacts> {
  const groups = [...new Map(live.scopes.filter((s) => s.scope.type === 'group').map((s) => [s.scope.id!, s.scope.path!])).entries()];
  const pruning: Record<number, boolean | null> = Object.fromEntries(groups.map(([id]) => [id, null]));
  let version: string | null = null;
  const batches = groups.length === 0 ? [[]] : chunk(groups, GROUPS_PER_REQUEST);
  for (const batch of batches) {
    const answer = await ask(graphql, batch, true);
    // GitLab CE (or an older GitLab) has no allowStaleRunnerPruning: the whole query is refused; ask for the version alone.
    const data = answer ?? (await ask(graphql, [], false));
    version = typeof data?.metadata?.version === 'string' ? data.metadata.version : version;
    batch.forEach(([id], i) => {
      const v = answer?.[`g${i}`]?.allowStaleRunnerPruning;
      pruning[id] = typeof v === 'boolean' ? v : null;
    });
  }
  return { gitlab_version: version, pruning };
}

type FleetData = Record<string, { allowStaleRunnerPruning?: unknown; version?: unknown } | null | undefined> & { metadata?: { version?: unknown } | null };

async function ask(graphql: RawGraphQL, groups: [number, string][], withPruning: boolean): Promise<FleetData | null> {
  const vars = groups.map((_, i) => `$g${i}: ID!`);
  const fields = groups.map((_, i) => `g${i}: group(fullPath: $g${i}) { allowStaleRunnerPruning }`);
  const query = `query RunnerformFleet${vars.length > 0 ? `(${vars.join(', ')})` : ''} { metadata { version } ${withPruning ? fields.join(' ') : ''} }`;
  const variables = Object.fromEntries(groups.map(([, path], i) => [`g${i}`, path]));
  const context = { subject: "GitLab's version and stale runner pruning", action: "read GitLab's version and the groups' stale runner pruning" };
  const answer = await graphql(query, withPruning ? variables : {}, context, `metadata and ${withPruning ? groups.length : 0} groups' pruning`);
  const body = answer.body as { data?: FleetData | null } | null;
  // No data: the query was refused as a whole (a field this GitLab lacks); a hidden group is just null.
  if (!body?.data) {
    if (!withPruning) throw new Error(`GitLab's GraphQL API did not say its version: ${graphQLErrorMessages(body).join('; ') || 'no data'}`);
    return null;
  }
  return body.data;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
