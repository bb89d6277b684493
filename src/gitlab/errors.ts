// Typed GitLab errors whose messages tell a platform engineer what to do.
// Built from plain facts (status, body, error code) so nothing of got's
// request options — which carry the PRIVATE-TOKEN header — can leak through.
import type { RunnerType } from '../model.js';
import { graphQLErrorMessages } from './graphql.js';
import { redact } from '../secrets.js';
import { NEVER_SENT_CODES } from './retry.js';
import { serverText } from './server-text.js';

export type GitLabErrorKind =
  | 'unauthorized'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'rate_limited'
  | 'server'
  | 'network'
  /** The URL answers, but not as a GitLab API (wrong root, another server). */
  | 'not_gitlab'
  /** GitLab answered with a redirect runnerform does not follow (a write, or another host). */
  | 'redirect'
  | 'other';

/** What a request was trying to do, so errors can name the thing and the role it needs. */
export interface RequestContext {
  /** e.g. "group acme/platform", "runner #42" — used in "… not found or not visible to this token". */
  subject: string;
  /** e.g. "list the runners of group acme/platform". */
  action: string;
  /** The role a 403 most likely lacks, e.g. "Owner role on group acme/platform". */
  role?: string;
}

export const SCOPE_ADVICE = 'runnerform needs a token with the `api` scope, or with `read_api` + `create_runner` + `manage_runner`';
const TOKEN_ADVICE = 'Pass a valid token in GITLAB_TOKEN or --token-file.';

export interface GitLabErrorFacts {
  method: string;
  /** API path below /api/v4, with its query string. */
  path: string;
  status: number | null;
  /** Parsed JSON body, or the raw text (429 bodies are plain text). */
  body?: unknown;
  /** Node/got error code for answers that never arrived (ETIMEDOUT, ECONNRESET…). */
  code?: string;
  attempts?: number;
  context: RequestContext;
  /** Masks the client's secrets; GitLab-style tokens are masked regardless. */
  redact?: (text: string) => string;
  /** A request to /api/graphql (`path` is then that, not a path below /api/v4). */
  graphql?: boolean;
  /** The GitLab URL the client talks to (without /api/v4): connection errors name it. */
  gitlabUrl?: string;
  /** The proxy the request went through (without credentials), if any: a refused connection is then the proxy's. */
  proxy?: string;
  /** Set by the client when a 404 came with an API root that does not answer like GitLab's. */
  notGitLab?: boolean;
}

export class GitLabError extends Error {
  readonly kind: GitLabErrorKind;
  readonly status: number | null;
  readonly method: string;
  readonly path: string;
  /** GitLab's own words from the answer body, if any. */
  readonly gitlabMessage: string | null;
  /** Per-attribute validation messages (400 `{"message":{attr:[…]}}`). */
  readonly fields: Record<string, string[]> | null;
  /** Scope GitLab said is required (403 insufficient_scope). */
  readonly requiredScope: string | null;
  /** Network error code when no answer arrived. */
  readonly code: string | null;
  /**
   * True when the request changed something and its answer was lost (timeout,
   * reset, 5xx): GitLab may have applied it. A 4xx is a definite refusal.
   */
  readonly maybeApplied: boolean;
  readonly attempts: number;

  constructor(message: string, facts: GitLabErrorFacts & { kind: GitLabErrorKind; gitlabMessage: string | null; fields: Record<string, string[]> | null; requiredScope: string | null; maybeApplied: boolean }) {
    // Every GitLabError is printable as it is, whoever built it from whatever GitLab said
    // (the GraphQL reader builds its own from answers): secrets masked, escapes shown, length capped.
    super(serverText(message, redact, MAX_MESSAGE_BYTES));
    this.name = 'GitLabError';
    this.kind = facts.kind;
    this.status = facts.status;
    this.method = facts.method;
    this.path = facts.path;
    this.gitlabMessage = facts.gitlabMessage === null ? null : serverText(facts.gitlabMessage);
    this.fields = facts.fields;
    this.requiredScope = facts.requiredScope;
    this.code = facts.code ?? null;
    this.maybeApplied = facts.maybeApplied;
    this.attempts = facts.attempts ?? 1;
  }
}

