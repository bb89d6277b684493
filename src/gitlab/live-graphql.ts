// Reads the live state through GitLab's GraphQL API in a handful of requests.
// A fleet whose scopes fit one request is read in one round trip: each group
// named by path is a `group(fullPath:) { runners }` alias beside the other
// scopes' fields. A larger one is read in three phases, since an alias per group
// costs far more of GitLab's complexity budget than one `groups(ids:)` field
// for 50 groups (and GitLab's `groups` takes no paths): (1) group paths are
// resolved with `group(fullPath:)` aliases; (2) every scope's first page of runners comes from `groups(ids:)`,
// `projects(fullPaths:)`, `projects(ids:)` and `runners(type: INSTANCE_TYPE)`,
// packed into as few requests as GitLab's limits allow (live-graphql-send.ts),
// and scopes with more than 100 runners are paged with their cursors; (3) the
// answers become exactly the LiveState the REST reader (live.ts) builds for the
// same scopes. Every scope problem (unknown, not listable) is reported at once.
import { createCursorGuard } from './pagination.js';
import type { LiveRunner, LiveScope, LiveState, Scope, ScopeRef } from '../model.js';
import type { GitLabApi } from './api.js';
import type { RawGraphQL } from './graphql-call.js';
import type { GitLabError } from './errors.js';
import { idFromGid } from './graphql.js';
import { PAGE_SIZE, runnersConnection, type Field, type RunnersKind } from './graphql-query.js';
import type { LiveProgress, ReadLiveOptions } from './live.js';
import { missingRole, notFound, runnersFailed } from './live-graphql-errors.js';
import { asConnection, ownershipOfNode, toLiveRunnerFromNode, type Connection } from './live-graphql-nodes.js';
import { healthFactsOfNode, healthNodeFields, type SchemaFields } from './health-fields.js';
import { createSender, halves, type Part, type PathError, type Sender, type SendOptions } from './live-graphql-send.js';
import { combinedProblems } from './read-problems.js';

export { GraphQLUnavailableError, OLDER_SCHEMA, packRequests, QUERY_TEXT_LIMIT, USER_COMPLEXITY_LIMIT } from './live-graphql-send.js';

/** Scopes per `groups(ids:)`/`projects(…)` field: large enough for few requests, small enough for GitLab's 30 s. */
export const DEFAULT_BATCH_SIZE = 50;
/** GitLab refuses more than 50 `projects(fullPaths:)`. */
const MAX_PROJECT_PATHS = 50;

export interface GraphQLReadOptions extends ReadLiveOptions, SendOptions {
  /** Scopes per list field (`--graphql-batch`); default DEFAULT_BATCH_SIZE, at most 100 (one page of groups). */
  batchSize?: number;
  /** Most pages one scope's runner list may take (default MAX_PAGES in pagination.ts). */
  maxPages?: number;
  /** Also read each runner's managers and creation method (health-fields.ts): true, or the fields this GitLab has. */
  health?: boolean | SchemaFields;
}

/** The extra runner-node fields of a health read (none otherwise). */
const healthExtra = (opts: GraphQLReadOptions): Field[] => (opts.health ? healthNodeFields(opts.health === true ? undefined : opts.health) : []);

/** What one declared scope has gathered so far. */
interface ScopeRead {
  index: number;
  ref: ScopeRef;
  scope?: Scope;
  kind: RunnersKind;
  /** Converted as each page arrives, so a big answer is garbage as soon as it is read. */
  runners: LiveRunner[];
  /** A problem was recorded for this scope: nothing more is asked about it. */
  failed: boolean;
}

/** The state of one read, shared by its phases. */
interface Session {
  reads: ScopeRead[];
  sender: Sender;
  progress: LiveProgress;
  report: () => void;
  problems: { index: number; error: GitLabError }[];
  /** Phase 1's answers: a group path as declared → the group. */
  groupByPath: Map<string, Scope>;
  guards: Map<ScopeRead, ReturnType<typeof createCursorGuard>>;
  opts: GraphQLReadOptions;
}

/**
 * Reads the live state of `refs` (in their order) through GraphQL. Throws
 * GraphQLUnavailableError when GitLab's GraphQL API cannot serve this read.
 */
export async function readLiveStateGraphQL(api: GitLabApi, graphql: RawGraphQL, refs: ScopeRef[], opts: GraphQLReadOptions = {}): Promise<LiveState> {
  const s = startSession(graphql, refs, opts);
  if (!(await readInOneRoundTrip(s))) {
    await resolveGroupPaths(s);
    await readRunners(s);
  }
  return assemble(s, api.gitlabUrl);
}

