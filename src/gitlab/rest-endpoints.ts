// GitLab's REST endpoints runnerform uses, one method each, over the transport.
import { rememberSecret } from '../secrets.js';
import { VERIFY_SYSTEM_ID } from '../model.js';
import type { ApiCreatedRunner, ApiGroup, ApiNote, ApiProject, ApiResetToken, ApiRunnerDetails, ApiRunnerListItem, ApiUser, ApiVariable, GitLabApi, VariableOwner } from './api.js';
import { isGitLabError, runnerRole, type GitLabError, type RequestContext } from './errors.js';
import type { Transport } from './transport.js';

/** Every method of GitLabApi that is one REST endpoint. */
export type RestEndpoints = Omit<GitLabApi, 'gitlabUrl' | 'runnerOwnerProject'>;

const enc = (idOrPath: number | string): string => encodeURIComponent(String(idOrPath));

const runnerCtx = (id: number, action: string): RequestContext => ({
  subject: `runner #${id}`,
  action: `${action} runner #${id}`,
  role: runnerRole(undefined),
});

const variablesPath = (owner: VariableOwner): string => `${owner.type === 'group' ? 'groups' : 'projects'}/${enc(owner.idOrPath)}/variables`;

const variableCtx = (owner: VariableOwner, key: string, action: string): RequestContext => ({
  subject: `${owner.type} ${owner.idOrPath}`,
  action: `${action} CI/CD variable ${key} of ${owner.type} ${owner.idOrPath}`,
  role: owner.type === 'group' ? `Owner role on group ${owner.idOrPath}` : `Maintainer role on project ${owner.idOrPath}`,
});

const noteCtx = (projectId: number | string, iid: number) => ({ subject: `merge request !${iid} of project ${projectId}` });

/** A runner token GitLab just issued: every later redaction masks it, whatever its shape. */
function issued<T extends { token: string }>(answer: T): T {
  rememberSecret(answer.token);
  return answer;
}

