// The got instance of one GitLab: TLS, proxy, timeouts, retries (we choose the
// wait, got enforces the rules), redirects, the size cap, and the --debug lines.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import got, { type Got, type RequestError, type Response } from 'got';
import { VERSION } from '../version.js';
import { isGraphQLTimeout } from './graphql.js';
import { agentsFor } from './proxy.js';
import { refuseUnsafeRedirects } from './redirects.js';
import { limitResponseSize } from './response-size.js';
import { RETRY_ERROR_CODES, RETRY_METHODS, RETRY_STATUS_CODES, retryDelayMs, type RetryPolicy } from './retry.js';

export interface GotSettings {
  gitlabUrl: string;
  token: string;
  policy: RetryPolicy;
  timeoutMs: number;
  maxBytes: number;
  caFile?: string;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Called before every request attempt (for stats). */
  onRequest: () => void;
}

/** What calculateDelay tells the caller about a retry (through got's `context`). */
export type RetryListener = (r: { code: string | undefined; count: number }) => void;

/** Builds the TLS CA list: bundled roots + NODE_EXTRA_CA_CERTS + --ca-file. Undefined keeps Node's default. */
function certificateAuthorities(caFile: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  if (!caFile) return undefined; // Node's defaults already include NODE_EXTRA_CA_CERTS.
  const cas = [...tls.rootCertificates];
  // Passing `ca` replaces Node's store, which would drop NODE_EXTRA_CA_CERTS: add it back.
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra) cas.push(readFileSync(extra, 'utf8'));
  cas.push(readFileSync(caFile, 'utf8'));
  return cas;
}

export function gotFor(settings: GotSettings): Got {
  const { gitlabUrl, policy, log } = settings;
  const apiUrl = `${gitlabUrl}/api/v4`;
  const apiPathPrefix = new URL(apiUrl).pathname;
  const refuseRedirect = refuseUnsafeRedirects(new URL(gitlabUrl).origin);

  const displayPath = (url: URL | string | undefined): string => {
    if (url === undefined) return '?';
    const u = typeof url === 'string' ? new URL(url) : url;
    const p = u.pathname.startsWith(apiPathPrefix) ? u.pathname.slice(apiPathPrefix.length) : u.pathname;
    return `${p}${u.search}`;
  };
  const elapsed = (start: number | undefined): string => (start ? `${Math.round(Date.now() - start)}ms` : '?ms');

  return got.extend({
    prefixUrl: apiUrl,
    headers: { 'PRIVATE-TOKEN': settings.token, 'user-agent': `runnerform/${VERSION}`, accept: 'application/json' },
    responseType: 'json',
    timeout: { request: settings.timeoutMs },
    agent: agentsFor(new URL(gitlabUrl), settings.env),
    https: { certificateAuthority: certificateAuthorities(settings.caFile, settings.env) },
    handlers: [limitResponseSize(settings.maxBytes)],
    retry: {
      limit: policy.limit,
      methods: [...RETRY_METHODS],
      statusCodes: RETRY_STATUS_CODES,
      errorCodes: RETRY_ERROR_CODES,
      maxRetryAfter: policy.maxRetryAfterMs,
      // Let got enforce limit/methods/status codes; we only choose the wait.
      enforceRetryRules: true,
      calculateDelay: ({ attemptCount, retryAfter, error }) => {
        // The live reader splits a batch GitLab timed out on instead (0: no retry).
        if (error.options.context.splitOnTimeout === true && isGraphQLTimeout(error.response?.statusCode, error.response?.body)) return 0;
        const reset = error.response?.headers['ratelimit-reset'];
        const delay = retryDelayMs(policy, {
          attempt: attemptCount,
          // A GraphQL query is a read sent as POST: retry it like a GET.
          method: error.options.context.readOnly === true ? 'GET' : error.options.method,
          code: error.response ? undefined : error.code,
          retryAfterMs: retryAfter,
          status: error.response?.statusCode,
          rateLimitReset: typeof reset === 'string' ? reset : undefined,
          nowMs: Date.now(),
          random: Math.random(),
        });
        // Logged and recorded here, not in a beforeRetry hook: on Node >= 24.20 the retry can fail
        // before beforeRetry runs (see toError).
        if (delay > 0) {
          const what = error.response ? String(error.response.statusCode) : (error.code ?? 'error');
          if (!error.response) log?.(`${error.options.method} ${displayPath(error.options.url)} ${what} ${elapsed(error.timings?.start)}`);
          log?.(`  retry ${attemptCount}/${policy.limit} of ${error.options.method} ${displayPath(error.options.url)} after ${what}`);
          const onRetry = error.options.context.onRetry as RetryListener | undefined;
          onRetry?.({ code: error.response ? undefined : error.code, count: attemptCount });
        }
        return delay;
      },
    },
    hooks: {
      beforeRequest: [
        () => {
          settings.onRequest();
        },
      ],
      beforeRedirect: [
        (next, response) => {
          log?.(`redirect ${response.statusCode} → ${next.url instanceof URL ? next.url.origin : '?'}`);
          return refuseRedirect(next, response);
        },
      ],
      afterResponse: [
        (response: Response) => {
          log?.(`${response.request.options.method} ${displayPath(response.url)} ${response.statusCode} ${elapsed(response.timings.start)}`);
          return response;
        },
      ],
      beforeError: [
        (error: RequestError) => {
          if (!error.response) log?.(`${error.options?.method ?? '?'} ${displayPath(error.options?.url)} ${error.code ?? 'error'} ${elapsed(error.timings?.start)}`);
          return error;
        },
      ],
    },
  });
}
