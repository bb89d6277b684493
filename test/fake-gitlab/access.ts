// Who may see and do what, following GitLab's policies: roles are inherited
// down the group tree, token scopes gate whole request kinds.
import type { Role, TokenScope } from './seed.js';
import type { FakeState, GroupRec, ProjectRec, RunnerRec, TokenRec, UserRec } from './state.js';

const ROLE_RANK: Record<Role, number> = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 };

export type Authn =
  | { ok: true; token: TokenRec }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

/** The token sent as PRIVATE-TOKEN or `Authorization: Bearer`. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const pt = headers['private-token'];
  if (typeof pt === 'string' && pt !== '') return pt;
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1] !== undefined) return m[1];
  }
  return null;
}

export function authenticate(state: FakeState, tokenValue: string | null, now = new Date()): Authn {
  if (tokenValue === null) return { ok: false, reason: 'missing' };
  const token = state.tokens.get(tokenValue);
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revoked) return { ok: false, reason: 'revoked' };
  // GitLab tokens expire at the start of their expiry date (UTC).
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, token };
}

/** Scopes that admit a request, mirroring GitLab's allow_access_with_scope rules. */
export function acceptedScopes(method: string, path: string): TokenScope[] {
  const isGet = method === 'GET' || method === 'HEAD';
  if (path === '/user' && isGet) return ['api', 'read_api', 'read_user'];
  if (path === '/user/runners' && method === 'POST') return ['api', 'create_runner'];
  if (/^\/runners\/\d+(\/|$)/.test(path)) return isGet ? ['api', 'read_api', 'manage_runner'] : ['api', 'manage_runner'];
  return isGet ? ['api', 'read_api'] : ['api'];
}

export function hasScope(token: TokenRec, accepted: TokenScope[]): boolean {
  return token.scopes.some((s) => accepted.includes(s));
}

/** Effective role on a group: the highest direct role on it or any ancestor. */
export function groupRole(state: FakeState, user: UserRec, group: GroupRec): number {
  let best = 0;
  for (const g of state.selfAndAncestors(group)) {
    const r = user.groupRoles.get(g.id);
    if (r) best = Math.max(best, ROLE_RANK[r]);
  }
  return best;
}

export function projectRole(state: FakeState, user: UserRec, project: ProjectRec): number {
  const direct = user.projectRoles.get(project.id);
  return Math.max(direct ? ROLE_RANK[direct] : 0, groupRole(state, user, project.namespace));
}

export function atLeast(rank: number, role: Role): boolean {
  return rank >= ROLE_RANK[role];
}

/** Private groups are visible to members (inherited) and to members of anything below them. */
export function canSeeGroup(state: FakeState, user: UserRec, group: GroupRec): boolean {
  if (user.admin || groupRole(state, user, group) > 0) return true;
  for (const gid of user.groupRoles.keys()) {
    const g = state.groups.get(gid);
    if (g && state.isDescendantOrSelf(g, group)) return true;
  }
  for (const pid of user.projectRoles.keys()) {
    const p = state.projects.get(pid);
    if (p && state.isDescendantOrSelf(p.namespace, group)) return true;
  }
  return false;
}

export function canSeeProject(state: FakeState, user: UserRec, project: ProjectRec): boolean {
  return user.admin || projectRole(state, user, project) > 0;
}

export function isGroupOwner(state: FakeState, user: UserRec, group: GroupRec): boolean {
  return user.admin || atLeast(groupRole(state, user, group), 'owner');
}

export function isProjectMaintainer(state: FakeState, user: UserRec, project: ProjectRec): boolean {
  return user.admin || atLeast(projectRole(state, user, project), 'maintainer');
}

/**
 * GitLab's ci_owned_runners: group runners of groups the user owns (inherited),
 * project runners of any project the user maintains. Admin rights do not count.
 */
export function ownsRunner(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  if (runner.runnerType === 'group_type' && runner.group) return atLeast(groupRole(state, user, runner.group), 'owner');
  if (runner.runnerType === 'project_type') return runner.projects.some((p) => atLeast(projectRole(state, user, p), 'maintainer'));
  return false;
}

/**
 * read_runner (app/policies/ci/runner_policy.rb): any signed-in user reads an
 * instance runner; a group runner is readable by a Maintainer (or more) of its
 * group (`is_group_runner & maintainer_in_any_associated_groups`, roles
 * inherited) and by a Maintainer of any project below that group that takes
 * group runners (`any_associated_projects_in_group_runner_inheriting_group_runners`);
 * a project runner by a Maintainer of any project it is enabled in.
 */
export function canReadRunner(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  if (user.admin || runner.runnerType === 'instance_type' || ownsRunner(state, user, runner)) return true;
  if (runner.runnerType !== 'group_type' || runner.group === null) return false;
  if (atLeast(groupRole(state, user, runner.group), 'maintainer')) return true;
  const group = runner.group;
  return [...state.projects.values()].some(
    (p) => p.groupRunnersEnabled && state.isDescendantOrSelf(p.namespace, group) && atLeast(projectRole(state, user, p), 'maintainer'),
  );
}

/**
 * read_runner_sensitive_data (runner_policy.rb): whoever may read the runner,
 * except an instance runner for anyone but an administrator
 * (`is_instance_runner & ~can_admin_runner`). Gates GraphQL's tokenExpiresAt.
 */
export function canReadRunnerSensitiveData(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  if (runner.runnerType === 'instance_type') return user.admin;
  return canReadRunner(state, user, runner);
}

/**
 * User#authorized_groups (app/models/user.rb): the groups the user is a direct
 * member of, plus the namespaces of the projects it can access. Not inherited:
 * an Owner of `acme` does not get `acme/ci` here unless `acme/ci` has a project.
 * GET /runners/:id filters a runner's `groups` by it (lib/api/entities/ci/runner_details.rb).
 */
export function inAuthorizedGroups(state: FakeState, user: UserRec, group: GroupRec): boolean {
  if (user.groupRoles.has(group.id)) return true;
  return [...state.projects.values()].some((p) => p.namespace === group && projectRole(state, user, p) > 0);
}

/** update_runner / delete_runner / reset token. */
export function canManageRunner(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  return user.admin || ownsRunner(state, user, runner);
}

/** RunnerPolicy: `~admin & belongs_to_multiple_projects` prevents delete_runner, even for the owner project's maintainers. */
export function belongsToManyProjects(runner: RunnerRec): boolean {
  return runner.runnerType === 'project_type' && runner.projects.length > 1;
}

export function canDeleteRunner(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  return canManageRunner(state, user, runner) && (user.admin || !belongsToManyProjects(runner));
}

/** assign_runner (enable in another project): `~admin & locked` prevents it. */
export function canAssignRunner(state: FakeState, user: UserRec, runner: RunnerRec): boolean {
  return canManageRunner(state, user, runner) && (user.admin || !runner.locked);
}

/**
 * read_group_runners / read_project_runners: Maintainer or more (app/policies/group_policy.rb
 * `rule { maintainer }` enables :read_group_runners; older GitLab gave it to Owners only).
 * Authorizes GET /groups/:id/runners (lib/api/ci/runners.rb) and GraphQL's runners connections.
 */
export function canListGroupRunners(state: FakeState, user: UserRec, group: GroupRec): boolean {
  return user.admin || atLeast(groupRole(state, user, group), 'maintainer');
}
