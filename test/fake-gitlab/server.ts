// The fake GitLab: a node:http server over FakeState with request recording,
// injected faults, latency and concurrency statistics for tests and benchmarks.
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptedScopes, authenticate, hasScope, tokenFromHeaders } from './access.js';
import { handleGraphQL, MAX_QUERY_SIZE, type GraphQLRequestStats } from './graphql/endpoint.js';
import type { Ctx, Reply } from './context.js';
import { ApiError, errors, parseBody, parseForm, readRaw, type Params } from './http-io.js';
import { RateLimiter } from './rate-limit.js';
import { matchRoute } from './routes.js';
import type { Seed, SeedRunner, SeedVariable } from './seed.js';
import { FakeState } from './state.js';
import { managerFromSeed, type SeedManager } from './managers.js';
import { addVariable, variableOf, variablesOf, type VariableOwnerPath, type VariableSnapshot } from './variables.js';

export interface RecordedRequest {
  method: string;
  /** Raw (still URL-encoded) path without /api/v4 and query. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Status answered; for a lost response the status the action produced; 0 for a reset. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** POST /api/graphql only: query text length and GitLab's complexity of the request. */
  graphql?: GraphQLRequestStats;
}

/** Over the GraphQL requests since start or resetStats(): what a benchmark checks against GitLab's limits. */
export interface GraphQLStats {
  requests: number;
  /** Largest complexity of one request (null: none was costed). */
  maxComplexity: number | null;
  /** Longest query text of one request, in characters. */
  maxQueryLength: number;
  /** Requests whose complexity exceeded the caller's limit. */
  overComplexityLimit: number;
  /** Requests whose query text exceeded 10,000 characters. */
  overSizeLimit: number;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; body?: string }
  | { kind: 'lost-response' }
  | { kind: 'reset' }
  /** Answers `status` (default 504) now and performs the request `afterMs` later: a gateway timeout in front of a slow GitLab. */
  | { kind: 'late-apply'; status?: number; afterMs: number };

export interface FaultRule {
  method?: string;
  /** A RegExp tested against the path, or a string that must equal it (raw path without /api/v4). */
  path: RegExp | string;
  times: number;
  fault: Fault;
}

export interface FakeGitLab {
  /** http://127.0.0.1:PORT (no /api/v4) */
  url: string;
  /** Every request, in arrival order (headers as sent: never print them). */
  requests: RecordedRequest[];
  inject(rule: FaultRule): void;
  setLatencyMs(ms: number): void;
  /**
   * GraphQL requests costing more than `complexity` answer GitLab's 503 timeout
   * (as a slow GitLab does for a big batch); null turns it off.
   */
  setGraphQLTimeoutAbove(complexity: number | null): void;
  /**
   * Resolves once GitLab has finished all it was asked, including the requests whose client is gone
   * (their handler still runs, as GitLab's does) and the late applies of injected faults: a test waits for
   * this, not a sleep, before it checks that nothing else happened.
   */
  settled(): Promise<void>;
  /** Max requests in flight at once since start or resetStats(). */
  peakConcurrency(): number;
  graphqlStats(): GraphQLStats;
  /** Resets the peak concurrency and empties `requests`. */
  resetStats(): void;
  runners(): Array<SeedRunner & { id: number }>;
  addRunner(r: SeedRunner): number;
  /** A gitlab-runner host registers with runner `id`'s token (a new runner manager). */
  addManager(id: number, m: SeedManager): void;
  /** The runner's current authentication token (to check a token a client kept); never print it. */
  runnerToken(id: number): string | undefined;
  notes(projectPath: string, iid: number): { id: number; body: string }[];
  /** A CI/CD variable with its real value and description (also when hidden); in-process only, never print it. */
  variable(owner: VariableOwnerPath, key: string, environmentScope?: string): VariableSnapshot | undefined;
  /** All CI/CD variables of a project or group, values included. */
  variables(owner: VariableOwnerPath): VariableSnapshot[];
  addVariable(v: SeedVariable): void;
  close(): Promise<void>;
}

