// Reads the live state through GitLab's GraphQL API in a handful of requests:
// group paths are resolved with `group(fullPath:)` aliases, then every scope's
// first page of runners comes from `groups(ids:)`, `projects(fullPaths:)`,
// `projects(ids:)` and `runners(type: INSTANCE_TYPE)`, packed into as few
// requests as GitLab's complexity and query-size limits allow; scopes with more
// than 100 runners are paged with their cursors. It builds exactly the
// LiveState the REST reader (live.ts) builds for the same scopes.
import { createCursorGuard } from './pagination.js';
import { GITLAB_DEFAULT_ATTRS, type LiveRunner, type LiveScope, type LiveState, type Ownership, type RunnerStatus, type RunnerType, type Scope, type ScopeRef } from '../model.js';
import type { GitLabApi } from './api.js';
import type { RawGraphQL } from './client.js';
import { GitLabError, isGitLabError, runnerRole, type RequestContext } from './errors.js';
import { graphQLErrorMessages, idFromGid } from './graphql.js';
import { complexityOf, PAGE_SIZE, printQuery, runnersConnection, type Field, type RunnersKind } from './graphql-query.js';
import type { LiveProgress, ReadLiveOptions } from './live.js';
import { isoTime } from './live-time.js';
import { healthFactsOfNode, healthNodeFields, type SchemaFields } from './health-fields.js';

/** GitLab's limits for an authenticated user (an administrator gets 300; 250 is safe for both). */
export const USER_COMPLEXITY_LIMIT = 250;
export const QUERY_TEXT_LIMIT = 10_000;
/** Scopes per `groups(ids:)`/`projects(…)` field: large enough for few requests, small enough for GitLab's 30 s. */
export const DEFAULT_BATCH_SIZE = 50;
/** GitLab refuses more than 50 `projects(fullPaths:)`. */
const MAX_PROJECT_PATHS = 50;

export interface GraphQLReadOptions extends ReadLiveOptions {
  /** Scopes per list field (`--graphql-batch`); default DEFAULT_BATCH_SIZE, at most 100 (one page of groups). */
  batchSize?: number;
  complexityLimit?: number;
  maxQueryChars?: number;
  /** Receives one line per request (for --debug): what it asks and its estimated complexity. */
  log?: (line: string) => void;
  /** Most pages one scope's runner list may take (default MAX_PAGES in pagination.ts). */
  maxPages?: number;
  /** Also read each runner's managers and creation method (health-fields.ts): true, or the fields this GitLab has. */
  health?: boolean | SchemaFields;
}

/** GitLab has no usable GraphQL runner API (404, or an older schema): read through REST instead. */
export class GraphQLUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'GraphQLUnavailableError';
  }
}

// ------------------------------------------------------------------ answers

interface RunnerNode {
  id: string;
  description: string | null;
  paused: boolean;
  locked: boolean | null;
  runUntagged: boolean;
  tagList: string[] | null;
  accessLevel: string;
  maximumTimeout: number | null;
  maintenanceNote: string | null;
  runnerType: string;
  status: string;
  contactedAt: string | null;
  createdAt: string | null;
  tokenExpiresAt: string | null;
  userPermissions: { updateRunner: boolean; deleteRunner: boolean } | null;
  ownerProject?: { id: string } | null;
  projectCount?: number | null;
}

interface Connection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (RunnerNode | null)[];
}

interface PathError {
  message: string;
  path: (string | number)[];
}

const RESOURCE_ERROR = /does not exist or you don't have permission/i;
/** Validation errors of a GitLab older than the schema runnerform reads. */
export const OLDER_SCHEMA = /doesn't exist on type|doesn't accept argument|isn't a defined input type|has an invalid value/;

/** REST's deprecated `status`: a paused runner that has contacted GitLab reads `paused`. */
function restStatus(node: RunnerNode): RunnerStatus {
  const s = node.status.toLowerCase() as RunnerStatus;
  if (s === 'stale' || s === 'never_contacted') return s;
  return node.paused ? 'paused' : s;
}

