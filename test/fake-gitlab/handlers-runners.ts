// Runner endpoints: lists, details, create, update, delete, token reset and the
// legacy POST /runners (enabling in another project: handlers-project-runners.ts).
import {
  belongsToManyProjects,
  canListGroupRunners,
  canManageRunner,
  canReadRunner,
  isGroupOwner,
  isProjectMaintainer,
  ownsRunner,
} from './access.js';
import { arg, me, runnerById, visibleGroup, visibleProject, type Ctx, type Reply } from './context.js';
import { rawStatus, runnerDetails, runnerListItem } from './entities.js';
import { errors, present, toBool, toInt, toSentence, toTagList, ApiError } from './http-io.js';
import { paginate } from './pagination.js';
import { applyPatch, coerceRunnerParams, fullMessages, validateRunner, type RunnerAttrState } from './runner-params.js';
import { newRunnerToken, type GroupRec, type ProjectRec, type RunnerRec, type RunnerTypeName } from './state.js';

const RUNNER_TYPES: readonly RunnerTypeName[] = ['instance_type', 'group_type', 'project_type'];
const STATUS_FILTERS = ['online', 'offline', 'stale', 'never_contacted', 'active', 'paused'];
const SCOPES = ['specific', 'shared', ...RUNNER_TYPES, ...STATUS_FILTERS];
// PUT /runners/:id's `at_least_one_of` (lib/api/ci/runners.rb); GitLab declares no `maintainer_note`.
const UPDATE_KEYS = [
  'description',
  'active',
  'paused',
  'tag_list',
  'run_untagged',
  'locked',
  'access_level',
  'maximum_timeout',
  'maintenance_note',
];

function matchesStatus(r: RunnerRec, status: string): boolean {
  if (status === 'active') return !r.paused;
  if (status === 'paused') return r.paused;
  return rawStatus(r) === status;
}

function matchesScope(r: RunnerRec, scope: string): boolean {
  if (scope === 'specific') return r.runnerType !== 'instance_type';
  if (scope === 'shared') return r.runnerType === 'instance_type';
  if ((RUNNER_TYPES as readonly string[]).includes(scope)) return r.runnerType === scope;
  return matchesStatus(r, scope);
}

/** The list filters of GitLab's runner endpoints (type, status, paused, tag_list, optional scope). */
function filterRunners(ctx: Ctx, runners: RunnerRec[], allowScope: boolean): RunnerRec[] {
  const p = ctx.params;
  const bad: string[] = [];
  const type = present(p, 'type') ? String(p.type) : undefined;
  if (type !== undefined && !(RUNNER_TYPES as readonly string[]).includes(type)) bad.push('type does not have a valid value');
  const status = present(p, 'status') ? String(p.status) : undefined;
  if (status !== undefined && !STATUS_FILTERS.includes(status)) bad.push('status does not have a valid value');
  const paused = present(p, 'paused') ? toBool(p.paused) : undefined;
  if (present(p, 'paused') && paused === undefined) bad.push('paused is invalid');
  const tags = present(p, 'tag_list') ? toTagList(p.tag_list) : undefined;
  if (present(p, 'tag_list') && tags === undefined) bad.push('tag_list is invalid');
  if (bad.length) throw errors.param(bad.join(', '));
  const scope = allowScope && present(p, 'scope') ? String(p.scope) : undefined;
  if (scope !== undefined && !SCOPES.includes(scope)) throw new ApiError(400, { message: 'Scope contains invalid value' });

  return runners.filter(
    (r) =>
      (type === undefined || r.runnerType === type) &&
      (status === undefined || matchesStatus(r, status)) &&
      (paused === undefined || r.paused === paused) &&
      (tags === undefined || tags.every((t) => r.tagList.includes(t))) &&
      (scope === undefined || matchesScope(r, scope)),
  );
}

function listReply(ctx: Ctx, runners: RunnerRec[], allowScope: boolean): Reply {
  const page = paginate(filterRunners(ctx, runners, allowScope), ctx.query, ctx.selfUrl);
  return { status: 200, body: page.items.map(runnerListItem), headers: page.headers };
}