const API_PREFIX = '/api/v4';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ruleMatches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.times <= 0) return false;
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
}

function isPlainObject(v: unknown): v is Params {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function startFakeGitLab(seed: Seed, opts: { port?: number; host?: string } = {}): Promise<FakeGitLab> {
  const state = new FakeState(seed);
  const requests: RecordedRequest[] = [];
  const faults: FaultRule[] = [];
  const limiter = new RateLimiter();
  let latencyMs = seed.latency_ms ?? 0;
  let graphqlTimeoutAbove: number | null = null;
  let inFlight = 0;
  let peak = 0;
  let baseUrl = '';
  const lateTimers = new Set<NodeJS.Timeout>();
  // Handlers still running (a client that went away does not stop GitLab's work) and settled() waiters.
  let handling = 0;
  let waiters: Array<() => void> = [];
  const wakeIfSettled = () => {
    if (handling > 0 || lateTimers.size > 0) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };

  /** Routing, authentication, scopes, then the handler; errors become GitLab error bodies. */
  function dispatch(method: string, path: string, url: URL, rawBody: string, req: IncomingMessage): Reply {
    try {
      const match = matchRoute(method, path);
      if (!match) throw errors.routeNotFound();
      if ('methodNotAllowed' in match) throw new ApiError(405, { error: '405 Not Allowed' });
      let user = null;
      if (match.route.authenticated) {
        const authn = authenticate(state, tokenFromHeaders(req.headers));
        if (!authn.ok) throw errors.unauthorized();
        const accepted = acceptedScopes(method, path);
        if (!hasScope(authn.token, accepted)) throw errors.insufficientScope(accepted);
        user = authn.token.user;
      }
      const body = parseBody(rawBody, req.headers['content-type']);
      const params: Params = { ...parseForm(url.search.slice(1)), ...(isPlainObject(body) ? body : {}) };
      const ctx: Ctx = {
        state,
        user,
        method,
        params,
        query: Object.fromEntries(url.searchParams),
        args: match.args,
        selfUrl: url,
      };
      return match.route.handler(ctx);
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, body: err.body };
      process.stderr.write(`fake GitLab: ${method} ${path}: ${err instanceof Error ? err.stack : String(err)}\n`);
      return { status: 500, body: { message: '500 Internal Server Error' } };
    }
  }

  /** GraphQL lives beside /api/v4 (see graphql/endpoint.ts); everything else there is a 404. */
  function outsideApi(method: string, path: string, rawBody: string, req: IncomingMessage, record: RecordedRequest): Reply {
    if (method === 'POST' && path === '/api/graphql') {
      const outcome = handleGraphQL(state, req.headers, rawBody, { timeoutAbove: graphqlTimeoutAbove });
      record.graphql = outcome.stats;
      return outcome.reply;
    }
    return { status: 404, body: { error: '404 Not Found' } };
  }

  function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
    const headers: Record<string, string> = { ...extra, ...reply.headers };
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const text = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers).end(text);
  }

  function sendFault(res: ServerResponse, fault: Extract<Fault, { kind: 'status' }>, extra: Record<string, string>): void {
    const text = fault.body ?? (fault.status === 429 ? 'Retry later' : `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}`);
    const headers: Record<string, string> = { ...extra, 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(text)) };
    if (fault.retryAfter !== undefined) {
      headers['retry-after'] = String(fault.retryAfter);
      headers['ratelimit-resettime'] = new Date(Date.now() + fault.retryAfter * 1000).toUTCString();
    }
    res.writeHead(fault.status, headers).end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? baseUrl.slice('http://'.length)}`);
    const inApi = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const path = inApi ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname;
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      headers: { ...req.headers },
    };
    requests.push(record);

    const rawBody = await readRaw(req).catch((e: unknown) => {
      if (e instanceof ApiError) return e;
      throw e;
    });
    if (rawBody instanceof ApiError) {
      record.status = rawBody.status;
      send(res, { status: rawBody.status, body: rawBody.body }, {});
      return;
    }
    try {
      record.body = parseBody(rawBody, req.headers['content-type']);
    } catch {
      record.body = rawBody;
    }
    if (latencyMs > 0) await sleep(latencyMs);

    const extra = limiter.headers(tokenFromHeaders(req.headers) ?? req.socket.remoteAddress ?? '');
    const rule = faults.find((f) => ruleMatches(f, method, path));
    if (rule) rule.times--;
    const fault = rule?.fault;

    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      record.status = fault.status;
      sendFault(res, fault, extra);
      return;
    }
    if (fault?.kind === 'late-apply') {
      const status = fault.status ?? 504;
      record.status = status;
      sendFault(res, { kind: 'status', status }, extra);
      const timer = setTimeout(() => {
        lateTimers.delete(timer);
        if (inApi) dispatch(method, path, url, rawBody, req);
        wakeIfSettled();
      }, fault.afterMs);
      lateTimers.add(timer);
      return;
    }
    const reply: Reply = inApi ? dispatch(method, path, url, rawBody, req) : outsideApi(method, path, rawBody, req, record);
    record.status = reply.status;
    if (fault?.kind === 'lost-response') {
      req.socket.destroy();
      return;
    }
    send(res, reply, extra);
  }

  const server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    // 'close' also fires when the socket is destroyed before an answer.
    res.on('close', finish);
    handling++;
    handle(req, res).finally(() => {
      handling--;
      wakeIfSettled();
    }).catch((err: unknown) => {
      process.stderr.write(`fake GitLab: ${err instanceof Error ? err.message : String(err)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${host}:${addr.port}`;
  state.webBase = baseUrl;

  return {
    url: baseUrl,
    requests,
    inject(rule) {
      faults.push({ ...rule });
    },
    setGraphQLTimeoutAbove(complexity) {
      graphqlTimeoutAbove = complexity;
    },
    setLatencyMs(ms) {
      latencyMs = ms;
    },
    peakConcurrency: () => peak,
    graphqlStats() {
      const logged = requests.flatMap((r) => (r.graphql ? [r.graphql] : []));
      const costs = logged.flatMap((g) => (g.complexity === null ? [] : [g.complexity]));
      return {
        requests: logged.length,
        maxComplexity: costs.length ? Math.max(...costs) : null,
        maxQueryLength: Math.max(0, ...logged.map((g) => g.queryLength)),
        overComplexityLimit: logged.filter((g) => g.complexity !== null && g.complexity > g.maxComplexity).length,
        overSizeLimit: logged.filter((g) => g.queryLength > MAX_QUERY_SIZE).length,
      };
    },
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        wakeIfSettled();
      }),
    resetStats() {
      peak = inFlight;
      requests.length = 0;
    },
    runners: () => state.sortedRunners().map((r) => state.snapshot(r)),
    addRunner: (r) => state.addRunner(r),
    addManager(id, m) {
      const r = state.runners.get(id);
      if (!r) throw new Error(`no runner ${id} in the fake`);
      r.managers.push(managerFromSeed(m, new Date().toISOString()));
      if (m.contacted_at && (r.contactedAt === null || Date.parse(m.contacted_at) > Date.parse(r.contactedAt))) r.contactedAt = m.contacted_at;
      // A host that contacted GitLab asked it for jobs (POST /jobs/request: creation_state finished).
      if (m.contacted_at) r.creationState = 'finished';
    },
    runnerToken: (id) => state.runners.get(id)?.token,
    notes(projectPath, iid) {
      const project = state.projectByPath(projectPath);
      const mr = project && state.mergeRequest(project, iid);
      if (!mr) throw new Error(`no merge request ${projectPath}!${iid} in the fake`);
      return mr.notes.map((n) => ({ id: n.id, body: n.body }));
    },
    variable: (owner, key, environmentScope) => variableOf(state, owner, key, environmentScope),
    variables: (owner) => variablesOf(state, owner),
    addVariable: (v) => addVariable(state, v),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of lateTimers) clearTimeout(t);
        lateTimers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
