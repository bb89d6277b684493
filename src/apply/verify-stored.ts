// Which tokens the journal holds GitLab no longer accepts (POST /runners/verify). A token
// reset without this tokens file (rotate without --tokens-out, the runner's own rotation)
// leaves a dead one here; delivering or moving it would overwrite the working token.
//
// A 200 is a heartbeat in current GitLab (test/fake-gitlab/handlers-runner-verify.ts cites it):
// it sets the runner's contacted_at and makes a runner manager online. So only the tokens the
// plan is about to deliver or move are asked about (`tokensPlanSends`), never every stored token
// on every plan: a scheduled drift check must not keep a runner whose host is gone looking alive.
// The token goes only to the configured GitLab (the client's transport).
import type { GitLabApi } from '../gitlab/api.js';
import type { Plan } from '../model.js';
import { redact } from '../secrets.js';
import type { TokenEntry } from './journal.js';

/**
 * Runner ids whose stored token the plan delivers (`deliveries`) or moves (`token_move`): the ones to
 * verify. A refused one is left out: apply never sends it, so asking GitLab would only be a heartbeat.
 */
export function tokensPlanSends(plan: Plan): Set<number> {
  const ids = new Set(plan.deliveries.filter((d) => d.refused === null).map((d) => d.runner_id));
  for (const c of plan.changes) {
    if (c.action === 'update' && c.token_move && c.refused === null) ids.add(c.runner_id);
  }
  return ids;
}

export interface StoredTokenCheck {
  /** Runner ids whose stored token GitLab refused (403), sorted. */
  dead: number[];
  /** Runners whose token could not be checked, as sentences (unknown: the file is trusted, as before). */
  unverified: string[];
}

/** Verifies the last stored token of each runner of `runnerIds` that has a destination. */
export async function verifyStoredTokens(api: GitLabApi, entries: readonly TokenEntry[], runnerIds: ReadonlySet<number>): Promise<StoredTokenCheck> {
  const verify = api.verifyRunnerToken?.bind(api);
  if (!verify) return { dead: [], unverified: [] };
  // The last stored token of each runner: the one the plan reads (plan/token-reset.ts indexJournal).
  const last = new Map<number, TokenEntry>();
  for (const e of entries) {
    if (e.id !== null && typeof e.token === 'string' && e.token !== '') last.set(e.id, e);
  }
  const dead: number[] = [];
  const unverified: string[] = [];
  await Promise.all(
    [...last.values()]
      .filter((e) => e.destination && runnerIds.has(e.id!))
      .map((e) =>
        verify(e.token!).then(
          (answer) => {
            if (answer === 'invalid') dead.push(e.id!);
          },
          (err: unknown) => {
            unverified.push(`runner ${e.id}: ${redact(err instanceof Error ? err.message : String(err), [e.token!])}`);
          },
        ),
      ),
  );
  return { dead: dead.sort((a, b) => a - b), unverified: unverified.sort() };
}