/** Reads every scope's first page in one request when they fit one; false (nothing sent) when not. */
async function readInOneRoundTrip(s: Session): Promise<boolean> {
  const paths = [...new Set(s.reads.filter((r) => r.kind === 'group' && r.ref.path !== undefined).map((r) => r.ref.path!))];
  const parts = [...paths.map((path) => groupByPathPart(s, path)), ...firstPageParts(s, s.reads.filter((r) => r.ref.path === undefined || r.kind !== 'group'))];
  if (!s.sender.fitsOne(parts)) return false;
  await s.sender.run(parts);
  return true;
}

/** A group named by path and its first page of runners: group(fullPath:) { id fullPath runners }. */
function groupByPathPart(s: Session, path: string): Part {
  const readsOf = () => s.reads.filter((r) => r.kind === 'group' && r.ref.path === path);
  return {
    what: `group ${path}`,
    field: (alias) => ({
      alias, name: 'group', args: { fullPath: `$${alias}` }, resolver: { cost: 1 },
      children: [{ name: 'id' }, { name: 'fullPath' }, runnersConnection('group', undefined, healthExtra(s.opts))],
    }),
    variables: (alias) => ({ [alias]: { type: 'ID!', value: path } }),
    split: () => null,
    take: (value, errors) => {
      if (value === null || value === undefined) {
        const error = notFound(`group ${path}`, 'group(fullPath:) is null');
        for (const read of readsOf()) fail(s, read, error);
        return;
      }
      const g = value as { id: string; fullPath: string; runners: unknown };
      const id = idFromGid(g.id, 'Group');
      if (id === null) throw new Error(`GitLab's GraphQL API answered group id "${g.id}" for ${path}`);
      for (const read of readsOf()) {
        read.scope = { type: 'group', id, path: g.fullPath };
        takeRunners(s, read, g.runners, errors.filter((e) => e.path[1] === 'runners'));
      }
    },
  };
}

