// Creating a runner is the one change that cannot be retried blindly: if the
// answer is lost the runner may exist, and its token was shown only in that answer.
import type { ApiCreatedRunner, CreateRunnerBody, GitLabApi } from '../gitlab/api.js';
import { readLiveState } from '../gitlab/live.js';
import type { Change, LiveRunner, ScopeRef } from '../model.js';

export interface CreatedRunner extends ApiCreatedRunner {
  /** True when the answer was lost and the token came from a reset. */
  recovered: boolean;
}

const MAX_ATTEMPTS = 3;

export async function createRunnerOnce(api: GitLabApi, change: Change, body: CreateRunnerBody): Promise<CreatedRunner> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await api.createRunner(body)), recovered: false };
    } catch (err) {
      if (!maybeApplied(err)) throw err;
      // The answer was lost: look before trying again, so there is never a duplicate.
      const existing = await findOwnedRunner(api, change);
      if (existing) {
        const reset = await api.resetRunnerToken(existing.id);
        return { id: existing.id, token: reset.token, token_expires_at: reset.token_expires_at ?? null, recovered: true };
      }
      if (attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/** An error after which the create may or may not have happened (timeout, reset, 5xx). */
function maybeApplied(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { maybeApplied?: unknown }).maybeApplied === true;
}

async function findOwnedRunner(api: GitLabApi, change: Change): Promise<LiveRunner | undefined> {
  const { type, id } = change.scope;
  const ref: ScopeRef = type === 'instance' ? { type } : { type, id: id! };
  const live = await readLiveState(api, [ref]);
  // Lowest id first: the same rule the plan engine uses to match a description.
  return live.scopes[0].owned.find((r) => r.description === change.description);
}
