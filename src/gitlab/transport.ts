// How runnerform talks HTTP to one GitLab: got configured for it (TLS, proxy,
// timeouts, retries, redirects, a size cap, a redacted --debug log) behind a
// shared concurrency limiter, and got's errors turned into clean GitLabErrors.
import type { RequestError } from 'got';
import { makeRedactor, rememberSecret, type Redactor } from '../secrets.js';
import { gitLabErrorFrom, type GitLabError, type RequestContext } from './errors.js';
import { gotFor, type RetryListener } from './got-instance.js';
import { createLimiter } from './limiter.js';
import { createPageGuard, MAX_PAGES, nextPage, PaginationError } from './pagination.js';
import { describeProxy, proxyFor } from './proxy.js';
import { RedirectRefusedError } from './redirects.js';
import { MAX_RESPONSE_BYTES, type TooLargeListener } from './response-size.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { serverText } from './server-text.js';
import { answerTooLarge, redirectRefused } from './transport-errors.js';

export interface TransportOptions {
  /** GitLab URL without /api/v4, e.g. https://gitlab.com or https://git.example.com/gitlab. */
  gitlabUrl: string;
  /** Personal, group or project access token, sent as PRIVATE-TOKEN (REST) or Bearer (GraphQL). */
  token: string;
  /** Most pages one list may fetch before failing (default MAX_PAGES). */
  maxPages?: number;
  /** Requests in flight at once, shared by all calls (default 8). */
  parallelism?: number;
  /** PEM file with extra CA certificates (added to the bundled ones). */
  caFile?: string;
  /** Receives one redacted line per request for --debug. */
  log?: (line: string) => void;
  retry?: Partial<RetryPolicy>;
  /** Timeout of each attempt in ms (default 30 s). */
  timeoutMs?: number;
  /** Largest answer read, in bytes (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Environment for HTTPS_PROXY/NO_PROXY/NODE_EXTRA_CA_CERTS (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_PARALLELISM = 8;
const MAX_LOG_LINE_BYTES = 16_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
const PER_PAGE = 100;

/** One REST call. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /api/v4, without leading slash; path segments already encoded. */
  path: string;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  context: RequestContext;
}

/** What one call's attempts saw, recorded through got's `context` (functions: got copies plain objects there). */
interface Seen {
  /** The last retried attempt (set by calculateDelay). */
  lastRetry?: { code: string | undefined; count: number };
  /** An answer over the size cap: its announced size, or what was read. */
  tooLarge?: { bytes: number; announced: boolean };
}

function observer(seen: Seen): { onRetry: RetryListener; onTooLarge: TooLargeListener } {
  return {
    onRetry: (r) => {
      seen.lastRetry = r;
    },
    onTooLarge: (bytes, announced) => {
      seen.tooLarge = { bytes, announced };
    },
  };
}

/** One GraphQL answer as it arrived (status 200 with `errors` included); HTTP errors are thrown as GitLabError. */
export interface RawGraphQLAnswer {
  status: number;
  body: unknown;
  attempts: number;
}

export interface Transport {
  /** The GitLab URL, normalised: no trailing slash, no /api/v4. */
  readonly gitlabUrl: string;
  readonly redact: Redactor;
  /** The redacted --debug log, when on. */
  readonly log?: (line: string) => void;
  // Function-valued properties, not methods: callers pass them around unbound (rest-endpoints.ts).
  readonly stats: () => { requests: number; peakConcurrency: number };
  /** One REST call; the answer's JSON body. */
  readonly request: <T>(call: Call) => Promise<T>;
  /** GET every page of a list (per_page=100), following x-next-page or Link rel=next to the end. */
  readonly list: <T>(call: Omit<Call, 'method'>) => Promise<T[]>;
  /**
   * POST /api/graphql with the documented `Authorization: Bearer` header (no
   * PRIVATE-TOKEN). `splitOnTimeout`: GitLab's 503 "Request timed out" is not
   * retried, the caller asks for less instead.
   */
  postGraphQL(body: { query: string; variables: Record<string, unknown> }, context: RequestContext, splitOnTimeout: boolean): Promise<RawGraphQLAnswer>;
}

/** The GitLab URL as every part of runnerform spells it: no trailing slash, no /api/v4. */
export function normaliseGitLabUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

