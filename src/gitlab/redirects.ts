// Which redirects the client follows. Every request runnerform sends carries a
// secret (PRIVATE-TOKEN, a Bearer header, a runner token in a variable's body),
// and got keeps the method and body on 307/308 — and, with methodRewriting off,
// on 301/302 too: a write redirected elsewhere would hand a runner token to
// whoever answers there. So only a read (GET/HEAD) to the same origin is followed.
import type { BeforeRedirectHook } from 'got';

/** Thrown from got's beforeRedirect hook: the next request is never made. */
export class RedirectRefusedError extends Error {
  constructor(
    readonly status: number,
    /** The method of the request that was redirected. */
    readonly method: string,
    /** Where the redirect pointed (absolute). */
    readonly location: string,
    readonly why: 'write' | 'other_origin',
  ) {
    super(`redirect ${status} to ${location} refused (${why})`);
    this.name = 'RedirectRefusedError';
  }
}

const READS = new Set(['GET', 'HEAD']);

/** A beforeRedirect hook that refuses a redirect of a write, and any redirect away from `gitlabOrigin`. */
export function refuseUnsafeRedirects(gitlabOrigin: string): BeforeRedirectHook {
  return (next, response) => {
    // `next` already holds the redirected request; the response's request still has the original method.
    const method = response.request.options.method.toUpperCase();
    const to = next.url instanceof URL ? next.url : new URL(String(next.url));
    if (!READS.has(method)) throw new RedirectRefusedError(response.statusCode, method, to.href, 'write');
    if (to.origin !== gitlabOrigin) throw new RedirectRefusedError(response.statusCode, method, to.href, 'other_origin');
  };
}