/** Most bytes of a whole error message: room for our words around GitLab's (each cut to MAX_SERVER_TEXT_BYTES). */
const MAX_MESSAGE_BYTES = 8_000;

export function isGitLabError(e: unknown): e is GitLabError {
  return e instanceof GitLabError;
}

// ------------------------------------------------------------------ body parsing

interface ParsedBody {
  message: string | null;
  fields: Record<string, string[]> | null;
  errorCode: string | null;
  scope: string | null;
}

/** Reads GitLab's error bodies defensively: `{message}`, `{message:{attr:[…]}}`, `{error, error_description, scope}`, plain text. */
export function parseErrorBody(body: unknown): ParsedBody {
  const out: ParsedBody = { message: null, fields: null, errorCode: null, scope: null };
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{')) {
      try {
        return parseErrorBody(JSON.parse(text));
      } catch {
        // not JSON after all: keep the text
      }
    }
    // Cut later, after redaction (see serverText): a token cut in half is no longer recognisable.
    out.message = text.length > 0 ? text : null;
    return out;
  }
  if (typeof body !== 'object' || body === null) return out;
  const b = body as Record<string, unknown>;
  if (typeof b.message === 'string') out.message = b.message;
  else if (typeof b.message === 'object' && b.message !== null && !Array.isArray(b.message)) {
    out.fields = {};
    for (const [k, v] of Object.entries(b.message as Record<string, unknown>)) {
      out.fields[k] = Array.isArray(v) ? v.map(String) : [String(v)];
    }
  } else if (Array.isArray(b.message)) out.message = b.message.map(String).join('; ');
  if (typeof b.error === 'string') out.errorCode = b.error;
  if (typeof b.error_description === 'string') out.message ??= b.error_description;
  else if (typeof b.error === 'string') out.message ??= b.error;
  if (typeof b.scope === 'string') out.scope = b.scope;
  // GraphQL answers its own errors as {"errors":[{"message":…}]} (401 "Invalid token" too).
  if (Array.isArray(b.errors)) out.message ??= graphQLErrorMessages(b).join('; ') || null;
  return out;
}

// ------------------------------------------------------------------ building errors

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    409: 'Conflict', 412: 'Precondition Failed', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
    500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
  };
  return texts[status] ?? 'HTTP error';
}

function kindOf(status: number | null, parsed: ParsedBody, facts: GitLabErrorFacts): GitLabErrorKind {
  if (status === null) return 'network';
  // GitLab's GraphQL endpoint answers every query it receives (errors come in a 200): a 404 means no GitLab there.
  if (status === 404 && (facts.notGitLab || facts.graphql)) return 'not_gitlab';
  if (status === 401) return 'unauthorized';
  if (status === 403) return parsed.errorCode === 'insufficient_scope' ? 'insufficient_scope' : 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 422) return 'validation';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'other';
}

/** The scope this kind of request needs, for the insufficient_scope hint. */
function scopeFor(method: string, path: string): string {
  if (method === 'POST' && path.startsWith('/user/runners')) return '`create_runner` (or `api`)';
  if (method === 'GET') return '`read_api` (or `api`)';
  if (/^\/runners\/\d+/.test(path)) return '`manage_runner` (or `api`)';
  return '`api`';
}

function fieldsSentence(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([attr, msgs]) => `${attr} ${msgs.join(', ')}`)
    .join('; ');
}

