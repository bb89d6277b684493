// GitLab's JSON entities for the records of state.ts: what list items carry,
// what details add, and which fields groups/projects/notes expose.
import { canSeeProject, inAuthorizedGroups } from './access.js';
import type { FakeState, GroupRec, MergeRequestRec, NoteRec, ProjectRec, RunnerRec, UserRec } from './state.js';

const ONLINE_WINDOW_MS = 2 * 60 * 60 * 1000;
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export type RawStatus = 'online' | 'offline' | 'stale' | 'never_contacted';

/**
 * Ci::Runner#status (app/models/concerns/ci/has_runner_status.rb), or the seed's override: stale, then
 * `return :never_contacted unless finished_creation_state?` (a runner whose host never asked for a job
 * reads never_contacted even after POST /runners/verify set its contacted_at), then online or offline.
 */
export function rawStatus(r: RunnerRec, now = Date.now()): RawStatus {
  if (r.statusOverride) return r.statusOverride;
  const contacted = r.contactedAt ? Date.parse(r.contactedAt) : null;
  const reference = contacted ?? Date.parse(r.createdAt);
  if (now - reference > STALE_AFTER_MS) return 'stale';
  if (contacted === null || r.creationState !== 'finished') return 'never_contacted';
  return now - contacted <= ONLINE_WINDOW_MS ? 'online' : 'offline';
}

/** The REST `status` (deprecated_rest_status): a paused runner that has contacted reads `paused`. */
export function restStatus(r: RunnerRec, now = Date.now()): string {
  const s = rawStatus(r, now);
  if (s === 'stale' || s === 'never_contacted') return s;
  return r.paused ? 'paused' : s;
}

/**
 * Ci::Runner#online? (app/models/concerns/ci/has_runner_status.rb) is `contacted_at && contacted_at > deadline`:
 * nil, so JSON null, for a runner that never contacted GitLab; it does not look at creation_state.
 */
function online(r: RunnerRec, now = Date.now()): boolean | null {
  if (r.statusOverride) return r.contactedAt === null ? null : r.statusOverride === 'online';
  return r.contactedAt === null ? null : now - Date.parse(r.contactedAt) <= ONLINE_WINDOW_MS;
}

/** Entities::Ci::Runner (lib/api/entities/ci/runner.rb): what every runner list item carries. */
export function runnerListItem(r: RunnerRec) {
  return {
    id: r.id,
    description: r.description,
    ip_address: null,
    active: !r.paused,
    paused: r.paused,
    is_shared: r.runnerType === 'instance_type',
    runner_type: r.runnerType,
    name: null,
    online: online(r),
    created_at: r.createdAt,
    status: restStatus(r),
    // The fake runs no jobs, so no runner is ever running one.
    job_execution_status: 'idle',
  };
}

function basicGroup(state: FakeState, g: GroupRec) {
  return { id: g.id, web_url: `${state.webBase}/groups/${g.fullPath}`, name: g.name };
}

function namespaceOf(state: FakeState, g: GroupRec) {
  return {
    id: g.id,
    name: g.name,
    path: g.path,
    kind: 'group',
    full_path: g.fullPath,
    parent_id: g.parent?.id ?? null,
    avatar_url: null,
    web_url: `${state.webBase}/groups/${g.fullPath}`,
  };
}

export function basicProject(state: FakeState, p: ProjectRec) {
  return {
    id: p.id,
    description: null,
    name: p.name,
    name_with_namespace: `${namespaceFullName(p.namespace)} / ${p.name}`,
    path: p.path,
    path_with_namespace: p.pathWithNamespace,
    created_at: p.createdAt,
    default_branch: 'main',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@127.0.0.1:${p.pathWithNamespace}.git`,
    http_url_to_repo: `${state.webBase}/${p.pathWithNamespace}.git`,
    web_url: `${state.webBase}/${p.pathWithNamespace}`,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: p.createdAt,
    namespace: namespaceOf(state, p.namespace),
  };
}

function namespaceFullName(g: GroupRec): string {
  const names: string[] = [];
  for (let cur: GroupRec | null = g; cur; cur = cur.parent) names.unshift(cur.name);
  return names.join(' / ');
}

/**
 * Entities::Ci::RunnerDetails (lib/api/entities/ci/runner_details.rb):
 * - `maintenance_note` only for a caller who may update the runner (null otherwise);
 * - `projects` only with `include_projects` (GET /runners/:id, not the PUT answer),
 *   filtered to `authorized_projects` unless the caller reads all resources;
 * - `groups` filtered to `authorized_groups` (direct memberships and projects'
 *   namespaces, not inherited: see access.ts inAuthorizedGroups).
 */
export function runnerDetails(state: FakeState, r: RunnerRec, viewer: UserRec, opts: { includeProjects: boolean; mayUpdate: boolean }) {
  const groups = r.group && (viewer.admin || inAuthorizedGroups(state, viewer, r.group)) ? [basicGroup(state, r.group)] : [];
  const projects = r.projects.filter((p) => viewer.admin || canSeeProject(state, viewer, p)).map((p) => basicProject(state, p));
  return {
    ...runnerListItem(r),
    tag_list: [...r.tagList],
    run_untagged: r.runUntagged,
    locked: r.locked,
    maximum_timeout: r.maximumTimeout,
    access_level: r.accessLevel,
    version: null,
    revision: null,
    platform: null,
    architecture: null,
    contacted_at: r.contactedAt,
    maintenance_note: opts.mayUpdate ? r.maintenanceNote : null,
    ...(opts.includeProjects ? { projects } : {}),
    groups,
  };
}

export function groupEntity(state: FakeState, g: GroupRec) {
  return {
    id: g.id,
    web_url: `${state.webBase}/groups/${g.fullPath}`,
    name: g.name,
    path: g.path,
    description: '',
    visibility: 'private',
    share_with_group_lock: false,
    require_two_factor_authentication: false,
    project_creation_level: 'developer',
    subgroup_creation_level: 'maintainer',
    lfs_enabled: true,
    avatar_url: null,
    request_access_enabled: false,
    full_name: namespaceFullName(g),
    full_path: g.fullPath,
    parent_id: g.parent?.id ?? null,
    shared_runners_setting: 'enabled',
    created_at: g.createdAt,
  };
}

export function projectEntity(state: FakeState, p: ProjectRec) {
  return {
    ...basicProject(state, p),
    visibility: 'private',
    archived: false,
    shared_runners_enabled: p.sharedRunnersEnabled,
    group_runners_enabled: p.groupRunnersEnabled,
    jobs_enabled: true,
    merge_requests_enabled: true,
  };
}

export function userEntity(state: FakeState, u: UserRec) {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${state.webBase}/${u.username}`,
    // GitLab exposes is_admin only to administrators (UserWithAdmin entity)
    ...(u.admin ? { is_admin: true } : {}),
  };
}

export function noteEntity(state: FakeState, mr: MergeRequestRec, n: NoteRec) {
  return {
    id: n.id,
    type: null,
    body: n.body,
    attachment: null,
    author: {
      id: n.author.id,
      username: n.author.username,
      name: n.author.name,
      state: 'active',
      avatar_url: null,
      web_url: `${state.webBase}/${n.author.username}`,
    },
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    system: false,
    noteable_id: mr.id,
    noteable_type: 'MergeRequest',
    project_id: mr.project.id,
    resolvable: false,
    confidential: false,
    internal: false,
    noteable_iid: mr.iid,
  };
}
