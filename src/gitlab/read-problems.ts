// Every problem of one read at once: a file with two mistyped group paths, or
// a scope the token may not list beside one that does not exist, is told in one
// run, like `validate` tells every problem of the file.
import { GitLabError, isGitLabError } from './errors.js';

/** Problems a user fixes in the file or the token's roles; anything else (network, 5xx) fails the read as it is. */
export function isScopeProblem(err: unknown): err is GitLabError {
  return isGitLabError(err) && (err.kind === 'not_found' || err.kind === 'forbidden');
}

/**
 * One error for the problems of a read: the only one as it is, several as one
 * GitLabError (the first one's facts) listing each on its own line with a count.
 */
export function combinedProblems(problems: GitLabError[]): GitLabError {
  const [first] = problems;
  if (first === undefined) throw new Error('combinedProblems needs at least one problem');
  if (problems.length === 1) return first;
  const message = `${problems.map((p) => p.message).join('\n')}\n${problems.length} problems found reading GitLab; nothing was changed.`;
  return new GitLabError(message, {
    method: first.method, path: first.path, status: first.status, code: first.code ?? undefined, attempts: first.attempts,
    context: { subject: 'the declared scopes', action: 'read the declared scopes' },
    kind: first.kind, gitlabMessage: first.gitlabMessage, fields: first.fields, requiredScope: first.requiredScope, maybeApplied: false,
  });
}

/** The values of settled promises; rejections that are scope problems are thrown together, any other first. */
export function valuesOrProblems<T>(results: PromiseSettledResult<T>[]): T[] {
  const other = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isScopeProblem(r.reason));
  if (other) throw other.reason;
  const problems = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as GitLabError] : []));
  if (problems.length > 0) throw combinedProblems(problems);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