export function restEndpoints(t: Transport): RestEndpoints {
  const { request, list } = t;
  return {
    currentUser: () => request<ApiUser>({ method: 'GET', path: 'user', context: { subject: 'the current user', action: 'read the token\'s user' } }),

    groupAccessLevel: (group, userId) =>
      request<{ access_level: number }>({
        method: 'GET',
        path: `groups/${enc(group)}/members/all/${userId}`,
        context: { subject: `the token's membership of group ${group}`, action: `read the token's role in group ${group}` },
      }).then(
        (m) => m.access_level,
        (err: unknown) => {
          if (isGitLabError(err) && err.status === 404) return null;
          throw err;
        },
      ),

    getGroup: (idOrPath) =>
      request<ApiGroup>({
        method: 'GET',
        path: `groups/${enc(idOrPath)}`,
        searchParams: { with_projects: 'false' },
        context: { subject: `group ${idOrPath}`, action: `read group ${idOrPath}` },
      }),

    getProject: (idOrPath) =>
      request<ApiProject>({ method: 'GET', path: `projects/${enc(idOrPath)}`, context: { subject: `project ${idOrPath}`, action: `read project ${idOrPath}` } }),

    listGroupRunners: (group, fullPath) => {
      const name = fullPath ?? String(group);
      return list<ApiRunnerListItem>({
        path: `groups/${enc(group)}/runners`,
        searchParams: { type: 'group_type' },
        context: { subject: `group ${name}`, action: `list the runners of group ${name}`, role: runnerRole('group_type', name) },
      });
    },

    listProjectRunners: (projectId, fullPath) => {
      const name = fullPath ?? String(projectId);
      return list<ApiRunnerListItem>({
        path: `projects/${projectId}/runners`,
        searchParams: { type: 'project_type' },
        context: { subject: `project ${name}`, action: `list the runners of project ${name}`, role: runnerRole('project_type', name) },
      });
    },

    listInstanceRunners: () =>
      list<ApiRunnerListItem>({
        path: 'runners/all',
        searchParams: { type: 'instance_type' },
        context: { subject: 'the instance runner list', action: 'list the instance runners', role: runnerRole('instance_type') },
      }),

    getRunner: (id) => request<ApiRunnerDetails>({ method: 'GET', path: `runners/${id}`, context: runnerCtx(id, 'read') }),

    createRunner: async (body) => {
      const target = body.runner_type === 'group_type' ? `group ${body.group_id}` : body.runner_type === 'project_type' ? `project ${body.project_id}` : 'the instance';
      const context = { subject: target, action: `create runner "${body.description}" in ${target}`, role: runnerRole(body.runner_type, target.replace(/^(group|project) /, '')) };
      return issued(await request<ApiCreatedRunner>({ method: 'POST', path: 'user/runners', json: body, context }));
    },

    updateRunner: (id, body) => request<ApiRunnerDetails>({ method: 'PUT', path: `runners/${id}`, json: body, context: runnerCtx(id, 'update') }),

    deleteRunner: async (id) => {
      try {
        await request<unknown>({ method: 'DELETE', path: `runners/${id}`, context: runnerCtx(id, 'delete') });
        return 'deleted';
      } catch (err) {
        // Already gone (deleted by someone else, or by our own earlier attempt whose answer was lost).
        if ((err as GitLabError).kind === 'not_found') return 'gone';
        throw err;
      }
    },

    resetRunnerToken: async (id) =>
      issued(await request<ApiResetToken>({ method: 'POST', path: `runners/${id}/reset_authentication_token`, context: runnerCtx(id, 'reset the token of') })),

    verifyRunnerToken: async (token) => {
      // Masked in every later message, like the tokens GitLab issues; sent only to this GitLab.
      rememberSecret(token);
      try {
        await request<unknown>({
          method: 'POST',
          path: 'runners/verify',
          // Its own system_id: the manager GitLab makes for this check is told apart from a host's (model.ts).
          json: { token, system_id: VERIFY_SYSTEM_ID },
          context: { subject: 'a stored runner token', action: 'verify a stored runner token' },
        });
        return 'valid';
      } catch (err) {
        // GitLab's refusal only (lib/api/ci/helpers/runner.rb `forbidden!`: {"message":"403 Forbidden"},
        // "403 Forbidden - Runner is orphaned"): a 403 a proxy or firewall sends in its place says nothing
        // about the token, and a token taken for dead is dropped from the tokens file.
        if (isGitLabError(err) && err.status === 403 && /^403 Forbidden\b/.test(err.gitlabMessage ?? '')) return 'invalid';
        throw err;
      }
    },

    getVariable: async (owner, key, environmentScope) => {
      try {
        return await request<ApiVariable>({
          method: 'GET',
          path: `${variablesPath(owner)}/${enc(key)}`,
          searchParams: { 'filter[environment_scope]': environmentScope },
          context: variableCtx(owner, key, 'read'),
        });
      } catch (err) {
        // "404 Variable Not Found" means absent; a 404 for the project or group itself stays an error.
        const e = err as GitLabError;
        if (e.kind === 'not_found' && /variable/i.test(e.gitlabMessage ?? '')) return null;
        throw err;
      }
    },

    createVariable: (owner, body) => request<ApiVariable>({ method: 'POST', path: variablesPath(owner), json: body, context: variableCtx(owner, body.key, 'create') }),

    updateVariable: (owner, key, environmentScope, body) =>
      request<ApiVariable>({
        method: 'PUT',
        path: `${variablesPath(owner)}/${enc(key)}`,
        searchParams: { 'filter[environment_scope]': environmentScope },
        json: body,
        context: variableCtx(owner, key, 'update'),
      }),

    listMergeRequestNotes: (projectId, iid) =>
      list<ApiNote>({
        path: `projects/${enc(projectId)}/merge_requests/${iid}/notes`,
        searchParams: { sort: 'asc', order_by: 'created_at' },
        context: { ...noteCtx(projectId, iid), action: `list the notes of merge request !${iid}` },
      }),

    createMergeRequestNote: (projectId, iid, body) =>
      request<ApiNote>({
        method: 'POST',
        path: `projects/${enc(projectId)}/merge_requests/${iid}/notes`,
        json: { body },
        context: { ...noteCtx(projectId, iid), action: `comment on merge request !${iid}`, role: 'Reporter role (or higher) on the project' },
      }),

    updateMergeRequestNote: (projectId, iid, noteId, body) =>
      request<ApiNote>({
        method: 'PUT',
        path: `projects/${enc(projectId)}/merge_requests/${iid}/notes/${noteId}`,
        json: { body },
        context: { subject: `note ${noteId} of merge request !${iid}`, action: `update note ${noteId} of merge request !${iid}`, role: 'authorship of the note' },
      }),
  };
}