/** Turns the facts of a failed request into a GitLabError with an actionable message. */
export function gitLabErrorFrom(facts: GitLabErrorFacts): GitLabError {
  const r = facts.redact ?? ((t: string) => redact(t));
  const { method, status, context } = facts;
  const path = r(facts.path);
  const parsed = scrub(parseErrorBody(facts.body), r);
  const kind = kindOf(status, parsed, facts);
  const gitlab = facts.gitlabUrl ? `GitLab at ${facts.gitlabUrl}` : 'GitLab';
  const req = `${method} ${path}`;
  // GitLab's messages usually start with the status ("404 Group Not Found"): do not repeat it.
  const said = parsed.message ?? statusText(status ?? 0);
  const answer = status === null ? `no answer (${facts.code ?? 'connection error'})` : said.startsWith(String(status)) ? said : `${status} ${said}`;
  const where = `(${req} → ${answer})`;
  // A refused connection or a bad certificate means the request never reached GitLab.
  const neverSent = status === null && (NEVER_SENT_CODES.has(facts.code ?? '') || isTlsCode(facts.code) || isTlsProtocolCode(facts.code));
  const lost = (status === null && !neverSent) || (status !== null && status >= 500);
  // runnerform's GraphQL requests are queries: a POST there changes nothing.
  const maybeApplied = MUTATING.has(method) && lost && !facts.graphql;
  let message: string;
  switch (kind) {
    case 'unauthorized':
      // GitLab's GraphQL endpoint also answers 401 to a valid token without `read_api` or `api`.
      message = facts.graphql
        ? `GitLab's GraphQL API rejected the token ${where}: it is invalid, expired or revoked, or lacks the \`read_api\` (or \`api\`) scope GraphQL queries need. ${TOKEN_ADVICE}`
        : `GitLab rejected the token ${where}: it is invalid, expired or revoked. ${TOKEN_ADVICE}`;
      break;
    case 'insufficient_scope':
      message =
        `The token lacks the scope needed to ${context.action} ${where}: this request needs ${scopeFor(method, path)}` +
        `${parsed.scope ? ` (GitLab asked for: ${parsed.scope})` : ''}. ${SCOPE_ADVICE}.`;
      break;
    case 'forbidden':
      message = `Not allowed to ${context.action} ${where}: ${context.role ? `this needs the ${context.role}` : 'the token\'s user lacks the role this needs'}.`;
      break;
    case 'not_found':
      message = `${capitalise(context.subject)} not found or not visible to this token ${where}.`;
      break;
    case 'validation':
      message = `GitLab refused to ${context.action}: ${parsed.fields ? fieldsSentence(parsed.fields) : (parsed.message ?? statusText(status ?? 400))} (${req} → ${status}).`;
      break;
    case 'rate_limited':
      message = `GitLab kept rate-limiting the requests to ${context.action} ${where}${retried(facts.attempts)}. Wait a minute and retry, or lower --parallelism.`;
      break;
    case 'server':
      message = `GitLab failed to ${context.action} ${where}${retried(facts.attempts)}.`;
      break;
    case 'network':
      message = networkMessage(facts, gitlab, where);
      break;
    case 'not_gitlab':
      message =
        `${facts.gitlabUrl ?? 'The GitLab URL'} is not a GitLab API: ${facts.graphql ? 'its GraphQL endpoint' : 'its API root'} answered 404 ` +
        `(trying to ${context.action}: ${req} → 404). ${URL_ADVICE}`;
      break;
    default:
      // A 2xx whose body is not JSON: usually a proxy or login page in front of GitLab.
      message =
        status !== null && status < 400
          ? `${gitlab} answered ${req} (to ${context.action}) with something that is not the JSON the API sends (status ${status}); is --gitlab-url the GitLab itself, not a proxy or login page?`
          : `GitLab refused to ${context.action} ${where}.`;
  }
  if (maybeApplied) {
    message += ' The answer was lost: GitLab may have applied the change; read the live state before trying again.';
  }
  return new GitLabError(r(message), {
    method,
    path,
    status,
    code: facts.code,
    attempts: facts.attempts,
    context,
    kind,
    gitlabMessage: parsed.message ?? (parsed.fields ? fieldsSentence(parsed.fields) : null),
    fields: parsed.fields,
    requiredScope: parsed.scope,
    maybeApplied,
  });
}

/**
 * A GraphQL answer that arrived (usually 200) but carries `errors`, or lacks
 * the data asked for: GitLab refused or failed the query itself.
 */
