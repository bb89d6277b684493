// Reads what GitLab really has: resolves the declared scopes, lists their
// runners and reads each runner's details, then decides which runners each
// scope owns. Only owned runners are ever offered to the plan engine.
//
// A project runner's owner comes from GraphQL (CiRunner.ownerProject), never
// from REST: GET /runners/:id lists only the projects the token may read, in no
// promised order (GitLab builds it as `authorized_projects.id_in(...)`), so a
// runner borrowed from a project the token cannot see would look owned.
// A group runner's `groups` is filtered the same way (`authorized_groups`:
// direct memberships and projects' namespaces, not inherited ones), so an empty
// list proves nothing: then the parent group's list tells (a group lists its
// own and its ancestors' runners, never its subgroups').
import { GITLAB_DEFAULT_ATTRS, RUNNER_TYPE, type LiveRunner, type LiveState, type LiveScope, type Ownership, type Scope, type ScopeRef } from '../model.js';
import type { ApiRunnerDetails, ApiRunnerListItem, GitLabApi } from './api.js';
import { isGitLabError } from './errors.js';
import type { OwnerProject } from './graphql.js';
import { isoTime } from './live-time.js';
import { valuesOrProblems } from './read-problems.js';
import { tokenUser, withRestPermissions } from './rest-permissions.js';

export interface LiveProgress {
  scopesDone: number;
  scopesTotal: number;
  runnersDone: number;
  runnersTotal: number;
}

export interface ReadLiveOptions {
  onProgress?: (p: LiveProgress) => void;
}

/** What the REST detail cannot tell: a project runner that only GraphQL's ownerProject can call owned or borrowed. */
export const ASK_OWNER = 'ask-owner';
/** A group runner whose detail names no group (GitLab filters `groups`): the parent group's list decides. */
export const ASK_PARENT = 'ask-parent';

/**
 * How a runner relates to the scope it was listed in (GitLab lists ancestors'
 * and other projects' runners too), as far as its REST detail can tell.
 * A project runner listed in a project scope is ASK_OWNER unless its detail
 * proves it borrowed (it names the projects it is enabled in, and this one is
 * not among them); a borrowed runner whose owner the token cannot read looks
 * exactly like an owned one in REST.
 */
export function ownershipOf(
  scope: Scope,
  runner: Pick<ApiRunnerDetails, 'runner_type' | 'groups' | 'projects'>,
): Ownership | typeof ASK_OWNER | typeof ASK_PARENT {
  switch (runner.runner_type) {
    case 'instance_type':
      return scope.type === 'instance' ? 'owned' : 'instance';
    case 'group_type': {
      if (scope.type !== 'group') return 'inherited';
      // A group runner belongs to exactly one group: when the detail names it, it is the owner.
      const [group] = Array.isArray(runner.groups) ? runner.groups : [];
      if (group) return group.id === scope.id ? 'owned' : 'inherited';
      return ASK_PARENT;
    }
    case 'project_type':
      if (scope.type !== 'project') return 'borrowed';
      // Newer GitLab versions may leave `projects` out: then only GraphQL can tell.
      if (Array.isArray(runner.projects) && !runner.projects.some((p) => p.id === scope.id)) return 'borrowed';
      return ASK_OWNER;
  }
}

/** A project runner is owned by the project GraphQL names its owner; null (none the token may read) is never this scope. */
export function ownershipByOwner(scope: Scope, owner: OwnerProject | null): 'owned' | 'borrowed' {
  return scope.type === 'project' && owner !== null && owner.id === scope.id ? 'owned' : 'borrowed';
}

/**
 * The group runners a group's parent lists (its own and its ancestors'); empty for
 * a top-level group; null when the token may not list them. Then no runner the
 * group lists with an empty `groups` is the group's own: a token that may list
 * the group but not its parent holds its role on the group directly, and GitLab
 * names a group the token is a direct member of (`authorized_groups`).
 */
