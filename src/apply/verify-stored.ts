// Which tokens the journal holds GitLab no longer accepts (POST /runners/verify). A token
// reset without this tokens file (rotate without --tokens-out, the runner's own rotation)
// leaves a dead one here; delivering or moving it would overwrite the working token.
// Only tokens with a destination are asked about: those are the ones a plan delivers or
// moves. The token goes only to the configured GitLab (the client's transport).
import type { GitLabApi } from '../gitlab/api.js';
import { redact } from '../secrets.js';
import type { TokenEntry } from './journal.js';

export interface StoredTokenCheck {
  /** Runner ids whose stored token GitLab refused (403), sorted. */
  dead: number[];
  /** Runners whose token could not be checked, as sentences (unknown: the file is trusted, as before). */
  unverified: string[];
}

export async function verifyStoredTokens(api: GitLabApi, entries: readonly TokenEntry[]): Promise<StoredTokenCheck> {
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
      .filter((e) => e.destination)
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
