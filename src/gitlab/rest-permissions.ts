// What the REST reader can tell about GitLab's userPermissions of an owned
// runner, so plans made through REST predict the same refusals as GraphQL's.
//
// REST cannot know everything GraphQL says:
// - a group Maintainer can read a group runner but only an Owner may update it:
//   REST sees the details either way and assumes the runner may be updated;
// - a runner's `projects` list only the projects the token may read, so a
//   project runner also enabled in a project the token cannot see counts too
//   few projects. The owner query the REST reader already sends for project
//   runners asks GitLab's projectCount and userPermissions too, so project
//   runners are exact; the count from `projects` is only a fallback.
import type { LiveRunner } from '../model.js';
import type { ApiRunnerDetails } from './api.js';
import type { OwnerProject } from './graphql.js';

/** Whether the token's user is an administrator, asked at most once and only when it matters. */
export type IsAdmin = () => Promise<boolean>;

/** Adds permissions (and project_count for project runners) to an owned runner read from its REST details. */
export async function withRestPermissions(runner: LiveRunner, detail: ApiRunnerDetails, isAdmin: IsAdmin, owner?: OwnerProject | null): Promise<LiveRunner> {
  if (runner.ownership !== 'owned' || runner.partial) return runner;
  if (runner.runner_type !== 'project_type') return { ...runner, permissions: { update: true, delete: true } };
  const facts = owner?.runner;
  if (facts?.permissions) {
    return { ...runner, permissions: facts.permissions, ...(facts.projectCount !== null ? { project_count: facts.projectCount } : {}) };
  }
  const projectCount = Array.isArray(detail.projects) ? detail.projects.length : undefined;
  // GitLab: `~admin & belongs_to_multiple_projects` prevents delete_runner.
  const multi = projectCount !== undefined && projectCount > 1;
  const del = multi ? await isAdmin() : true;
  return { ...runner, permissions: { update: true, delete: del }, ...(projectCount !== undefined ? { project_count: projectCount } : {}) };
}
