// The GitLab REST client: got configured for GitLab (pagination, retries,
// timeouts, TLS, proxy, redacted debug log) behind a shared concurrency limiter.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import got, { type Got, type RequestError, type Response } from 'got';
import { VERSION } from '../version.js';
import type {
  ApiCreatedRunner,
  ApiGroup,
  ApiNote,
  ApiProject,
  ApiResetToken,
  ApiRunnerDetails,
  ApiRunnerListItem,
  ApiUser,
  ApiVariable,
  CreateRunnerBody,
  CreateVariableBody,
  GitLabApi,
  UpdateRunnerBody,
  UpdateVariableBody,
  VariableOwner,
} from './api.js';
import { gitLabErrorFrom, graphQLErrorFrom, runnerRole, type GitLabError, type RequestContext } from './errors.js';
import type { ApiRunnerManager } from './health-fields.js';
import { graphQLErrorMessages, isGraphQLTimeout, ownerProjectFrom, RUNNER_OWNER_FACTS_QUERY, runnerGid, UnexpectedAnswerError, type OwnerProject } from './graphql.js';
import { createLimiter } from './limiter.js';
import type { ReadSettings } from './read-live.js';
import { createPageGuard, MAX_PAGES, nextPage, PaginationError } from './pagination.js';
import { agentsFor, describeProxy, proxyFor } from './proxy.js';
import { makeRedactor } from '../secrets.js';
import { DEFAULT_RETRY, RETRY_ERROR_CODES, RETRY_METHODS, RETRY_STATUS_CODES, retryDelayMs, type RetryPolicy } from './retry.js';

export interface ClientOptions {
  /** Most pages one list may fetch before failing (default MAX_PAGES). */
  maxPages?: number;
  /** GitLab URL without /api/v4, e.g. https://gitlab.com or https://git.example.com/gitlab. */
  url: string;
  /** Personal, group or project access token, sent as PRIVATE-TOKEN. */
  token: string;
  /** Requests in flight at once, shared by all calls of this client (default 8). */
  parallelism?: number;
  /** PEM file with extra CA certificates (added to the bundled ones). */
  caFile?: string;
  /** Receives one redacted line per request for --debug. */
  log?: (line: string) => void;
  retry?: Partial<RetryPolicy>;
  /** Timeout of each attempt in ms (default 30 s). */
  timeoutMs?: number;
  /** Environment for HTTPS_PROXY/NO_PROXY/NODE_EXTRA_CA_CERTS (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How the live state is read (--api, --graphql-batch); default GraphQL. */
  read?: ReadSettings;
}

export const DEFAULT_PARALLELISM = 8;
export const DEFAULT_TIMEOUT_MS = 30_000;
const PER_PAGE = 100;

/** GitLabApi plus counters that tests, --debug and the benchmark read. */
export interface GitLabClient extends GitLabApi {
  stats(): { requests: number; peakConcurrency: number };
  graphql: RawGraphQL;
  readonly readSettings: ReadSettings;
  /** The redacted --debug log, when on. */
  readonly log?: (line: string) => void;
  /** GET /runners/:id/managers (lib/api/ci/runners.rb). */
  runnerManagers(id: number): Promise<ApiRunnerManager[]>;
}

/** One GraphQL answer as it arrived (status 200 with `errors` included); HTTP errors are thrown as GitLabError. */
export interface RawGraphQLAnswer {
  status: number;
  body: unknown;
  attempts: number;
}

/**
 * POST /api/graphql without interpreting `errors` (the live reader needs partial
 * answers). A 503 is not retried here: the caller splits the batch instead.
 */
export type RawGraphQL = (query: string, variables: Record<string, unknown>, context: RequestContext, note?: string) => Promise<RawGraphQLAnswer>;

/** Records a call's last retry; a function, because got copies plain objects in `context`. */
function retryTracker(call: Call): (r: Call['lastRetry']) => void {
  return (r) => {
    call.lastRetry = r;
  };
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /api/v4, without leading slash; path segments already encoded. */
  path: string;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  context: RequestContext;
  /** What the last retried attempt saw (set by calculateDelay, see retryTracker). */
  lastRetry?: { code: string | undefined; count: number };
}

