// The errors the transport raises itself, rather than GitLab: a redirect it will
// not follow, an answer too large to read.
import { GitLabError, type RequestContext } from './errors.js';
import type { RedirectRefusedError } from './redirects.js';
import { serverText } from './server-text.js';

interface Where {
  method: string;
  /** As shown: below /api/v4, or /api/graphql. */
  path: string;
  context: RequestContext;
  gitlabUrl: string;
  redact: (t: string) => string;
  graphql: boolean;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A redirect refused before anything was sent to where it points: a definite failure, nothing applied. */
export function redirectRefused(r: RedirectRefusedError, w: Where): GitLabError {
  const to = serverText(r.location, w.redact);
  const req = `${w.method} ${w.path}`;
  const message =
    r.why === 'write'
      ? `GitLab at ${w.gitlabUrl} answered ${req} (to ${w.context.action}) with a redirect (${r.status}) to ${to}. ` +
        'runnerform never follows a redirect on a write: it would send the request again, secrets included, to wherever the redirect points. ' +
        'Nothing was sent there. Use the URL GitLab really answers on as --gitlab-url (https:// rather than http://, the final host of a moved GitLab).'
      : `GitLab at ${w.gitlabUrl} answered ${req} (to ${w.context.action}) with a redirect (${r.status}) to another host or scheme, ${to}. ` +
        'runnerform does not send its token to another host, so nothing was sent there. If that is your GitLab, pass it as --gitlab-url.';
  return new GitLabError(w.redact(message), {
    method: w.method,
    path: w.path,
    status: r.status,
    context: w.context,
    kind: 'redirect',
    gitlabMessage: null,
    fields: null,
    requiredScope: null,
    maybeApplied: false,
  });
}

/** An answer cut off at the size cap: for a write, GitLab may have applied it (its answer is lost to us). */
export function answerTooLarge(size: { bytes: number; announced: boolean }, maxBytes: number, w: Where): GitLabError {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  const maybeApplied = MUTATING.has(w.method) && !w.graphql;
  const message =
    `GitLab at ${w.gitlabUrl} answered ${w.method} ${w.path} (to ${w.context.action}) with more than ${mib(maxBytes)} ` +
    `(${size.announced ? `Content-Length ${mib(size.bytes)}; runnerform did not read it` : `runnerform stopped reading after ${mib(size.bytes)}`}). ` +
    'No GitLab API answer runnerform asks for is that large: check what sits between runnerform and GitLab (a proxy, a login page, a wrong --gitlab-url).' +
    (maybeApplied ? ' The answer was lost: GitLab may have applied the change; read the live state before trying again.' : '');
  return new GitLabError(w.redact(message), {
    method: w.method,
    path: w.path,
    status: null,
    code: 'ERESPONSETOOLARGE',
    context: w.context,
    kind: 'other',
    gitlabMessage: null,
    fields: null,
    requiredScope: null,
    maybeApplied,
  });
}