/** The group's runners, its ancestors' group runners and the instance runners. */
export function listGroupRunners(ctx: Ctx): Reply {
  const group = visibleGroup(ctx, arg(ctx, 0));
  // `authorize! :read_group_runners` (lib/api/ci/runners.rb): Maintainers and up.
  if (!canListGroupRunners(ctx.state, me(ctx), group)) throw errors.forbidden();
  const lineage = ctx.state.selfAndAncestors(group);
  const runners = ctx.state
    .sortedRunners()
    .filter((r) => r.runnerType === 'instance_type' || (r.runnerType === 'group_type' && r.group && lineage.includes(r.group)));
  return listReply(ctx, runners, false);
}

/** Project runners enabled in the project, plus group and instance runners when the project allows them. */
export function listProjectRunners(ctx: Ctx): Reply {
  const project = visibleProject(ctx, arg(ctx, 0));
  if (!isProjectMaintainer(ctx.state, me(ctx), project)) throw errors.forbidden();
  const lineage = ctx.state.selfAndAncestors(project.namespace);
  const runners = ctx.state.sortedRunners().filter((r) => {
    if (r.runnerType === 'project_type') return r.projects.includes(project);
    if (r.runnerType === 'group_type') return project.groupRunnersEnabled && r.group !== null && lineage.includes(r.group);
    return project.sharedRunnersEnabled;
  });
  return listReply(ctx, runners, false);
}

export function listOwnedRunners(ctx: Ctx): Reply {
  const user = me(ctx);
  return listReply(ctx, ctx.state.sortedRunners().filter((r) => ownsRunner(ctx.state, user, r)), true);
}

export function listAllRunners(ctx: Ctx): Reply {
  if (!me(ctx).admin) throw errors.forbidden();
  return listReply(ctx, ctx.state.sortedRunners(), true);
}

export function getRunner(ctx: Ctx): Reply {
  const runner = runnerById(ctx, arg(ctx, 0));
  const user = me(ctx);
  if (!canReadRunner(ctx.state, user, runner)) throw errors.forbidden('No access granted');
  return { status: 200, body: runnerDetails(ctx.state, runner, user, { includeProjects: true, mayUpdate: canManageRunner(ctx.state, user, runner) }) };
}

function attrState(r: RunnerRec): RunnerAttrState {
  return {
    description: r.description,
    paused: r.paused,
    locked: r.locked,
    runUntagged: r.runUntagged,
    tagList: r.tagList,
    accessLevel: r.accessLevel,
    maximumTimeout: r.maximumTimeout,
    maintenanceNote: r.maintenanceNote,
  };
}

export function updateRunner(ctx: Ctx): Reply {
  if (!UPDATE_KEYS.some((k) => present(ctx.params, k))) {
    throw errors.param(`${UPDATE_KEYS.join(', ')} are missing, at least one parameter must be provided`);
  }
  const patch = coerceRunnerParams(ctx.params, { allowActive: true });
  const runner = runnerById(ctx, arg(ctx, 0));
  const user = me(ctx);
  if (!canManageRunner(ctx.state, user, runner)) throw errors.forbidden('No access granted');
  const next = applyPatch(attrState(runner), patch);
  const invalid = validateRunner(next);
  if (Object.keys(invalid).length) throw errors.validation(invalid);
  Object.assign(runner, next);
  // The PUT answer is RunnerDetails without include_projects (lib/api/ci/runners.rb).
  return { status: 200, body: runnerDetails(ctx.state, runner, user, { includeProjects: false, mayUpdate: true }) };
}

export function deleteRunner(ctx: Ctx): Reply {
  const runner = runnerById(ctx, arg(ctx, 0));
  const user = me(ctx);
  if (!user.admin) {
    // GitLab checks this before delete_runner, so even the owner project's maintainers get this answer.
    if (belongsToManyProjects(runner)) throw errors.forbidden('Runner associated with more than one project');
    if (!canManageRunner(ctx.state, user, runner)) throw errors.forbidden('No access granted');
  }
  ctx.state.runners.delete(runner.id);
  return { status: 204 };
}