const isJsonObject = (text: unknown): boolean => {
  try {
    const v: unknown = typeof text === 'string' ? JSON.parse(text) : text;
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
};

const enc = (idOrPath: number | string): string => encodeURIComponent(String(idOrPath));

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

export function createGitLabClient(opts: ClientOptions): GitLabClient {
  const baseUrl = opts.url.replace(/\/+$/, '');
  const apiBase = `${baseUrl}/api/v4`;
  const origin = new URL(baseUrl).origin;
  const apiPathPrefix = new URL(apiBase).pathname;
  const env = opts.env ?? process.env;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const limiter = createLimiter(opts.parallelism ?? DEFAULT_PARALLELISM);
  const redactText = makeRedactor([opts.token]);
  const log = opts.log ? (line: string) => opts.log!(redactText(line)) : undefined;
  let requests = 0;

  const displayPath = (url: URL | string | undefined): string => {
    if (url === undefined) return '?';
    const u = typeof url === 'string' ? new URL(url) : url;
    const p = u.pathname.startsWith(apiPathPrefix) ? u.pathname.slice(apiPathPrefix.length) : u.pathname;
    return `${p}${u.search}`;
  };
  const elapsed = (start: number | undefined): string => (start ? `${Math.round(Date.now() - start)}ms` : '?ms');

  const graphqlUrl = `${baseUrl}/api/graphql`;

  const proxy = proxyFor(new URL(baseUrl), env);
  if (proxy) log?.(`proxy ${describeProxy(proxy)} for ${origin}`);

  const http: Got = got.extend({
    prefixUrl: apiBase,
    headers: { 'PRIVATE-TOKEN': opts.token, 'user-agent': `runnerform/${VERSION}`, accept: 'application/json' },
    responseType: 'json',
    timeout: { request: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    agent: agentsFor(new URL(baseUrl), env),
    https: { certificateAuthority: certificateAuthorities(opts.caFile, env) },
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
          if (!error.response) log?.(`${error.options.method} ${displayPath(error.options.url as URL | undefined)} ${what} ${elapsed(error.timings?.start)}`);
          log?.(`  retry ${attemptCount}/${policy.limit} of ${error.options.method} ${displayPath(error.options.url as URL | undefined)} after ${what}`);
          const onRetry = error.options.context.onRetry as ((r: Call['lastRetry']) => void) | undefined;
          onRetry?.({ code: error.response ? undefined : error.code, count: attemptCount });
        }
        return delay;
      },
    },
    hooks: {
      beforeRequest: [
        () => {
          requests++;
        },
      ],
      beforeRedirect: [
        (options, response) => {
          // Never hand the token to another host (got only strips `authorization`).
          const to = options.url instanceof URL ? options.url.origin : undefined;
          if (to !== origin) delete options.headers['private-token'];
          log?.(`redirect ${response.statusCode} → ${to ?? '?'}`);
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
          if (!error.response) log?.(`${error.options?.method ?? '?'} ${displayPath(error.options?.url as URL | undefined)} ${error.code ?? 'error'} ${elapsed(error.timings?.start)}`);
          return error;
        },
      ],
    },
  });

  /** Converts got's error (which holds the request headers) into a clean GitLabError. */
  const toError = (err: unknown, call: Call, graphql = false, notGitLab = false): GitLabError | Error => {
    const e = err as Partial<RequestError> & { name?: string };
    const display = graphql ? '/api/graphql' : `/${call.path}`;
    // Node >= 24.20 with got 14: the retry of a refused connection fails before connecting with
    // ERR_SOCKET_CLOSED_BEFORE_CONNECTION, outside got's retry (got#2469; fixed in got 16, which
    // needs Node 22). Report what the attempt before it saw, and count that retry.
    const retried = call.lastRetry;
    if (e && typeof e === 'object' && e.code === 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' && retried?.code) {
      return gitLabErrorFrom({
        graphql,
        method: call.method,
        path: display,
        status: null,
        body: undefined,
        code: retried.code,
        attempts: retried.count + 1,
        context: call.context,
        redact: redactText,
        baseUrl,
        proxy: proxy ? describeProxy(proxy) : undefined,
        notGitLab,
      });
    }
    if (e && typeof e === 'object' && ('code' in e || 'response' in e)) {
      return gitLabErrorFrom({
        graphql,
        method: call.method,
        path: display,
        status: e.response?.statusCode ?? null,
        body: e.response?.body,
        code: e.response ? undefined : (e.code ?? e.name),
        attempts: (e.request?.retryCount ?? 0) + 1,
        context: call.context,
        redact: redactText,
        baseUrl,
        proxy: proxy ? describeProxy(proxy) : undefined,
        notGitLab,
      });
    }
    if (err instanceof PaginationError) {
      return new Error(redactText(`GitLab at ${baseUrl}: could not ${call.context.action}: the list ${err.message}. Nothing was changed by this read; check what sits between runnerform and GitLab.`));
    }
    // Not a got error (a bug of ours): keep the message, drop everything else.
    return new Error(redactText(err instanceof Error ? err.message : String(err)));
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
  const failure = async (err: unknown, call: Call): Promise<GitLabError | Error> => {
    const status = (err as Partial<RequestError>)?.response?.statusCode;
    const notGitLab = status === 404 && !(await apiRootAnswers());
    return toError(err, call, false, notGitLab);
  };

  const request = <T>(call: Call): Promise<T> =>
    limiter.run(async () => {
      try {
        return await http(call.path, {
          method: call.method,
          searchParams: call.searchParams,
          json: call.json,
          context: { onRetry: retryTracker(call) },
        }).json<T>();
      } catch (err) {
        throw await failure(err, call);
      }
    });

  /** GET every page of a list (per_page=100), following x-next-page or Link rel=next to the end. */
  const list = <T>(listCall: Omit<Call, 'method'>): Promise<T[]> =>
    limiter.run(async () => {
      const call: Call = { ...listCall, method: 'GET' };
      const guard = createPageGuard(opts.maxPages ?? MAX_PAGES);
      try {
        return await http.paginate.all<T>(call.path, {
          method: 'GET',
          searchParams: { ...call.searchParams, per_page: PER_PAGE },
          context: { onRetry: retryTracker(call) },
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
        throw await failure(err, call);
      }
    });

  /**
   * POST /api/graphql with the documented `Authorization: Bearer` header (and
   * no PRIVATE-TOKEN). GraphQL answers 200 with `errors` when the query itself
   * fails: those, and answers without `data`, become a GitLabError.
   */
  const graphqlQuery = <T>(query: string, variables: Record<string, unknown>, context: RequestContext, read: (body: unknown) => T): Promise<T> =>
    limiter.run(async () => {
      const call: Call = { method: 'POST', path: 'api/graphql', json: { query, variables }, context };
      let response: Response<unknown>;
      try {
        response = await http<unknown>(graphqlUrl, {
          prefixUrl: '',
          method: 'POST',
          json: call.json,
          headers: { 'private-token': undefined, authorization: `Bearer ${opts.token}` },
          context: { readOnly: true, onRetry: retryTracker(call) },
        });
      } catch (err) {
        throw toError(err, call, true);
      }
      const attempts = response.retryCount + 1;
      const messages = graphQLErrorMessages(response.body);
      if (messages.length > 0) throw graphQLErrorFrom({ status: response.statusCode, messages, context, attempts, redact: redactText });
      try {
        return read(response.body);
      } catch (err) {
        if (!(err instanceof UnexpectedAnswerError)) throw err;
        throw graphQLErrorFrom({ status: response.statusCode, messages: [err.message], context, attempts, redact: redactText });
      }
    });

  const graphql: RawGraphQL = (query, variables, context, note) =>
    limiter.run(async () => {
      const call: Call = { method: 'POST', path: 'api/graphql', json: { query, variables }, context };
      if (note) log?.(`graphql ${note}`);
      try {
        const response = await http<unknown>(graphqlUrl, {
          prefixUrl: '',
          method: 'POST',
          json: call.json,
          headers: { 'private-token': undefined, authorization: `Bearer ${opts.token}` },
          // GitLab's 503 "Request timed out" means "ask for less": not retried, the reader splits the batch.
          context: { readOnly: true, splitOnTimeout: true, onRetry: retryTracker(call) },
        });
        return { status: response.statusCode, body: response.body, attempts: response.retryCount + 1 };
      } catch (err) {
        throw toError(err, call, true);
      }
    });

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

  return {
    baseUrl,
    stats: () => ({ requests, peakConcurrency: limiter.peak }),
    graphql,
    readSettings: opts.read ?? { api: 'graphql' },
    log,

    currentUser: () =>
      request<ApiUser>({ method: 'GET', path: 'user', context: { subject: 'the current user', action: 'read the token\'s user' } }),

    getGroup: (idOrPath) =>
      request<ApiGroup>({
        method: 'GET',
        path: `groups/${enc(idOrPath)}`,
        searchParams: { with_projects: 'false' },
        context: { subject: `group ${idOrPath}`, action: `read group ${idOrPath}` },
      }),

    getProject: (idOrPath) =>
      request<ApiProject>({
        method: 'GET',
        path: `projects/${enc(idOrPath)}`,
        context: { subject: `project ${idOrPath}`, action: `read project ${idOrPath}` },
      }),

    listGroupRunners: (groupId, fullPath) => {
      const name = fullPath ?? String(groupId);
      return list<ApiRunnerListItem>({
        path: `groups/${groupId}/runners`,
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

    // Only `runnerform health` over REST asks (gitlab/health-read.ts).
    runnerManagers: (id: number) => list<ApiRunnerManager>({ path: `runners/${id}/managers`, context: runnerCtx(id, 'read') }),

    runnerOwnerProject: (id): Promise<OwnerProject | null> =>
      graphqlQuery(RUNNER_OWNER_FACTS_QUERY, { id: runnerGid(id) }, { subject: `runner #${id}`, action: `read the owner project of runner #${id}` }, ownerProjectFrom),

    createRunner: (body: CreateRunnerBody) => {
      const target =
        body.runner_type === 'group_type' ? `group ${body.group_id}` : body.runner_type === 'project_type' ? `project ${body.project_id}` : 'the instance';
      return request<ApiCreatedRunner>({
        method: 'POST',
        path: 'user/runners',
        json: body,
        context: {
          subject: target,
          action: `create runner "${body.description}" in ${target}`,
          role: runnerRole(body.runner_type, target.replace(/^(group|project) /, '')),
        },
      });
    },

    updateRunner: (id, body: UpdateRunnerBody) =>
      request<ApiRunnerDetails>({ method: 'PUT', path: `runners/${id}`, json: body, context: runnerCtx(id, 'update') }),

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

    resetRunnerToken: (id) =>
      request<ApiResetToken>({
        method: 'POST',
        path: `runners/${id}/reset_authentication_token`,
        context: runnerCtx(id, 'reset the token of'),
      }),

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

    createVariable: (owner, body: CreateVariableBody) =>
      request<ApiVariable>({ method: 'POST', path: variablesPath(owner), json: body, context: variableCtx(owner, body.key, 'create') }),

    updateVariable: (owner, key, environmentScope, body: UpdateVariableBody) =>
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
        context: { subject: `merge request !${iid} of project ${projectId}`, action: `list the notes of merge request !${iid}` },
      }),

    createMergeRequestNote: (projectId, iid, body) =>
      request<ApiNote>({
        method: 'POST',
        path: `projects/${enc(projectId)}/merge_requests/${iid}/notes`,
        json: { body },
        context: { subject: `merge request !${iid} of project ${projectId}`, action: `comment on merge request !${iid}`, role: 'Reporter role (or higher) on the project' },
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
