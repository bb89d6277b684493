// Is a saved plan still the plan GitLab needs? apply re-reads the scopes the plan
// covers and refuses it unless the live runners are the ones it was made from,
// and every change points at a runner the plan's own scope owns.
import { redactTokens } from '../secrets.js';
import { scopeEquals, type LiveState, type Plan } from '../model.js';
import { fingerprintLive } from './fingerprint.js';

/** Why the plan may not be applied to `live`, or null when it may. */
export function whyStale(plan: Plan, live: LiveState): string | null {
  if (live.gitlabUrl !== plan.gitlab_url) return `it was made for ${plan.gitlab_url}, not ${live.gitlabUrl}`;
  if (fingerprintLive(live.scopes) !== plan.fingerprint) return 'the runners in GitLab changed since it was made';
  for (const change of plan.changes) {
    const scope = live.scopes.find((s) => scopeEquals(s.scope, change.scope));
    if (!scope) return `${change.address} is in a scope the plan does not cover (was the file edited?)`;
    const owned = scope.owned.find((r) => r.id === change.runner_id);
    if (change.action === 'create') continue;
    // Plan files mask tokens found in GitLab data; compare the way the file was written.
    // A rename names the runner by its new description; GitLab still has the old one.
    const expected = (change.action === 'update' || change.action === 'token-reset') && change.renamed_from ? change.renamed_from : change.description;
    if (!owned || redactTokens(owned.description) !== expected) {
      return `${change.address} names runner ${change.runner_id}, which that scope does not own (was the file edited?)`;
    }
  }
  return null;
}
