// After the creates: a create whose answer was lost may still have been carried
// out by GitLab after runnerform stopped looking, leaving a second runner (or a
// runner without a stored token). Look once more and say so rather than silently.
import type { GitLabApi } from '../gitlab/api.js';
import type { Change } from '../model.js';
import { ownedWithDescription, scopeLabel } from './owned-by-description.js';

export interface LostCreate {
  change: Change;
  /** The runner whose token was stored, if the change succeeded. */
  storedId: number | null;
  /** A runner the change's error already names (created, token not stored). */
  namedId: number | null;
}

/** Reads each lost create's scope again; returns what the user must be told, by change. */
export async function reviewLostCreates(api: GitLabApi, lost: LostCreate[]): Promise<Map<Change, string>> {
  const problems = new Map<Change, string>();
  await Promise.all(
    lost.map(async (item) => {
      let ids: number[];
      try {
        ids = await ownedWithDescription(api, item.change.scope, item.change.description);
      } catch (err) {
        // A failed change already tells the user the runner may exist; a done one would look clean.
        if (item.storedId !== null) problems.set(item.change, checkFailed(item, item.storedId, (err as Error).message));
        return;
      }
      const problem = lostCreateProblem(item, ids);
      if (problem) problems.set(item.change, problem);
    }),
  );
  return problems;
}

/** What is wrong, given the ids the scope owns under the change's description now; null when nothing is. */
export function lostCreateProblem(item: LostCreate, ids: number[]): string | null {
  const { change, storedId, namedId } = item;
  const where = scopeLabel(change.scope);
  const list = ids.map((id) => `#${id}`).join(', ');
  if (storedId !== null) {
    if (ids.length <= 1) return null;
    const others = ids.filter((id) => id !== storedId);
    const lowest = ids[0];
    return (
      `${where} now owns ${ids.length} runners "${change.description}" (${list}): GitLab also carried out a create whose ` +
      `answer was lost. Runner ${storedId}'s token is in the tokens file; ${others.map((id) => `#${id}`).join(', ')} ` +
      `${others.length === 1 ? 'has' : 'have'} no stored token: delete ${others.length === 1 ? 'it' : 'them'} with ` +
      `DELETE /runners/<id> or in GitLab's UI.` +
      (lowest !== storedId ? ` Until then runnerform takes #${lowest} (the lowest id) as "${change.description}".` : '')
    );
  }
  if (namedId !== null || ids.length === 0) return null;
  if (ids.length === 1) {
    return (
      `It exists now: runner ${ids[0]} (${change.address}) was created but has no stored token: reset it with ` +
      `POST /runners/${ids[0]}/reset_authentication_token or in GitLab's UI.`
    );
  }
  return (
    `${where} now owns ${ids.length} runners "${change.description}" (${list}) and none has a stored token: keep one and ` +
    `reset its token with POST /runners/<id>/reset_authentication_token (or in GitLab's UI), and delete the others.`
  );
}

function checkFailed(item: LostCreate, storedId: number, message: string): string {
  const { change } = item;
  return (
    `runner ${storedId} was created and its token stored, but an earlier create request of ${change.address} lost its answer ` +
    `and checking ${scopeLabel(change.scope)} for a second runner it may have made failed: ${message} ` +
    `Check with \`runnerform plan\` or its runners in GitLab: if there are two "${change.description}", delete the one that is not #${storedId}.`
  );
}
