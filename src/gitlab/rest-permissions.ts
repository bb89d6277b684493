// What the REST reader can tell about GitLab's userPermissions of an owned
// runner, so plans made through REST predict the same refusals as GraphQL's:
// - a group runner may be updated and deleted by an Owner of its group
//   (runner_policy.rb `can_admin_runner`: admin_runners on the owner group, which
//   group_policy.rb gives to Owners) or an administrator. REST learns the role
//   from the token's user (GET /user) and its membership, inherited ones
//   included (GET /groups/:id/members/all/:user_id), from the top-level group down;
// - a runner's `projects` list only the projects the token may read, so a
//   project runner also enabled in a project the token cannot see counts too
//   few projects. The owner query the REST reader already sends for project
//   runners asks GitLab's projectCount and userPermissions too, so project
//   runners are exact; the count from `projects` is only a fallback.
// A field GitLab hid because the token may not update the runner (the
// maintenance note, lib/api/entities/ci/runner_details.rb) is marked hidden,
// and so is the token expiry, which that entity never exposes to anyone.
import type { HiddenField, LiveRunner, Scope } from '../model.js';
import type { ApiRunnerDetails, ApiUser, GitLabApi } from './api.js';
import type { OwnerProject } from './graphql.js';

/** GitLab's Owner access level. */
const OWNER = 50;

/** The token's user and its roles, each asked at most once and only when it matters. */
export interface TokenUser {
  isAdmin(): Promise<boolean>;
  /** Owner of the group (inherited roles count), or an administrator. */
  ownsGroup(fullPath: string): Promise<boolean>;
}

/**
 * Roles are asked from the top-level group down and inherited: an Owner of
 * `acme` owns every group below it after one request, however many are declared.
 */
export function tokenUser(api: GitLabApi): TokenUser {
  let user: Promise<ApiUser> | undefined;
  const me = (): Promise<ApiUser> => (user ??= api.currentUser());
  const owners = new Map<string, Promise<boolean>>();
  const isAdmin = async (): Promise<boolean> => (await me()).is_admin === true;
  const ownsGroup = (path: string): Promise<boolean> => {
    let p = owners.get(path);
    if (!p) {
      const slash = path.lastIndexOf('/');
      p = (async () => {
        if (await isAdmin()) return true;
        if (slash > 0 && (await ownsGroup(path.slice(0, slash)))) return true;
        return ((await api.groupAccessLevel(path, (await me()).id)) ?? 0) >= OWNER;
      })();
      owners.set(path, p);
    }
    return p;
  };
  return { isAdmin, ownsGroup };
}

/** Adds permissions (and project_count for project runners) to an owned runner read from its REST details. */
export async function withRestPermissions(runner: LiveRunner, detail: ApiRunnerDetails, scope: Scope, who: TokenUser, owner?: OwnerProject | null): Promise<LiveRunner> {
  if (runner.ownership !== 'owned' || runner.partial) return runner;
  return hideWhatGitLabHid(await permitted(runner, detail, scope, who, owner), detail);
}

async function permitted(runner: LiveRunner, detail: ApiRunnerDetails, scope: Scope, who: TokenUser, owner?: OwnerProject | null): Promise<LiveRunner> {
  if (runner.runner_type === 'instance_type') return { ...runner, permissions: { update: true, delete: true } };
  if (runner.runner_type === 'group_type') {
    const may = await who.ownsGroup(scope.path!);
    return { ...runner, permissions: { update: may, delete: may } };
  }
  const facts = owner?.runner;
  if (facts?.permissions) {
    return { ...runner, permissions: facts.permissions, ...(facts.projectCount !== null ? { project_count: facts.projectCount } : {}) };
  }
  const projectCount = Array.isArray(detail.projects) ? detail.projects.length : undefined;
  // GitLab: `~admin & belongs_to_multiple_projects` prevents delete_runner.
  const multi = projectCount !== undefined && projectCount > 1;
  const del = multi ? await who.isAdmin() : true;
  return { ...runner, permissions: { update: true, delete: del }, ...(projectCount !== undefined ? { project_count: projectCount } : {}) };
}

/**
 * GitLab shows the note only to who may update the runner: without that right, a null note is unknown.
 * REST shows no token expiry at all (runner_details.rb): unknown, never "it never expires".
 */
function hideWhatGitLabHid(runner: LiveRunner, detail: ApiRunnerDetails): LiveRunner {
  const hidden: HiddenField[] = [];
  if (runner.permissions?.update === false && (detail.maintenance_note ?? null) === null) hidden.push('maintenance_note');
  if (detail.token_expires_at === undefined) hidden.push('token_expires_at');
  return hidden.length === 0 ? runner : { ...runner, hidden };
}