export function resetRunnerToken(ctx: Ctx): Reply {
  const runner = runnerById(ctx, arg(ctx, 0));
  if (!canManageRunner(ctx.state, me(ctx), runner)) throw errors.forbidden('No access granted');
  runner.token = newRunnerToken(runner.runnerType);
  runner.tokenExpiresAt = ctx.state.newTokenExpiry();
  // Entities::Ci::ResetTokenResult of `token_with_expiration`.
  return { status: 201, body: { token: runner.token, token_expires_at: runner.tokenExpiresAt } };
}

/** Grape's `requires`/`given` checks of POST /user/runners. */
function createScopeParams(ctx: Ctx): { type: RunnerTypeName; groupId?: number; projectId?: number } {
  const p = ctx.params;
  if (!present(p, 'runner_type')) throw errors.param('runner_type is missing');
  const type = String(p.runner_type) as RunnerTypeName;
  if (!RUNNER_TYPES.includes(type)) throw errors.param('runner_type does not have a valid value');
  const idParam = (key: 'group_id' | 'project_id'): number => {
    if (!present(p, key)) throw errors.param(`${key} is missing`);
    const n = toInt(p[key]);
    if (n === undefined) throw errors.param(`${key} is invalid`);
    return n;
  };
  if (type === 'group_type') return { type, groupId: idParam('group_id') };
  if (type === 'project_type') return { type, projectId: idParam('project_id') };
  return { type };
}

export function createRunner(ctx: Ctx): Reply {
  const { type, groupId, projectId } = createScopeParams(ctx);
  const patch = coerceRunnerParams(ctx.params, { allowActive: false });
  const user = me(ctx);
  const state = ctx.state;
  let group: GroupRec | null = null;
  let projects: ProjectRec[] = [];
  if (type === 'group_type') {
    group = state.groups.get(groupId!) ?? null;
    if (!group) throw errors.badRequest('Missing/invalid group');
    if (!isGroupOwner(state, user, group)) throw errors.forbidden('Insufficient permissions');
  } else if (type === 'project_type') {
    const project = state.projects.get(projectId!);
    if (!project) throw errors.badRequest('Missing/invalid project');
    if (!isProjectMaintainer(state, user, project)) throw errors.forbidden('Insufficient permissions');
    projects = [project];
  } else if (!user.admin) {
    throw errors.forbidden('Insufficient permissions');
  }
  // Server-side defaults of the create endpoint.
  const attrs = applyPatch(
    {
      description: '',
      paused: false,
      locked: false,
      runUntagged: true,
      tagList: [],
      accessLevel: 'not_protected',
      maximumTimeout: null,
      maintenanceNote: null,
    },
    patch,
  );
  const invalid = validateRunner(attrs);
  if (Object.keys(invalid).length) throw errors.badRequest(toSentence(fullMessages(invalid)));
  const id = state.addRunner({
    runner_type: type,
    ...(group ? { group: group.fullPath } : {}),
    ...(projects.length ? { projects: projects.map((p) => p.pathWithNamespace) } : {}),
    description: attrs.description,
    paused: attrs.paused,
    locked: attrs.locked,
    run_untagged: attrs.runUntagged,
    tag_list: attrs.tagList,
    access_level: attrs.accessLevel,
    maximum_timeout: attrs.maximumTimeout,
    maintenance_note: attrs.maintenanceNote,
  });
  const made = state.runners.get(id)!;
  return { status: 201, body: { id, token: made.token, token_expires_at: made.tokenExpiresAt } };
}

/**
 * Legacy registration (POST /runners with a registration token). The fake has
 * no registration tokens (GitLab 17+ default), so every token is invalid —
 * notably a personal access token, the classic python-gitlab mistake.
 */
export function legacyRegister(ctx: Ctx): Reply {
  if (!present(ctx.params, 'token')) throw errors.param('token is missing');
  throw errors.forbidden('invalid token supplied');
}