/** The LiveRunner of a node, as the REST reader would build it from the runner's details. */
export function toLiveRunnerFromNode(node: RunnerNode, ownership: Ownership, health = false): LiveRunner {
  const id = idFromGid(node.id, 'Ci::Runner');
  if (id === null) throw new Error(`GitLab's GraphQL API answered a runner id "${node.id}" that is not a runner's global id`);
  const runner: LiveRunner = {
    id,
    description: node.description ?? '',
    runner_type: node.runnerType.toLowerCase() as RunnerType,
    attrs: {
      paused: node.paused,
      locked: node.locked ?? GITLAB_DEFAULT_ATTRS.locked,
      run_untagged: node.runUntagged,
      tag_list: [...(node.tagList ?? [])],
      access_level: node.accessLevel.toLowerCase() as LiveRunner['attrs']['access_level'],
      maximum_timeout: node.maximumTimeout ?? null,
      maintenance_note: node.maintenanceNote ?? null,
    },
    status: restStatus(node),
    contacted_at: isoTime(node.contactedAt),
    ownership,
    created_at: isoTime(node.createdAt),
    token_expires_at: isoTime(node.tokenExpiresAt),
  };
  if (health) runner.health = healthFactsOfNode(node as Parameters<typeof healthFactsOfNode>[0]);
  if (ownership === 'owned' && node.userPermissions) {
    runner.permissions = { update: node.userPermissions.updateRunner, delete: node.userPermissions.deleteRunner };
    if (runner.runner_type === 'project_type' && typeof node.projectCount === 'number') runner.project_count = node.projectCount;
  }
  return runner;
}

/** True when GitLab hid the note (the token may not update the runner), not when there is none. */
export function noteHidden(node: RunnerNode): boolean {
  return node.maintenanceNote === null && node.userPermissions !== null && node.userPermissions.updateRunner === false;
}

// ------------------------------------------------------------------ the work

/** One root field of a request; `split` gives smaller halves when GitLab says the request is too much. */
interface Part {
  what: string;
  field(alias: string): Field;
  variables(alias: string): Record<string, { type: string; value: unknown }>;
  split(): Part[] | null;
  take(value: unknown, errors: PathError[]): void;
}

