// GET /projects/:id/merge_requests/:iid (python-gitlab's mergerequests.get, before notes).
import { atLeast, projectRole } from './access.js';
import { arg, me, visibleProject, type Ctx, type Reply } from './context.js';
import { ApiError, errors } from './http-io.js';
import type { FakeState, MergeRequestRec, UserRec } from './state.js';

function userBasic(state: FakeState, u: UserRec) {
  return { id: u.id, username: u.username, name: u.name, state: 'active', locked: false, avatar_url: null, web_url: `${state.webBase}/${u.username}` };
}

/** A subset of Entities::MergeRequest: identity, branches, state and author. */
export function mergeRequestEntity(state: FakeState, mr: MergeRequestRec) {
  const updatedAt = mr.notes.reduce((t, n) => (n.updatedAt > t ? n.updatedAt : t), mr.createdAt);
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: mr.project.id,
    title: mr.title,
    description: '',
    state: 'opened',
    created_at: mr.createdAt,
    updated_at: updatedAt,
    merged_by: null,
    merged_at: null,
    closed_by: null,
    closed_at: null,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: mr.notes.length,
    author: mr.author ? userBasic(state, mr.author) : null,
    assignees: [],
    reviewers: [],
    source_project_id: mr.project.id,
    target_project_id: mr.project.id,
    labels: [],
    draft: false,
    work_in_progress: false,
    merge_when_pipeline_succeeds: false,
    detailed_merge_status: 'mergeable',
    sha: null,
    squash: false,
    discussion_locked: null,
    references: {
      short: `!${mr.iid}`,
      relative: `!${mr.iid}`,
      full: `${mr.project.pathWithNamespace}!${mr.iid}`,
    },
    web_url: `${state.webBase}/${mr.project.pathWithNamespace}/-/merge_requests/${mr.iid}`,
  };
}

/** find_merge_request_with_access: an unknown iid is ActiveRecord's "404 Not found". */
export function getMergeRequest(ctx: Ctx): Reply {
  const project = visibleProject(ctx, arg(ctx, 0));
  if (!/^\d+$/.test(arg(ctx, 1))) throw errors.param('merge_request_iid is invalid');
  const mr = ctx.state.mergeRequest(project, Number(arg(ctx, 1)));
  if (!mr) throw new ApiError(404, { message: '404 Not found' });
  const user = me(ctx);
  if (!user.admin && !atLeast(projectRole(ctx.state, user, project), 'guest')) throw errors.forbidden();
  return { status: 200, body: mergeRequestEntity(ctx.state, mr) };
}
