// Which runners a scope owns under one description. Used to look for a runner
// whose create answer was lost, several times in a row: one list of the scope
// and a detail read only for the runners that carry the description, so a look
// stays cheap in a scope with hundreds of runners.
import type { GitLabApi } from '../gitlab/api.js';
import { isGitLabError } from '../gitlab/errors.js';
import { decideOwnership, listScopeRunners, ownershipSources } from '../gitlab/live.js';
import { RUNNER_TYPE, type Scope } from '../model.js';

/** Ids (ascending) of the runners `scope` owns whose description is exactly `description`. */
export async function ownedWithDescription(api: GitLabApi, scope: Scope, description: string): Promise<number[]> {
  const items = await listScopeRunners(api, scope);
  const candidates = items.filter((i) => i.runner_type === RUNNER_TYPE[scope.type] && (i.description ?? '') === description);
  const sources = ownershipSources(api);
  const owned = await Promise.all(
    candidates.map(async (item) => {
      try {
        const d = await api.getRunner(item.id);
        if ((d.description ?? item.description ?? '') !== description) return null;
        // The same decision as readLiveState: a project runner is only ever owned by the
        // project GitLab names its owner, a group runner GitLab's filtered `groups` does not
        // name by whether the parent group lists it too.
        return (await decideOwnership(scope, d, sources)) === 'owned' ? item.id : null;
      } catch (err) {
        // A runner the token cannot read is an ancestor's: never owned here (as in readLiveState).
        if (isGitLabError(err) && err.kind === 'forbidden') return null;
        throw err;
      }
    }),
  );
  return owned.filter((id): id is number => id !== null).sort((a, b) => a - b);
}

/** "group acme/platform", "project 42", "the instance": for messages. */
export function scopeLabel(scope: Scope): string {
  if (scope.type === 'instance') return 'the instance';
  return `${scope.type} ${scope.path ?? scope.id}`;
}
