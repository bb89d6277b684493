// How long to wait before retrying an idempotent request. GitLab tells us on
// 429 (Retry-After in seconds, RateLimit-Reset as a unix time); otherwise we
// back off exponentially with jitter so parallel requests do not retry in step.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  /** First backoff step. */
  baseDelayMs: number;
  /** Cap for computed backoff steps. */
  maxDelayMs: number;
  /** A server-requested wait longer than this gives up instead of sleeping. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 4, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 120_000 };

/** Methods got may retry. POST only when GitLab surely did nothing (see retryDelayMs). */
export const RETRY_METHODS = ['GET', 'PUT', 'DELETE', 'HEAD', 'POST'] as const;

/** Connection errors raised before the request reached GitLab. */
export const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/**
 * Answers that will not change in a few seconds: a port that refuses, a host
 * that does not exist. One retry covers a GitLab restarting; five would keep a
 * mistyped URL waiting for seconds before saying so.
 */
export const FAIL_FAST_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);
export const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];
export const RETRY_ERROR_CODES = [
  'ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN',
];

export interface RetryInput {
  /** 1 for the first retry. */
  attempt: number;
  /** HTTP method of the request (default GET). */
  method?: string;
  /** Error code when no answer arrived (ECONNRESET, ECONNREFUSED, …). */
  code?: string;
  /** Retry-After converted to ms by got (seconds or HTTP date), if present. */
  retryAfterMs?: number;
  /** HTTP status of the failed attempt (undefined when no answer arrived). */
  status?: number;
  /** Raw RateLimit-Reset header (unix seconds), if present; only a 429 makes it a wait. */
  rateLimitReset?: string;
  nowMs: number;
  /** 0 ≤ random < 1, injected so the function stays pure. */
  random: number;
}

/** Milliseconds to wait before the next attempt, or 0 to give up. */
export function retryDelayMs(policy: RetryPolicy, input: RetryInput): number {
  if (input.attempt > policy.limit) return 0;
  if (input.status === undefined && FAIL_FAST_CODES.has(input.code ?? '') && input.attempt > 1) return 0;
  // A POST is never retried blindly (it could create a second runner): only after a
  // 429 (GitLab refused it unprocessed) or a connection that was never made.
  if (input.method === 'POST' && !(input.status === 429 || (input.status === undefined && NEVER_SENT_CODES.has(input.code ?? '')))) {
    return 0;
  }
  const serverWait = serverRequestedWaitMs(input);
  if (serverWait !== undefined) {
    if (serverWait > policy.maxRetryAfterMs) return 0;
    // A little jitter on top, so a burst of 429s does not come back at once.
    return Math.max(1, serverWait) + Math.floor(input.random * Math.min(policy.baseDelayMs, 1000));
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (input.attempt - 1));
  // "Equal jitter": half fixed, half random.
  return Math.max(1, Math.round(step / 2 + (input.random * step) / 2));
}

function serverRequestedWaitMs(input: RetryInput): number | undefined {
  if (input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs)) return Math.max(0, input.retryAfterMs);
  // GitLab sends RateLimit-Reset on every answer; it is only a reason to wait when throttled.
  if (input.status === 429 && input.rateLimitReset !== undefined) {
    const reset = Number(input.rateLimitReset);
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - input.nowMs);
  }
  return undefined;
}
