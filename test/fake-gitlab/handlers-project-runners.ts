// Enabling a project runner in another project and disabling it again:
// POST /projects/:id/runners {runner_id} and DELETE /projects/:id/runners/:runner_id,
// rule by rule as GitLab's lib/api/ci/runners.rb runs them (checks in its order).
import { canManageRunner, isProjectMaintainer } from './access.js';
import { arg, me, runnerById, visibleProject, type Ctx, type Reply } from './context.js';
import { runnerListItem } from './entities.js';
import { errors, present, toInt, ApiError } from './http-io.js';
import type { ProjectRec, RunnerRec } from './state.js';

/** GitLab's Ci::Runner#owner for a project runner: the project it was created in (the fake keeps it first). */
function ownerProject(runner: RunnerRec): ProjectRec | undefined {
  return runner.projects[0];
}

/**
 * POST /projects/:id/runners (lib/api/ci/runners.rb `post ':id/runners'`):
 * - `before { authorize! :read_runners, user_project }` and `authorize! :create_runners, user_project`:
 *   a Maintainer (or an administrator), else 403 "403 Forbidden" — before the params are validated;
 * - `get_runner`: 404 "404 Runner Not Found";
 * - `authenticate_enable_runner!`: 403 "Runner is a group runner" (administrators too), then for
 *   non-administrators 403 "Runner is locked" (app/policies/ci/runner_policy.rb `~admin & locked`
 *   prevents :assign_runner) and 403 "No access granted" without :assign_runner (the owner project's
 *   Maintainers; for a runner in several projects, a Maintainer of any of them);
 * - Ci::Runners::AssignRunnerService (app/services/ci/runners/assign_runner_service.rb): its `validate`
 *   refuses a project of another organization than the runner's owner
 *   (`if runner.owner && project.organization_id != runner.owner.organization_id`: message
 *   "runner can only be assigned to projects in the same organization", reason
 *   :project_not_in_same_organization), which lib/api/ci/runners.rb answers with
 *   `render_api_error_with_reason!(:bad_request, result.message, result.reason)` (lib/api/helpers.rb
 *   joins them with " - "): 400. A project runner's owner is its owner project; a project's organization
 *   is its top-level group's. (An instance runner's owner is the User who created it: the fake keeps no
 *   user organizations and lets it reach assign_to.) Then Ci::Runner#assign_to, which raises ArgumentError
 *   for an instance runner (only an administrator gets that far: 500), and whose "has already been taken"
 *   validation error becomes the same 400 with " - runner_error", no "400 Bad request -" prefix
 *   (spec/services/ci/runners/assign_runner_service_spec.rb names the message);
 * - success: 201 with the Entities::Ci::Runner of the runner.
 */
export function enableProjectRunner(ctx: Ctx): Reply {
  const project = visibleProject(ctx, arg(ctx, 0));
  const user = me(ctx);
  if (!isProjectMaintainer(ctx.state, user, project)) throw errors.forbidden();
  if (!present(ctx.params, 'runner_id')) throw errors.param('runner_id is missing');
  const runner_id = toInt(ctx.params.runner_id);
  if (runner_id === undefined) throw errors.param('runner_id is invalid');
  const runner = runnerById(ctx, String(runner_id));
  if (runner.runnerType === 'group_type') throw errors.forbidden('Runner is a group runner');
  if (!user.admin) {
    if (runner.locked) throw errors.forbidden('Runner is locked');
    if (!canManageRunner(ctx.state, user, runner)) throw errors.forbidden('No access granted');
  }
  const owner = runner.runnerType === 'project_type' ? ownerProject(runner) : undefined;
  if (owner && owner.namespace.organizationId !== project.namespace.organizationId) {
    throw new ApiError(400, { message: 'runner can only be assigned to projects in the same organization - project_not_in_same_organization' });
  }
  if (runner.runnerType === 'instance_type') throw new ApiError(500, { message: '500 Internal Server Error' });
  if (runner.projects.includes(project)) {
    throw new ApiError(400, { message: 'Assign to Validation failed: Runner projects runner has already been taken - runner_error' });
  }
  runner.projects.push(project);
  return { status: 201, body: runnerListItem(runner) };
}

/**
 * DELETE /projects/:id/runners/:runner_id (lib/api/ci/runners.rb `delete ':id/runners/:runner_id'`):
 * - `before { authorize! :read_runners, user_project }`: a Maintainer, else 403 "403 Forbidden";
 * - `authenticate_disable_runner!`: 404 "404 Runner Not Found" unless the runner is enabled in the project;
 *   administrators skip the rest; otherwise 403 "Runner is locked" for a locked runner and 403
 *   "No access granted" without :unassign_runner (app/policies/ci/runner_project_policy.rb:
 *   `assigned_to_owner_project` prevents it, so a Maintainer of the owner project gets this too);
 * - Ci::Runners::UnassignRunnerService (app/services/ci/runners/unassign_runner_service.rb), reached by an
 *   administrator on the owner project: 403 "You cannot unassign a runner from the owner project. Delete
 *   the runner instead" (`forbidden!(response.message)`);
 * - success: 204.
 */
export function disableProjectRunner(ctx: Ctx): Reply {
  const project = visibleProject(ctx, arg(ctx, 0));
  const user = me(ctx);
  if (!isProjectMaintainer(ctx.state, user, project)) throw errors.forbidden();
  const runner = ctx.state.runners.get(Number(arg(ctx, 1)));
  if (!runner || !runner.projects.includes(project)) throw errors.notFound('Runner');
  const isOwner = ownerProject(runner) === project;
  if (!user.admin) {
    if (runner.locked) throw errors.forbidden('Runner is locked');
    if (isOwner) throw errors.forbidden('No access granted');
  } else if (isOwner) {
    throw errors.forbidden('You cannot unassign a runner from the owner project. Delete the runner instead');
  }
  runner.projects = runner.projects.filter((p) => p !== project);
  return { status: 204 };
}