function startSession(graphql: RawGraphQL, refs: ScopeRef[], opts: GraphQLReadOptions): Session {
  const progress: LiveProgress = { scopesDone: 0, scopesTotal: refs.length, runnersDone: 0, runnersTotal: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  report();
  return {
    reads: refs.map((ref, index) => ({
      index, ref, kind: ref.type, runners: [], failed: false,
      ...(ref.type === 'instance' ? { scope: { type: 'instance', id: null, path: null } } : {}),
    })),
    sender: createSender(graphql, opts),
    progress,
    report,
    problems: [],
    groupByPath: new Map(),
    guards: new Map(),
    opts,
  };
}

function scopeName(read: ScopeRead): string {
  if (read.kind === 'instance') return 'the instance';
  return `${read.kind} ${read.scope?.path ?? read.ref.path ?? read.ref.id}`;
}

/** The scope's name in errors: its path, or its id as declared. */
const nameOf = (read: ScopeRead): string | undefined => (read.kind === 'instance' ? undefined : (read.scope?.path ?? String(read.ref.path ?? read.ref.id)));

/** Records a problem of one scope; the read goes on for the others. */
function fail(s: Session, read: ScopeRead, error: GitLabError): void {
  if (read.failed) return;
  read.failed = true;
  s.problems.push({ index: read.index, error });
}

// ---------------------------------------------------------------- phase 1: group paths → ids

async function resolveGroupPaths(s: Session): Promise<void> {
  const paths = [...new Set(s.reads.filter((r) => r.kind === 'group' && r.ref.path !== undefined).map((r) => r.ref.path!))];
  await s.sender.run(paths.map((path) => resolvePart(s, path)));
}

function resolvePart(s: Session, path: string): Part {
  return {
    what: `group ${path}`,
    field: (alias) => ({ alias, name: 'group', args: { fullPath: `$${alias}` }, resolver: { cost: 1 }, children: [{ name: 'id' }, { name: 'fullPath' }] }),
    variables: (alias) => ({ [alias]: { type: 'ID!', value: path } }),
    split: () => null,
    take: (value) => {
      if (value === null || value === undefined) {
        const error = notFound(`group ${path}`, 'group(fullPath:) is null');
        for (const read of s.reads.filter((r) => r.kind === 'group' && r.ref.path === path)) fail(s, read, error);
        return;
      }
      const g = value as { id: string; fullPath: string };
      const id = idFromGid(g.id, 'Group');
      if (id === null) throw new Error(`GitLab's GraphQL API answered group id "${g.id}" for ${path}`);
      s.groupByPath.set(path, { type: 'group', id, path: g.fullPath });
    },
  };
}

// ---------------------------------------------------------------- phase 2: every scope's runners

async function readRunners(s: Session): Promise<void> {
  await s.sender.run(firstPageParts(s, s.reads.filter((r) => !r.failed)));
}

/** The fields that read the first page of `reads`: groups by id (paths resolved in phase 1), projects by path and by id, the instance. */
function firstPageParts(s: Session, live: ScopeRead[]): Part[] {
  const batchSize = Math.max(1, Math.min(PAGE_SIZE, s.opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const groupIds = uniq(live.filter((r) => r.kind === 'group').map((r) => groupIdOf(s, r)).filter((id): id is number => id !== undefined));
  const projectPaths = uniq(live.filter((r) => r.kind === 'project' && r.ref.path !== undefined).map((r) => r.ref.path!));
  const projectIds = uniq(live.filter((r) => r.kind === 'project' && r.ref.id !== undefined).map((r) => r.ref.id!));
  const chunk = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  return [
    ...chunk(groupIds, batchSize).map((ids) => listPart(s, 'groupIds', ids)),
    ...chunk(projectPaths, Math.min(batchSize, MAX_PROJECT_PATHS)).map((ps) => listPart(s, 'projectPaths', ps)),
    ...chunk(projectIds, Math.min(batchSize, MAX_PROJECT_PATHS)).map((ids) => listPart(s, 'projectIds', ids)),
    ...(live.some((r) => r.kind === 'instance') ? [instancePart(s)] : []),
  ];
}

/** A group named by path is asked for by the id phase 1 resolved (undefined before). */
function groupIdOf(s: Session, r: ScopeRead): number | undefined {
  return r.ref.id ?? s.groupByPath.get(r.ref.path!)?.id ?? undefined;
}

type ListKind = 'groupIds' | 'projectPaths' | 'projectIds';

function listPart(s: Session, kind: ListKind, keys: (string | number)[]): Part {
  const isGroup = kind === 'groupIds';
  const byKey = (key: string | number) =>
    s.reads.filter((r) =>
      !r.failed && (kind === 'groupIds' ? r.kind === 'group' && groupIdOf(s, r) === key : kind === 'projectPaths' ? r.kind === 'project' && r.ref.path === key : r.kind === 'project' && r.ref.id === key),
    );
  return {
    what: `${keys.length} ${isGroup ? 'group' : 'project'}${keys.length === 1 ? '' : 's'}`,
    field: (alias) => ({
      alias,
      name: isGroup ? 'groups' : 'projects',
      args: { [kind === 'projectPaths' ? 'fullPaths' : 'ids']: `$${alias}`, first: keys.length },
      // Query.groups has `sort` with a default (+1); Query.projects is counted the same way to stay on the safe side.
      resolver: { cost: 2, first: keys.length },
      children: [{ name: 'nodes', children: [{ name: 'id' }, { name: 'fullPath' }, runnersConnection(isGroup ? 'group' : 'project', undefined, healthExtra(s.opts))] }],
    }),
    variables: (alias) => ({
      [alias]: {
        type: kind === 'projectPaths' ? '[String!]!' : '[ID!]!',
        value: keys.map((k) => (kind === 'projectPaths' ? k : `gid://gitlab/${isGroup ? 'Group' : 'Project'}/${k}`)),
      },
    }),
    split: () => halves(keys)?.map((h) => listPart(s, kind, h)) ?? null,
    take: (value, errors) => {
      const nodes = ((value as { nodes?: unknown[] } | null)?.nodes ?? []) as ({ id: string; fullPath: string; runners: unknown } | null)[];
      const seen = new Set<string | number>();
      nodes.forEach((n, i) => {
        if (n === null) return;
        const id = idFromGid(n.id, isGroup ? 'Group' : 'Project');
        if (id === null) throw new Error(`GitLab's GraphQL API answered ${isGroup ? 'group' : 'project'} id "${n.id}"`);
        const key = kind === 'groupIds' || kind === 'projectIds' ? id : keys.find((k) => typeof k === 'string' && k.toLowerCase() === n.fullPath.toLowerCase());
        if (key === undefined) return;
        seen.add(key);
        for (const read of byKey(key)) {
          read.scope = { type: isGroup ? 'group' : 'project', id, path: n.fullPath };
          takeRunners(s, read, n.runners, errors.filter((e) => e.path[1] === 'nodes' && e.path[2] === i));
        }
      });
      for (const key of keys.filter((k) => !seen.has(k))) {
        const reads = byKey(key);
        const what = isGroup ? 'group' : 'project';
        const error = notFound(`${what} ${reads[0]?.ref.path ?? reads[0]?.ref.id ?? key}`, `no ${what} ${key} in the answer`);
        for (const read of reads) fail(s, read, error);
      }
    },
  };
}

function instancePart(s: Session): Part {
  return {
    what: 'instance runners',
    field: (alias) => ({ ...runnersConnection('instance', undefined, healthExtra(s.opts)), alias }),
    variables: () => ({}),
    split: () => null,
    take: (value, errors) => {
      for (const read of s.reads.filter((r) => r.kind === 'instance')) takeRunners(s, read, value, errors);
    },
  };
}

/** The follow-up page of one scope: group(fullPath:)/project(fullPath:) { runners(after:) } or runners(after:). */
function pagePart(s: Session, read: ScopeRead, cursor: string): Part {
  return {
    what: `next page of ${scopeName(read)}`,
    field: (alias): Field => {
      const conn = runnersConnection(read.kind, `${alias}c`, healthExtra(s.opts));
      if (read.kind === 'instance') return { ...conn, alias };
      return { alias, name: read.kind, args: { fullPath: `$${alias}` }, resolver: { cost: 1 }, children: [conn] };
    },
    variables: (alias) => ({
      ...(read.kind === 'instance' ? {} : { [alias]: { type: 'ID!', value: read.scope!.path } }),
      [`${alias}c`]: { type: 'String', value: cursor },
    }),
    split: () => null,
    take: (value, errors) => {
      if (read.kind === 'instance') return takeRunners(s, read, value, errors);
      if (value === null) return fail(s, read, notFound(`${read.kind} ${read.scope!.path}`, `${read.kind}(fullPath:) is null`));
      takeRunners(s, read, (value as { runners: unknown }).runners, errors.filter((e) => e.path[1] === 'runners'));
    },
  };
}

const RESOURCE_ERROR = /does not exist or you don't have permission/i;

/** Takes a scope's `runners` answer, or records why there is none the way the REST reader would say it. */
function takeRunners(s: Session, read: ScopeRead, value: unknown, errors: PathError[]): void {
  const conn = asConnection(value);
  if (conn !== null) return addPage(s, read, conn);
  // Only GitLab's resource error means a missing role; any other error is said as GitLab said it.
  const denied = errors.find((x) => RESOURCE_ERROR.test(x.message));
  if (denied || errors.length === 0) return fail(s, read, missingRole(read.kind, nameOf(read), denied?.message ?? 'runners: null'));
  fail(s, read, runnersFailed(read.kind, nameOf(read), errors.map((e) => e.message).join('; ')));
}

function addPage(s: Session, read: ScopeRead, conn: Connection): void {
  for (const node of conn.nodes) {
    // Nodes the token may not read are dropped by GitLab (null in some versions).
    if (node === null) continue;
    const runner = toLiveRunnerFromNode(node, ownershipOfNode(read.kind, read.scope?.id, node), read.kind);
    if (s.opts.health) runner.health = healthFactsOfNode(node as Parameters<typeof healthFactsOfNode>[0]);
    read.runners.push(runner);
  }
  s.progress.runnersTotal += conn.nodes.length;
  s.progress.runnersDone += conn.nodes.length;
  if (conn.pageInfo.hasNextPage && conn.pageInfo.endCursor) {
    // A cursor that repeats, or pages without end, fail the read (pagination.ts).
    let guard = s.guards.get(read);
    if (!guard) s.guards.set(read, (guard = createCursorGuard(`the runners of ${scopeName(read)}`, s.opts.maxPages)));
    guard.check(conn.pageInfo.endCursor);
    s.sender.later(pagePart(s, read, conn.pageInfo.endCursor));
  } else {
    s.progress.scopesDone++;
  }
  s.report();
}

// ---------------------------------------------------------------- phase 3: the live state

function assemble(s: Session, gitlabUrl: string): LiveState {
  if (s.problems.length > 0) throw combinedProblems([...new Set([...s.problems].sort((a, b) => a.index - b.index).map((p) => p.error))]);
  const byId = (a: LiveRunner, b: LiveRunner) => a.id - b.id;
  const scopes: LiveScope[] = s.reads.map((read) => ({
    ref: read.ref,
    scope: read.scope!,
    owned: read.runners.filter((r) => r.ownership === 'owned').sort(byId),
    visible: read.runners.filter((r) => r.ownership !== 'owned').sort(byId),
  }));
  return { gitlabUrl, scopes };
}