const isJsonObject = (text: unknown): boolean => {
  try {
    const v: unknown = typeof text === 'string' ? JSON.parse(text) : text;
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
};

export function createTransport(opts: TransportOptions): Transport {
  const gitlabUrl = normaliseGitLabUrl(opts.gitlabUrl);
  const graphqlUrl = `${gitlabUrl}/api/graphql`;
  const origin = new URL(gitlabUrl).origin;
  const env = opts.env ?? process.env;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const maxBytes = opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const limiter = createLimiter(opts.parallelism ?? DEFAULT_PARALLELISM);
  // Every redaction in this process masks the PAT from now on, whatever its shape.
  rememberSecret(opts.token);
  const redact = makeRedactor([opts.token]);
  // A debug line may quote a server (a redirect's target) and list a whole GraphQL batch: escaped, redacted, cut generously.
  const log = opts.log ? (line: string) => opts.log!(serverText(line, redact, MAX_LOG_LINE_BYTES)) : undefined;
  const proxy = proxyFor(new URL(gitlabUrl), env);
  const proxyShown = proxy ? describeProxy(proxy) : undefined;
  if (proxy) log?.(`proxy ${describeProxy(proxy)} for ${origin}`);
  let requests = 0;

  const http = gotFor({
    gitlabUrl,
    token: opts.token,
    policy,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes,
    caFile: opts.caFile,
    env,
    log,
    onRequest: () => {
      requests++;
    },
  });

  /** Converts got's error (which holds the request headers) into a clean GitLabError. */
  const toError = (err: unknown, call: Call, seen: Seen, graphql = false, notGitLab = false): GitLabError | Error => {
    const e = err as Partial<RequestError> & { name?: string };
    const display = graphql ? '/api/graphql' : `/${call.path}`;
    const where = { method: call.method, path: display, context: call.context, gitlabUrl, redact, graphql };
    if (seen.tooLarge !== undefined) return answerTooLarge(seen.tooLarge, maxBytes, where);
    if (e?.cause instanceof RedirectRefusedError) return redirectRefused(e.cause, where);
    const facts = { graphql, method: call.method, path: display, context: call.context, redact, gitlabUrl, proxy: proxyShown, notGitLab };
    // Node >= 24.20 with got 14: the retry of a refused connection fails before connecting with
    // ERR_SOCKET_CLOSED_BEFORE_CONNECTION, outside got's retry (got#2469; fixed in got 16, which
    // needs Node 22). Report what the attempt before it saw, and count that retry.
    const retried = seen.lastRetry;
    if (e && typeof e === 'object' && e.code === 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' && retried?.code) {
      return gitLabErrorFrom({ ...facts, status: null, body: undefined, code: retried.code, attempts: retried.count + 1 });
    }
    if (e && typeof e === 'object' && ('code' in e || 'response' in e)) {
      return gitLabErrorFrom({
        ...facts,
        status: e.response?.statusCode ?? null,
        body: e.response?.body,
        code: e.response ? undefined : (e.code ?? e.name),
        attempts: (e.request?.retryCount ?? 0) + 1,
      });
    }
    if (err instanceof PaginationError) {
      // The message quotes the server's pagination headers.
      return new Error(serverText(`GitLab at ${gitlabUrl}: could not ${call.context.action}: the list ${err.message}. Nothing was changed by this read; check what sits between runnerform and GitLab.`, redact));
    }
    // Not a got error (a bug of ours): keep the message, drop everything else.
    return new Error(serverText(err instanceof Error ? err.message : String(err), redact));
  };

  /**
   * Whether the API root answers like GitLab's: asked once, and only after a
   * 404, so that a wrong --gitlab-url is not reported as "group … not found".
   * Any JSON answer (a 401 or 403 too) proves an API is there.
   */
  let apiRootProbe: Promise<boolean> | undefined;
  const apiRootAnswers = (): Promise<boolean> =>
    (apiRootProbe ??= http('user', { responseType: 'text', throwHttpErrors: false, retry: { limit: 0 } }).then(
      (r) => r.statusCode !== 404 && isJsonObject(r.body),
      () => true, // no answer at all: keep the original error
    ));

  /** The error for a failed REST call; a 404 first checks the API root is GitLab's. */
  const failure = async (err: unknown, call: Call, seen: Seen): Promise<GitLabError | Error> => {
    const status = (err as Partial<RequestError>)?.response?.statusCode;
    const notGitLab = status === 404 && !(await apiRootAnswers());
    return toError(err, call, seen, false, notGitLab);
  };

  const request = <T>(call: Call): Promise<T> =>
    limiter.run(async () => {
      const seen: Seen = {};
      try {
        return await http(call.path, { method: call.method, searchParams: call.searchParams, json: call.json, context: observer(seen) }).json<T>();
      } catch (err) {
        throw await failure(err, call, seen);
      }
    });

  const list = <T>(listCall: Omit<Call, 'method'>): Promise<T[]> =>
    limiter.run(async () => {
      const call: Call = { ...listCall, method: 'GET' };
      const seen: Seen = {};
      const guard = createPageGuard(opts.maxPages ?? MAX_PAGES);
      try {
        return await http.paginate.all<T>(call.path, {
          method: 'GET',
          searchParams: { ...call.searchParams, per_page: PER_PAGE },
          context: observer(seen),
          pagination: {
            // GitLab caps offset pagination; only our own limits should end the walk.
            countLimit: Number.POSITIVE_INFINITY,
            requestLimit: Number.POSITIVE_INFINITY,
            paginate: ({ response }) => {
              const next = nextPage(response.headers, origin);
              if (next === null) return false;
              guard.check(response.requestUrl, next);
              return 'page' in next ? { searchParams: { page: next.page } } : { url: next.url };
            },
          },
        });
      } catch (err) {
        throw await failure(err, call, seen);
      }
    });

  const postGraphQL: Transport['postGraphQL'] = (body, context, splitOnTimeout) =>
    limiter.run(async () => {
      const call: Call = { method: 'POST', path: 'api/graphql', json: body, context };
      const seen: Seen = {};
      try {
        const response = await http<unknown>(graphqlUrl, {
          prefixUrl: '',
          method: 'POST',
          json: body,
          headers: { 'private-token': undefined, authorization: `Bearer ${opts.token}` },
          context: { readOnly: true, splitOnTimeout, ...observer(seen) },
        });
        return { status: response.statusCode, body: response.body, attempts: response.retryCount + 1 };
      } catch (err) {
        throw toError(err, call, seen, true);
      }
    });

  return { gitlabUrl, redact, log, stats: () => ({ requests, peakConcurrency: limiter.peak }), request, list, postGraphQL };
}