interface ScopeRead {
  index: number;
  ref: ScopeRef;
  scope?: Scope;
  kind: RunnersKind;
  /** Converted as each page arrives, so a big answer is garbage as soon as it is read. */
  runners: { runner: LiveRunner; hidden: boolean }[];
  done: boolean;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function halves<T>(items: T[]): [T[], T[]] | null {
  if (items.length < 2) return null;
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function scopeName(read: ScopeRead): string {
  const s = read.scope;
  if (read.kind === 'instance') return 'the instance';
  return `${read.kind} ${s?.path ?? read.ref.path ?? read.ref.id}`;
}

/** The REST reader's "not found or not visible" error for a scope GraphQL answered null for. */
function notFound(subject: string, said: string): GitLabError {
  return new GitLabError(`${capitalise(subject)} not found or not visible to this token (POST /api/graphql → ${said}).`, {
    method: 'POST',
    path: '/api/graphql',
    status: 200,
    context: { subject, action: `read ${subject}` },
    kind: 'not_found',
    gitlabMessage: null,
    fields: null,
    requiredScope: null,
    maybeApplied: false,
  });
}

/** The REST reader's missing-role error, from GraphQL's resource error on a `runners` field. */
function missingRole(read: ScopeRead, message: string): GitLabError {
  const name = read.kind === 'instance' ? undefined : (read.scope?.path ?? String(read.ref.path ?? read.ref.id));
  const action = read.kind === 'instance' ? 'list the instance runners' : `list the runners of ${read.kind} ${name}`;
  const role = runnerRole(read.kind === 'group' ? 'group_type' : read.kind === 'project' ? 'project_type' : 'instance_type', name);
  return new GitLabError(`Not allowed to ${action} (POST /api/graphql → ${message}): this needs the ${role}.`, {
    method: 'POST',
    path: '/api/graphql',
    status: 200,
    context: { subject: read.kind === 'instance' ? 'the instance runner list' : `${read.kind} ${name}`, action, role },
    kind: 'forbidden',
    gitlabMessage: message,
    fields: null,
    requiredScope: null,
    maybeApplied: false,
  });
}

function asConnection(value: unknown): Connection | null {
  if (value === null || value === undefined) return null;
  const c = value as Connection;
  if (!c.pageInfo || !Array.isArray(c.nodes)) throw new Error('GitLab\'s GraphQL API answered a runners connection without pageInfo and nodes');
  return c;
}

/**
 * Reads the live state of `refs` (in their order) through GraphQL. Throws
 * GraphQLUnavailableError when GitLab's GraphQL API cannot serve this read.
 */
export async function readLiveStateGraphQL(api: GitLabApi, graphql: RawGraphQL, refs: ScopeRef[], opts: GraphQLReadOptions = {}): Promise<LiveState> {
  const budget = opts.complexityLimit ?? USER_COMPLEXITY_LIMIT;
  const maxChars = opts.maxQueryChars ?? QUERY_TEXT_LIMIT;
  const batchSize = Math.max(1, Math.min(PAGE_SIZE, opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const progress: LiveProgress = { scopesDone: 0, scopesTotal: refs.length, runnersDone: 0, runnersTotal: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  report();

  const reads: ScopeRead[] = refs.map((ref, index) => ({ index, ref, kind: ref.type, runners: [], done: false }));
  const context: RequestContext = { subject: 'the runners of the declared scopes', action: 'read the runners of the declared scopes' };
  const extra = opts.health ? healthNodeFields(opts.health === true ? undefined : opts.health) : [];

  // Next pages found while reading a round of requests, sent in the next round.
  const followUps: Part[] = [];
  const guards = new Map<ScopeRead, ReturnType<typeof createCursorGuard>>();
  const cursorGuard = (read: ScopeRead) => {
    let g = guards.get(read);
    if (!g) guards.set(read, (g = createCursorGuard(`the runners of ${scopeName(read)}`, opts.maxPages)));
    return g;
  };

  const addPage = (read: ScopeRead, conn: Connection): void => {
    for (const node of conn.nodes) {
      // Nodes the token may not read are dropped by GitLab (null in some versions).
      if (node !== null) read.runners.push({ runner: toLiveRunnerFromNode(node, ownershipOfNode(read, node), Boolean(opts.health)), hidden: noteHidden(node) });
    }
    progress.runnersTotal += conn.nodes.length;
    progress.runnersDone += conn.nodes.length;
    if (conn.pageInfo.hasNextPage && conn.pageInfo.endCursor) {
      // A cursor that repeats, or pages without end, fail the read (pagination.ts).
      cursorGuard(read).check(conn.pageInfo.endCursor);
      followUps.push(pagePart(read, conn.pageInfo.endCursor));
    }
    else {
      read.done = true;
      progress.scopesDone++;
    }
    report();
  };

  /** Takes a scope's `runners` answer, or fails the way the REST reader would. */
  const takeRunners = (read: ScopeRead, value: unknown, errors: PathError[]): void => {
    const conn = asConnection(value);
    if (conn === null) {
      const e = errors.find((x) => RESOURCE_ERROR.test(x.message)) ?? errors[0];
      throw missingRole(read, e?.message ?? 'runners: null');
    }
    addPage(read, conn);
  };

  // The follow-up page of one scope: group(fullPath:)/project(fullPath:) { runners(after:) } or runners(after:).
  const pagePart = (read: ScopeRead, cursor: string): Part => ({
    what: `next page of ${scopeName(read)}`,
    field: (alias) => {
      const conn = runnersConnection(read.kind, `${alias}c`, extra);
      if (read.kind === 'instance') return { ...conn, alias };
      return { alias, name: read.kind, args: { fullPath: `$${alias}` }, resolver: { cost: 1 }, children: [conn] };
    },
    variables: (alias) => ({
      ...(read.kind === 'instance' ? {} : { [alias]: { type: 'ID!', value: read.scope!.path } }),
      [`${alias}c`]: { type: 'String', value: cursor },
    }),
    split: () => null,
    take: (value, errors) => {
      if (read.kind === 'instance') return takeRunners(read, value, errors);
      if (value === null) throw notFound(`${read.kind} ${read.scope!.path}`, `${read.kind}(fullPath:) is null`);
      takeRunners(read, (value as { runners: unknown }).runners, errors.filter((e) => e.path[1] === 'runners'));
    },
  });

  // ---------------------------------------------------------------- phase 1: group paths → ids

  const groupPaths = [...new Set(reads.filter((r) => r.kind === 'group' && r.ref.path !== undefined).map((r) => r.ref.path!))];
  const groupByPath = new Map<string, Scope>();
  const resolvePart = (path: string): Part => ({
    what: `group ${path}`,
    field: (alias) => ({ alias, name: 'group', args: { fullPath: `$${alias}` }, resolver: { cost: 1 }, children: [{ name: 'id' }, { name: 'fullPath' }] }),
    variables: (alias) => ({ [alias]: { type: 'ID!', value: path } }),
    split: () => null,
    take: (value) => {
      if (value === null || value === undefined) throw notFound(`group ${path}`, 'group(fullPath:) is null');
      const g = value as { id: string; fullPath: string };
      const id = idFromGid(g.id, 'Group');
      if (id === null) throw new Error(`GitLab's GraphQL API answered group id "${g.id}" for ${path}`);
      groupByPath.set(path, { type: 'group', id, path: g.fullPath });
    },
  });

  const run = async (parts: Part[]): Promise<void> => {
    await Promise.all(packRequests(parts, budget, maxChars).map(send));
    // Scopes with more runners than a page: their next pages, until none is left.
    if (followUps.length > 0) await run(followUps.splice(0));
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
    const retrySmaller = async (why: string): Promise<void> => {
      const h = halves(batch);
      if (h) {
        opts.log?.(`graphql ${why}: splitting ${batch.length} fields into ${h[0].length} + ${h[1].length}`);
        await Promise.all(packRequests(h[0], budget, maxChars).concat(packRequests(h[1], budget, maxChars)).map(send));
        return;
      }
      const smaller = batch[0].split();
      if (!smaller) throw new GitLabError(`GitLab's GraphQL API refused the smallest possible request (${batch[0].what}): ${why}.`, {
        method: 'POST', path: '/api/graphql', status: null, context, kind: 'server', gitlabMessage: why, fields: null, requiredScope: null, maybeApplied: false,
      });
      opts.log?.(`graphql ${why}: splitting ${batch[0].what}`);
      await Promise.all(packRequests(smaller, budget, maxChars).map(send));
    };

    let answer;
    try {
      answer = await graphql(query, values, context, `${batch.map((p) => p.what).join(', ')} (complexity ≈ ${cost}, ${query.length} chars)`);
    } catch (err) {
      if (isGitLabError(err) && err.status === 404) throw new GraphQLUnavailableError('GitLab answered 404 to /api/graphql');
      // A 503 other than GitLab's timeout was already retried like any 5xx: an outage, not a request too big.
      const timedOut = isGitLabError(err) && err.status === 503 && /^Request timed out/.test(err.gitlabMessage ?? '');
      if (isGitLabError(err) && (timedOut || err.status === 422)) return retrySmaller(`${err.status} ${err.gitlabMessage ?? ''}`.trim());
      throw err;
    }
    const body = answer.body as { data?: Record<string, unknown> | null; errors?: PathError[] } | null;
    const messages = graphQLErrorMessages(body);
    const data = body?.data;
    if (data === undefined || data === null) {
      const tooComplex = messages.find((m) => /^Query has complexity of \d+, which exceeds max complexity of \d+/.test(m));
      if (tooComplex) return retrySmaller(tooComplex);
      const older = messages.find((m) => OLDER_SCHEMA.test(m));
      if (older) throw new GraphQLUnavailableError(`this GitLab's GraphQL API lacks what runnerform reads (${older})`);
      throw new GitLabError(`GitLab's GraphQL API did not ${context.action} (POST /api/graphql → ${answer.status}: ${messages.join('; ') || 'an answer without data'}).`, {
        method: 'POST', path: '/api/graphql', status: answer.status, context, kind: 'other', gitlabMessage: messages.join('; ') || null, fields: null, requiredScope: null, maybeApplied: false,
      });
    }
    const errors = Array.isArray(body?.errors) ? body!.errors!.filter((e) => Array.isArray(e.path)) : [];
    batch.forEach((p, i) => p.take(data[`a${i}`] ?? null, errors.filter((e) => e.path[0] === `a${i}`)));
    // An error on no field of ours (none should happen with data present) is still an error.
    const stray = messages.length > 0 && errors.length === 0;
    if (stray) throw new GitLabError(`GitLab's GraphQL API did not ${context.action} (POST /api/graphql → ${messages.join('; ')}).`, {
      method: 'POST', path: '/api/graphql', status: answer.status, context, kind: 'other', gitlabMessage: messages.join('; '), fields: null, requiredScope: null, maybeApplied: false,
    });
  };

  await run(groupPaths.map(resolvePart));
  for (const read of reads) if (read.kind === 'instance') read.scope = { type: 'instance', id: null, path: null };
  // Groups named by path are asked for by the id phase 1 resolved.
  const groupIdOf = (r: ScopeRead): number => r.ref.id ?? groupByPath.get(r.ref.path!)!.id!;

  // ---------------------------------------------------------------- phase 2: every scope's first page

  const listPart = (kind: 'groupIds' | 'projectPaths' | 'projectIds', keys: (string | number)[]): Part => {
    const isGroup = kind === 'groupIds';
    const byKey = (key: string | number) =>
      reads.filter((r) =>
        kind === 'groupIds' ? r.kind === 'group' && groupIdOf(r) === key : kind === 'projectPaths' ? r.kind === 'project' && r.ref.path === key : r.kind === 'project' && r.ref.id === key,
      );
    return {
      what: `${keys.length} ${isGroup ? 'group' : 'project'}${keys.length === 1 ? '' : 's'}`,
      field: (alias) => ({
        alias,
        name: isGroup ? 'groups' : 'projects',
        args: { [kind === 'projectPaths' ? 'fullPaths' : 'ids']: `$${alias}`, first: keys.length },
        // Query.groups has `sort` with a default (+1); Query.projects is counted the same way to stay on the safe side.
        resolver: { cost: 2, first: keys.length },
        children: [{ name: 'nodes', children: [{ name: 'id' }, { name: 'fullPath' }, runnersConnection(isGroup ? 'group' : 'project', undefined, extra)] }],
      }),
      variables: (alias) => ({
        [alias]: {
          type: kind === 'projectPaths' ? '[String!]!' : '[ID!]!',
          value: keys.map((k) => (kind === 'projectPaths' ? k : `gid://gitlab/${isGroup ? 'Group' : 'Project'}/${k}`)),
        },
      }),
      split: () => halves(keys)?.map((h) => listPart(kind, h)) ?? null,
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
            takeRunners(read, n.runners, errors.filter((e) => e.path[1] === 'nodes' && e.path[2] === i));
          }
        });
        for (const key of keys) {
          if (seen.has(key)) continue;
          const read = byKey(key)[0];
          const subject = `${isGroup ? 'group' : 'project'} ${read.ref.path ?? read.ref.id ?? key}`;
          throw notFound(subject, `no ${isGroup ? 'group' : 'project'} ${key} in the answer`);
        }
      },
    };
  };

  const instancePart = (): Part => ({
    what: 'instance runners',
    field: (alias) => ({ ...runnersConnection('instance', undefined, extra), alias }),
    variables: () => ({}),
    split: () => null,
    take: (value, errors) => {
      for (const read of reads.filter((r) => r.kind === 'instance')) takeRunners(read, value, errors);
    },
  });

  const firstPages = async (): Promise<void> => {
    const uniq = <T>(xs: T[]) => [...new Set(xs)];
    const groupIds = uniq(reads.filter((r) => r.kind === 'group').map(groupIdOf));
    const projectPaths = uniq(reads.filter((r) => r.kind === 'project' && r.ref.path !== undefined).map((r) => r.ref.path!));
    const projectIds = uniq(reads.filter((r) => r.kind === 'project' && r.ref.id !== undefined).map((r) => r.ref.id!));
    const parts: Part[] = [
      ...chunk(groupIds, batchSize).map((ids) => listPart('groupIds', ids)),
      ...chunk(projectPaths, Math.min(batchSize, MAX_PROJECT_PATHS)).map((ps) => listPart('projectPaths', ps)),
      ...chunk(projectIds, Math.min(batchSize, MAX_PROJECT_PATHS)).map((ids) => listPart('projectIds', ids)),
      ...(reads.some((r) => r.kind === 'instance') ? [instancePart()] : []),
    ];
    await run(parts);
  };
  await firstPages();

  // ---------------------------------------------------------------- hidden notes

  // GitLab hides maintenanceNote from a token that may not update the runner;
  // REST's details show it, so read those few runners there (the plan must not
  // see a hidden note as "no note").
  const hiddenIds = [...new Set(reads.flatMap((r) => r.runners.filter((n) => n.hidden && n.runner.ownership === 'owned').map((n) => n.runner.id)))];
  const notes = new Map<number, string | null>();
  await Promise.all(
    hiddenIds.map(async (id) => {
      try {
        notes.set(id, (await api.getRunner(id)).maintenance_note ?? null);
      } catch (err) {
        if (!(isGitLabError(err) && (err.kind === 'forbidden' || err.kind === 'not_found'))) throw err;
      }
    }),
  );

  const scopes: LiveScope[] = reads.map((read) => {
    const runners = read.runners.map(({ runner, hidden }) => {
      if (!hidden || runner.ownership !== 'owned') return runner;
      if (notes.has(runner.id)) runner.attrs.maintenance_note = notes.get(runner.id)!;
      else runner.hidden = ['maintenance_note'];
      return runner;
    });
    const byId = (a: LiveRunner, b: LiveRunner) => a.id - b.id;
    return {
      ref: read.ref,
      scope: read.scope!,
      owned: runners.filter((r) => r.ownership === 'owned').sort(byId),
      visible: runners.filter((r) => r.ownership !== 'owned').sort(byId),
    };
  });
  return { gitlabUrl: api.gitlabUrl, scopes };
}

/** The REST reader's ownership rules, with GraphQL's answers: DIRECT group runners are the group's own; a project owns what ownerProject names it. */
function ownershipOfNode(read: ScopeRead, node: RunnerNode): Ownership {
  const type = node.runnerType.toLowerCase();
  if (read.kind === 'instance') return type === 'instance_type' ? 'owned' : 'instance';
  if (read.kind === 'group') return type === 'group_type' ? 'owned' : type === 'instance_type' ? 'instance' : 'borrowed';
  if (type !== 'project_type') return type === 'instance_type' ? 'instance' : 'inherited';
  return idFromGid(node.ownerProject?.id, 'Project') === read.scope?.id ? 'owned' : 'borrowed';
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