export function graphQLErrorFrom(facts: {
  status: number;
  messages: string[];
  context: RequestContext;
  attempts?: number;
  redact?: (text: string) => string;
}): GitLabError {
  const r = facts.redact ?? ((t: string) => redact(t));
  const said = facts.messages.length > 0 ? facts.messages.map((m) => serverText(m, r)).join('; ') : 'an answer without the data asked for';
  // GitLab's wording when a resource is hidden or an action is not allowed.
  const kind: GitLabErrorKind = /permission|not allowed|forbidden/i.test(said) ? 'forbidden' : 'other';
  const message = `GitLab's GraphQL API did not ${facts.context.action} (POST /api/graphql → ${facts.status}: ${said}).`;
  return new GitLabError(r(message), {
    method: 'POST',
    path: '/api/graphql',
    status: facts.status,
    attempts: facts.attempts,
    context: facts.context,
    kind,
    gitlabMessage: facts.messages.length > 0 ? said : null,
    fields: null,
    requiredScope: null,
    maybeApplied: false,
  });
}

/** GitLab's words made printable: secrets masked, control characters escaped, each string cut to a sane length. */
function scrub(p: ParsedBody, r: (t: string) => string): ParsedBody {
  const safe = (t: string) => serverText(t, r);
  const fields = p.fields ? Object.fromEntries(Object.entries(p.fields).slice(0, 50).map(([k, v]) => [safe(k), v.slice(0, 20).map(safe)])) : null;
  return {
    message: p.message === null ? null : safe(p.message),
    fields,
    errorCode: p.errorCode,
    scope: p.scope === null ? null : safe(p.scope),
  };
}

const URL_ADVICE =
  'Check --gitlab-url (or GITLAB_URL / CI_SERVER_URL): it is the address of the GitLab web interface without /api/v4, e.g. https://gitlab.example.com or https://example.com/gitlab.';

/** A request that got no answer: say which GitLab, what went wrong and what to check. */
function networkMessage(facts: GitLabErrorFacts, gitlab: string, where: string): string {
  const { code, context } = facts;
  const tries = retried(facts.attempts);
  const host = facts.gitlabUrl ? safeHost(facts.gitlabUrl) : 'the host';
  if (facts.proxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    return `Could not reach the proxy ${facts.proxy} (HTTPS_PROXY/HTTP_PROXY) on the way to ${gitlab} to ${context.action} ${where}${tries}. Check the proxy variables, or NO_PROXY for a GitLab reached directly.`;
  }
  if (code === 'ECONNREFUSED') {
    return `Could not connect to ${gitlab} to ${context.action} ${where}${tries}: nothing accepts connections on ${host}. ${URL_ADVICE}`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Could not find the host of ${gitlab} to ${context.action} ${where}${tries}: the name ${host} does not resolve. ${URL_ADVICE}`;
  }
  if (isTlsProtocolCode(code)) {
    return `Could not speak TLS with ${gitlab} to ${context.action} ${where}: the server did not answer TLS; is this an http port? Use http:// for it, or the port GitLab serves https on.`;
  }
  if (isTlsCode(code)) {
    return `Could not verify the TLS certificate of ${gitlab} to ${context.action} ${where}: pass --ca-file FILE with your private CA (or set NODE_EXTRA_CA_CERTS).`;
  }
  return `${gitlab} did not answer the request to ${context.action} ${where}${tries}.`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** https:// to a port that speaks plain http: OpenSSL reads "HTTP/1.1 400" as a bad TLS record. */
function isTlsProtocolCode(code: string | undefined): boolean {
  return code === 'EPROTO' || (code !== undefined && /WRONG_VERSION_NUMBER|ERR_SSL_/.test(code));
}

function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}

function retried(attempts: number | undefined): string {
  return attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ------------------------------------------------------------------ role hints

/** The role a runner operation needs, by runner type (GitLab's permission rules). */
export function runnerRole(type: RunnerType | undefined, scopeName?: string): string {
  switch (type) {
    case 'group_type':
      return `Owner role on group ${scopeName ?? 'that owns the runner'}`;
    case 'project_type':
      return `Maintainer role on project ${scopeName ?? 'that owns the runner'}`;
    case 'instance_type':
      return 'administrator access (instance runners)';
    default:
      return 'Owner role on the runner\'s group (group runners), Maintainer role on its project (project runners) or administrator access (instance runners)';
  }
}
