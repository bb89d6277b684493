// The REST calls that enable a project runner in another project and disable it
// again (lib/api/ci/runners.rb `post ':id/runners'`, `delete ':id/runners/:runner_id'`),
// and the cheap read that tells whether the token may do either in a project.
import type { GitLabApi } from './api.js';
import { isGitLabError, runnerRole, type RequestContext } from './errors.js';

type Request = <T>(call: {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  context: RequestContext;
}) => Promise<T>;

/**
 * GitLab answers an already enabled runner with 400 and Ci::Runner#assign_to's validation message
 * ("Assign to Validation failed: Runner projects runner has already been taken - runner_error",
 * spec/services/ci/runners/assign_runner_service_spec.rb); enabling is idempotent for runnerform.
 */
export const ALREADY_ENABLED = /has already been taken/i;

export function projectRunnerCalls(
  request: Request,
  enc: (idOrPath: number | string) => string,
): Required<Pick<GitLabApi, 'enableProjectRunner' | 'disableProjectRunner' | 'mayManageProjectRunners'>> {
  // Errors name the project by its path when the caller knows it (GitLab's refusals name neither).
  const ctx = (projectId: number, action: string, projectPath?: string): RequestContext => ({
    subject: `project ${projectPath ?? projectId}`,
    action,
    role: runnerRole('project_type', String(projectId)),
  });
  return {
    enableProjectRunner: async (projectId, runner_id, projectPath) => {
      try {
        await request<unknown>({
          method: 'POST',
          path: `projects/${enc(projectId)}/runners`,
          json: { runner_id: runner_id },
          context: ctx(projectId, `enable runner #${runner_id} in project ${projectPath ?? projectId}`, projectPath),
        });
        return 'enabled';
      } catch (err) {
        if (isGitLabError(err) && err.status === 400 && ALREADY_ENABLED.test(err.gitlabMessage ?? '')) return 'already';
        throw err;
      }
    },
    disableProjectRunner: async (projectId, runner_id, projectPath) => {
      try {
        await request<unknown>({
          method: 'DELETE',
          path: `projects/${enc(projectId)}/runners/${runner_id}`,
          context: ctx(projectId, `disable runner #${runner_id} in project ${projectPath ?? projectId}`, projectPath),
        });
        return 'disabled';
      } catch (err) {
        if (isGitLabError(err) && err.kind === 'not_found') return 'gone';
        throw err;
      }
    },
    // `before { authorize! :read_runners, user_project }` guards both endpoints: the same rule answers this read.
    mayManageProjectRunners: async (projectId) => {
      try {
        await request<unknown>({
          method: 'GET',
          path: `projects/${enc(projectId)}/runners`,
          searchParams: { type: 'project_type', per_page: 1 },
          context: ctx(projectId, `list the runners of project ${projectId}`),
        });
        return true;
      } catch (err) {
        if (isGitLabError(err) && err.kind === 'forbidden') return false;
        throw err;
      }
    },
  };
}
