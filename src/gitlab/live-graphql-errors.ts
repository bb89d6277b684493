// The GraphQL reader's errors, worded like the REST reader's for the same
// cause: a scope not found, a role missing, or GitLab's own words otherwise.
import type { ScopeType } from '../model.js';
import { GitLabError, runnerRole } from './errors.js';

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function graphQLError(message: string, subject: string, action: string, kind: 'not_found' | 'forbidden' | 'other', said: string | null, role?: string): GitLabError {
  return new GitLabError(message, {
    method: 'POST', path: '/api/graphql', status: 200, context: { subject, action, ...(role ? { role } : {}) },
    kind, gitlabMessage: said, fields: null, requiredScope: null, maybeApplied: false,
  });
}

/** The REST reader's "not found or not visible" error for a scope GraphQL answered null for. */
export function notFound(subject: string, said: string): GitLabError {
  return graphQLError(`${capitalise(subject)} not found or not visible to this token (POST /api/graphql → ${said}).`, subject, `read ${subject}`, 'not_found', null);
}

/** The REST reader's missing-role error, from GraphQL's resource error on a `runners` field (`name`: the scope's path or id). */
export function missingRole(kind: ScopeType, name: string | undefined, message: string): GitLabError {
  const action = kind === 'instance' ? 'list the instance runners' : `list the runners of ${kind} ${name}`;
  const role = runnerRole(kind === 'group' ? 'group_type' : kind === 'project' ? 'project_type' : 'instance_type', name);
  const subject = kind === 'instance' ? 'the instance runner list' : `${kind} ${name}`;
  return graphQLError(`Not allowed to ${action} (POST /api/graphql → ${message}): this needs the ${role}.`, subject, action, 'forbidden', message, role);
}

/** An error on a scope's `runners` field other than a refusal: GitLab's own words, not a guessed role. */
export function runnersFailed(kind: ScopeType, name: string | undefined, message: string): GitLabError {
  const subject = kind === 'instance' ? 'the instance' : `${kind} ${name}`;
  const action = `list the runners of ${subject}`;
  return graphQLError(`GitLab's GraphQL API did not ${action} (POST /api/graphql → ${message}).`, subject, action, 'other', message);
}
