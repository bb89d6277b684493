// Creating a runner is the one change that cannot be retried blindly: if the
// answer is lost the runner may exist, and its token was shown only in that answer.
// A lost answer is often a gateway timeout while GitLab is still working, so the
// runner can appear seconds later: look several times before creating again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiCreatedRunner, ApiResetToken, CreateRunnerBody, GitLabApi } from '../gitlab/api.js';
import { isGitLabError } from '../gitlab/errors.js';
import type { Change } from '../model.js';
import { ownedWithDescription, scopeLabel } from './owned-by-description.js';

export interface CreatedRunner extends ApiCreatedRunner {
  /** True when the answer was lost and the token came from a reset. */
  recovered: boolean;
}

export interface RecoverySchedule {
  /** Waits (ms) before each look for the runner after a lost create answer. */
  looksMs: readonly number[];
  /** Waits (ms) before each retry of a token reset that failed or lost its answer. */
  resetRetriesMs: readonly number[];
}

/** About 30 s of looks: long enough for a GitLab whose gateway gave up while Rails was still creating. */
export const DEFAULT_RECOVERY: RecoverySchedule = {
  looksMs: [0, 1_000, 2_000, 4_000, 8_000, 15_000],
  resetRetriesMs: [1_000, 2_000, 4_000, 8_000],
};

export interface CreateOptions {
  recovery?: Partial<RecoverySchedule>;
  /** Called each time a create request loses its answer. */
  onLostAnswer?: () => void;
  /** An interrupted apply stops looking for a lost create's runner (the journal's intent covers it). */
  signal?: AbortSignal;
}

/** A create that may have left a runner behind; `runner_id` when the runner is known to exist. */
export class CreateRecoveryError extends Error {
  constructor(
    message: string,
    readonly runner_id: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CreateRecoveryError';
  }
}

const MAX_ATTEMPTS = 3;

export async function createRunnerOnce(
  api: GitLabApi,
  change: Change,
  body: CreateRunnerBody,
  opts: CreateOptions = {},
): Promise<CreatedRunner> {
  const schedule: RecoverySchedule = { ...DEFAULT_RECOVERY, ...opts.recovery };
  for (let attempt = 1; ; attempt++) {
    let lost: unknown;
    try {
      return { ...(await api.createRunner(body)), recovered: false };
    } catch (err) {
      if (!maybeApplied(err)) throw err;
      lost = err;
    }
    opts.onLostAnswer?.();
    const found = await lookForRunner(api, change, schedule.looksMs, lost, opts.signal);
    if (found !== null) {
      const reset = await resetToken(api, change, found, schedule.resetRetriesMs);
      return { id: found, token: reset.token, token_expires_at: reset.token_expires_at ?? null, recovered: true };
    }
    if (attempt >= MAX_ATTEMPTS) {
      const seconds = Math.round(schedule.looksMs.reduce((a, b) => a + b, 0) / 1000);
      throw new CreateRecoveryError(
        `the answers to ${attempt} attempts to create ${change.address} were lost (last: ${answerOf(lost)}) and no runner ` +
          `"${change.description}" appeared in ${scopeLabel(change.scope)} within ${seconds} s of any of them. ${mayExistAdvice(change)}`,
        null,
        { cause: lost },
      );
    }
  }
}

/** An error after which the create may or may not have happened (timeout, reset, 5xx). */
function maybeApplied(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { maybeApplied?: unknown }).maybeApplied === true;
}

/**
 * Looks for the runner on the schedule; the lowest id wins, as in the plan engine.
 * null only when the last look succeeded and found nothing: a failed last look
 * proves nothing, so the runner may exist and creating again could duplicate it.
 */
async function lookForRunner(api: GitLabApi, change: Change, waits: readonly number[], lost: unknown, signal?: AbortSignal): Promise<number | null> {
  let lookError: unknown = null;
  for (const wait of waits) {
    // An interrupt cuts the wait short: look once more at once, then stop.
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : undefined).catch(() => undefined);
    try {
      const [lowest] = await ownedWithDescription(api, change.scope, change.description);
      if (lowest !== undefined) return lowest;
      lookError = null;
    } catch (err) {
      lookError = err;
    }
    if (signal?.aborted) {
      // Never create again in an interrupted apply; the journal's intent lets the next plan find the runner.
      throw new CreateRecoveryError(
        `the answer to creating ${change.address} was lost (${answerOf(lost)}) and the apply was interrupted before the runner appeared. ` +
          `With --tokens-out (or a gitlab_variable destination) the next plan finds it if GitLab created it and resets its token. ${mayExistAdvice(change)}`,
        null,
        { cause: lost },
      );
    }
  }
  if (lookError !== null) {
    throw new CreateRecoveryError(
      `the answer to creating ${change.address} was lost (${answerOf(lost)}) and looking for the runner in ` +
        `${scopeLabel(change.scope)} failed: ${messageOf(lookError)} ${mayExistAdvice(change)}`,
      null,
      { cause: lookError },
    );
  }
  return null;
}

/** Each reset gives a fresh valid token and voids the previous one, so retrying is safe. */
export async function resetToken(api: GitLabApi, change: Change, id: number, retryWaits: readonly number[]): Promise<ApiResetToken> {
  let attempts = 0;
  for (const wait of [0, ...retryWaits]) {
    if (wait > 0) await sleep(wait);
    attempts++;
    try {
      return await api.resetRunnerToken(id);
    } catch (err) {
      // A 4xx is a definite refusal (no permission, runner gone): asking again will not help.
      if (definiteRefusal(err) || attempts > retryWaits.length) {
        throw new CreateRecoveryError(
          `runner ${id} (${change.address}) was created but has no stored token: reset it with ` +
            `POST /runners/${id}/reset_authentication_token or in GitLab's UI. The answer to creating it was lost and ` +
            `${attempts === 1 ? 'the token reset' : `${attempts} token resets`} failed (last: ${messageOf(err)}). ` +
            'Running apply again will not do it: the runner exists, so the plan has no change for it.',
          id,
          { cause: err },
        );
      }
    }
  }
  throw new Error('unreachable: the reset loop always returns or throws');
}

function definiteRefusal(err: unknown): boolean {
  return isGitLabError(err) && err.status !== null && err.status >= 400 && err.status < 500;
}

function mayExistAdvice(change: Change): string {
  return (
    `The runner may exist: check with \`runnerform plan\` or ${scopeLabel(change.scope)}'s runners in GitLab before applying again. ` +
    `If "${change.description}" is there it has no stored token: reset it with POST /runners/<id>/reset_authentication_token or in GitLab's UI.`
  );
}

/** "504", "ECONNRESET": what came back instead of the answer. */
function answerOf(err: unknown): string {
  if (isGitLabError(err)) return err.status !== null ? `HTTP ${err.status}` : (err.code ?? 'no answer');
  return 'no answer';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
