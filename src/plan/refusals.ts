// Changes GitLab will refuse, known at plan time from each owned runner's
// permissions (GraphQL userPermissions, or what the REST reader derives): the
// plan marks them, counts them and warns, and apply never sends them. Changes
// runnerform itself refuses (plan/destination-refusal.ts) are marked, counted
// and warned about here too, in their own words.
import type { Change, LiveRunner, LiveState, Plan, PlanWarning } from '../model.js';

/** Who may change a runner of this type (GitLab's RunnerPolicy), for the refusal text. */
function whoMay(runner: LiveRunner): string {
  switch (runner.runner_type) {
    case 'group_type':
      return 'the Owner role on its group';
    case 'project_type':
      return 'the Maintainer role on its owner project';
    case 'instance_type':
      return 'administrator access';
  }
}

/** Why GitLab will refuse `change` to `runner`, or null when it will not (or nobody can tell). */
export function refusalOf(change: Change, runner: LiveRunner | undefined): string | null {
  if (!runner?.permissions || change.action === 'no-op' || change.action === 'create') return null;
  if (change.action === 'delete') {
    if (runner.permissions.delete) return null;
    const n = runner.project_count;
    // GitLab: `~admin & belongs_to_multiple_projects` prevents delete_runner, even from the owner project.
    if (runner.runner_type === 'project_type' && n !== undefined && n > 1 && runner.permissions.update) {
      return `only an administrator may delete a runner enabled in ${n} projects`;
    }
    return `this token may not delete runner #${runner.id} (it needs ${whoMay(runner)})`;
  }
  // update and token-reset (a token reset is an update_runner in GitLab's policy).
  if (runner.permissions.update) return null;
  const verb = change.action === 'token-reset' ? 'reset the token of' : 'update';
  return `this token may not ${verb} runner #${runner.id} (it needs ${whoMay(runner)})`;
}

/**
 * The refusal as a reader reads it: `GitLab will refuse this: …`, or runnerform's own sentence
 * (Change.refused_by: it names runnerform and why) as it is.
 */
export function refusalSentence(item: { refused: string; refused_by?: 'runnerform' }): string {
  return item.refused_by === 'runnerform' ? item.refused : `GitLab will refuse this: ${item.refused}`;
}

/** The plan with every refused change marked, a 'refused' warning for each (refused deliveries too), and summary.refused counted. */
export function markRefusals(plan: Plan, live: LiveState): Plan {
  const owned = new Map<number, LiveRunner>();
  for (const s of live.scopes) for (const r of s.owned) owned.set(r.id, r);
  const warnings: PlanWarning[] = [];
  const changes = plan.changes.map((c) => {
    const refused = c.refused ?? refusalOf(c, c.runner_id === null ? undefined : owned.get(c.runner_id));
    if (refused === null) return c;
    warnings.push({ address: c.address, kind: 'refused', message: refusalSentence({ refused, refused_by: c.refused_by }) });
    return { ...c, refused };
  });
  for (const d of plan.deliveries) {
    if (d.refused !== null) warnings.push({ address: d.address, kind: 'refused', message: `GitLab will refuse this delivery of its stored token: ${d.refused}` });
  }
  if (warnings.length === 0) return plan;
  const refused = changes.filter((c) => c.refused !== null).length + plan.deliveries.filter((d) => d.refused !== null).length;
  return { ...plan, changes, warnings: [...plan.warnings, ...warnings], summary: { ...plan.summary, refused } };
}