export async function parentGroupRunnerIds(api: GitLabApi, parentPath: string | null): Promise<Set<number> | null> {
  if (parentPath === null) return new Set();
  try {
    return new Set((await api.listGroupRunners(parentPath, parentPath)).filter((r) => r.runner_type === 'group_type').map((r) => r.id));
  } catch (err) {
    if (isGitLabError(err) && (err.kind === 'forbidden' || err.kind === 'not_found')) return null;
    throw err;
  }
}

/** The full path of a group scope's parent; null for a top-level group (or a scope of another type). */
export function parentPathOf(scope: Scope): string | null {
  const slash = scope.path?.lastIndexOf('/') ?? -1;
  return scope.type === 'group' && scope.path && slash > 0 ? scope.path.slice(0, slash) : null;
}

/** Answers shared by the runners of one read: GraphQL's ownerProject per runner, a parent group's runner ids per scope. */
export interface OwnershipSources {
  ownerOf: (id: number) => Promise<OwnerProject | null>;
  parentIds: (scope: Scope) => Promise<Set<number> | null>;
}

/** Sources that ask once per runner and once per scope. */
export function ownershipSources(api: GitLabApi): OwnershipSources {
  const owners = new Map<number, Promise<OwnerProject | null>>();
  const parents = new Map<string, Promise<Set<number> | null>>();
  return {
    ownerOf: (id) => getOrSet(owners, id, () => api.runnerOwnerProject(id)),
    // Keyed by the parent: sibling scopes share one list.
    parentIds: (scope) => getOrSet(parents, parentPathOf(scope) ?? '', () => parentGroupRunnerIds(api, parentPathOf(scope))),
  };
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/**
 * The ownership of a runner read in `scope`, asking GraphQL's ownerProject or
 * the parent group's list when the REST detail cannot tell.
 */
export async function decideOwnership(scope: Scope, detail: ApiRunnerDetails, sources: OwnershipSources): Promise<Ownership> {
  const verdict = ownershipOf(scope, detail);
  if (verdict === ASK_OWNER) return ownershipByOwner(scope, await sources.ownerOf(detail.id));
  // Listed in this group but not in its parent's: the runner is this group's own.
  if (verdict === ASK_PARENT) {
    const parents = await sources.parentIds(scope);
    return parents === null || parents.has(detail.id) ? 'inherited' : 'owned';
  }
  return verdict;
}

/** A visible runner whose details GitLab refused: list facts plus GitLab's defaults, flagged partial. */
export function toPartialRunner(item: ApiRunnerListItem, ownership: Exclude<Ownership, 'owned'>): LiveRunner {
  return {
    id: item.id,
    description: item.description ?? '',
    runner_type: item.runner_type,
    attrs: { ...GITLAB_DEFAULT_ATTRS, tag_list: [], paused: item.paused },
    status: item.status,
    contacted_at: null,
    ownership,
    partial: true,
    created_at: null,
    token_expires_at: null,
  };
}

/** Builds the live model of one runner from its list item and details. */
export function toLiveRunner(item: ApiRunnerListItem, d: ApiRunnerDetails, ownership: Ownership): LiveRunner {
  return {
    id: d.id,
    description: d.description ?? item.description ?? '',
    runner_type: d.runner_type ?? item.runner_type,
    attrs: {
      paused: d.paused ?? item.paused,
      locked: d.locked,
      run_untagged: d.run_untagged,
      tag_list: [...(d.tag_list ?? [])],
      access_level: d.access_level,
      maximum_timeout: d.maximum_timeout ?? null,
      maintenance_note: d.maintenance_note ?? null,
    },
    status: item.status ?? d.status,
    contacted_at: isoTime(d.contacted_at),
    ownership,
    created_at: isoTime(d.created_at),
    token_expires_at: isoTime(d.token_expires_at),
  };
}

async function resolveScope(api: GitLabApi, ref: ScopeRef): Promise<Scope> {
  switch (ref.type) {
    case 'instance':
      return { type: 'instance', id: null, path: null };
    case 'group': {
      const g = await api.getGroup(ref.path ?? ref.id);
      return { type: 'group', id: g.id, path: g.full_path };
    }
    case 'project': {
      const p = await api.getProject(ref.path ?? ref.id);
      return { type: 'project', id: p.id, path: p.path_with_namespace };
    }
  }
}

/** The runners a resolved scope lists, all pages (its own and, for groups and projects, the ones it sees). */
export function listScopeRunners(api: GitLabApi, scope: Scope): Promise<ApiRunnerListItem[]> {
  switch (scope.type) {
    case 'instance':
      return api.listInstanceRunners();
    case 'group':
      return api.listGroupRunners(scope.id!, scope.path ?? undefined);
    case 'project':
      return api.listProjectRunners(scope.id!, scope.path ?? undefined);
  }
}

const byId = (a: LiveRunner, b: LiveRunner): number => a.id - b.id;

/**
 * Reads the live state of `refs` (in their order). Requests go through the
 * client's limiter: one resolve per scope, list pages, one detail per distinct
 * runner, and one GraphQL ownerProject query per distinct project runner that
 * a project scope lists and whose detail does not already prove it borrowed.
 * Group and instance scopes never ask GraphQL.
 */
export async function readLiveState(api: GitLabApi, refs: ScopeRef[], opts: ReadLiveOptions = {}): Promise<LiveState> {
  const progress: LiveProgress = { scopesDone: 0, scopesTotal: refs.length, runnersDone: 0, runnersTotal: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  report();

  // Two refs naming one scope (path and id) are refused by the plan engine, which knows where they were declared.
  const scopes = await Promise.allSettled(refs.map(async (ref) => ({ ref, scope: await resolveScope(api, ref) })));

  // A runner can show up in several scopes (an ancestor group's runner in each
  // subgroup's list): read its details once.
  // A 403 on the details means the token cannot read the runner, so it
  // cannot own it either (an ancestor group's runner): null, never owned.
  const details = new Map<number, Promise<ApiRunnerDetails | null>>();
  const detailOf = (id: number): Promise<ApiRunnerDetails | null> => {
    let p = details.get(id);
    if (!p) {
      progress.runnersTotal++;
      p = api.getRunner(id).then(
        (d) => {
          progress.runnersDone++;
          report();
          return d;
        },
        (err: unknown) => {
          if (!(isGitLabError(err) && err.kind === 'forbidden')) throw err;
          progress.runnersDone++;
          report();
          return null;
        },
      );
      details.set(id, p);
    }
    return p;
  };

  const sources = ownershipSources(api);
  const who = tokenUser(api);

  const readScope = async (ref: ScopeRef, scope: Scope): Promise<LiveScope> => {
    // The `type` filter should make every item the scope's type; an item of
    // another type could never be owned here, so it is not worth a detail read.
    const items = (await listScopeRunners(api, scope)).filter((item) => item.runner_type === RUNNER_TYPE[scope.type]);
    const pending = items.map((item) => ({ item, detail: detailOf(item.id) }));
    report();
    const runners = await Promise.all(
      pending.map(async ({ item, detail }) => {
        const d = await detail;
        if (d === null) return toPartialRunner(item, scope.type === 'project' ? 'borrowed' : 'inherited');
        const runner = toLiveRunner(item, d, await decideOwnership(scope, d, sources));
        // An owned project runner was asked about through GraphQL (ownerProject): that answer also has its permissions.
        const owner = runner.ownership === 'owned' && runner.runner_type === 'project_type' ? await sources.ownerOf(d.id) : undefined;
        return withRestPermissions(runner, d, scope, who, owner);
      }),
    );
    progress.scopesDone++;
    report();
    return {
      ref,
      scope,
      owned: runners.filter((r) => r.ownership === 'owned').sort(byId),
      visible: runners.filter((r) => r.ownership !== 'owned').sort(byId),
    };
  };

  // Every unknown or unlistable scope is reported at once (read-problems.ts).
  const reads = await Promise.allSettled(
    scopes.map((resolved) =>
      resolved.status === 'fulfilled' ? readScope(resolved.value.ref, resolved.value.scope) : Promise.reject(resolved.reason as Error),
    ),
  );
  const liveScopes = valuesOrProblems(reads);
  return { gitlabUrl: api.gitlabUrl, scopes: liveScopes, api: 'rest' };
}
