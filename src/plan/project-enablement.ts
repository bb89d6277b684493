// Which other projects a project runner is enabled in (`also_in:`), planned as
// sub-changes of the runner's change, and a prune of a runner enabled in several
// projects, which a non-administrator can delete only after disabling it in the
// others. Pure: the facts come from gitlab/enabled-projects.ts.
//
// GitLab's rules, predicted like the other refusals (plan/refusals.ts):
// - enable (POST /projects/:id/runners, lib/api/ci/runners.rb): the token needs the Maintainer role on
//   the target project (`authorize! :read_runners` and `:create_runners`); `authenticate_enable_runner!`
//   refuses a locked runner to a non-administrator (app/policies/ci/runner_policy.rb: `~admin & locked`
//   prevents :assign_runner) and needs :assign_runner (the Maintainer role on the owner project);
//   group and instance runners are never enabled in a project (config/also-in.ts allows also_in on
//   project runners only; Ci::Runner#assign_to raises for the others);
// - disable (DELETE /projects/:id/runners/:runner_id): Maintainer role on that project; a locked runner is
//   refused to a non-administrator (`authenticate_disable_runner!`, app/policies/ci/runner_project_policy.rb);
//   the owner project is never unassigned (`assigned_to_owner_project`,
//   app/services/ci/runners/unassign_runner_service.rb): the plan never disables it;
// - delete: `~admin & belongs_to_multiple_projects` prevents :delete_runner (runner_policy.rb), so a prune
//   first disables the runner in the other projects, in the same apply, or reports why it cannot.
// Not predicted: app/services/ci/runners/assign_runner_service.rb also refuses a project of another
// organization than the runner's owner project (`project.organization_id != runner.owner.organization_id`:
// 400 "runner can only be assigned to projects in the same organization - project_not_in_same_organization",
// administrators included). No reader can know it: neither the REST project and runner entities
// (lib/api/entities/) nor the GraphQL Project and CiRunner types expose an organization; the only places
// that do are the experimental GraphQL Organization type and GET /personal_access_tokens/self/associations
// (organization_id of the groups the token's own user belongs to, personal access tokens only), which
// would leave most projects unknown. Such an enable is planned as allowed; apply reports GitLab's
// refusal as the runner's failure, naming the project (apply/enablements.ts), and the next plan shows it again.
import { UserError } from '../errors.js';
import {
  alsoInKey,
  onlyEnablements,
  type Change,
  type DesiredRunner,
  type DesiredScope,
  type Enablement,
  type EnablementFacts,
  type LiveRunner,
  type LiveScope,
  type LiveState,
  type Plan,
  type PlanWarning,
  type ProjectLink,
} from '../model.js';
import { quote } from './address.js';

/** A declared scope and the live scope read for it (the engine pairs them). */
export interface ScopePair {
  desired: DesiredScope;
  live: LiveScope;
}

interface Context {
  facts: EnablementFacts;
  maintains: Set<number>;
}

/** The plan with enable/disable sub-changes, their refusals, warnings and summary counts; unchanged when nothing manages them. */
export function planEnablements(plan: Plan, pairs: ScopePair[], live: LiveState): Plan {
  const facts = live.enablement;
  if (!facts) return plan;
  const ctx: Context = { facts, maintains: new Set(facts.maintains) };
  const warnings: PlanWarning[] = [];
  // The engine's refusal warnings that a planned disable (or a better reason) replaces: `address\nmessage`.
  const replaced = new Set<string>();
  const changes = plan.changes.map((change) => {
    const pair = pairOf(change, pairs);
    if (!pair) return change;
    if (change.action !== 'delete') return pair.declared?.also_in ? declaredChange(change, pair.declared, pair.runner, pair.scope, ctx, warnings) : change;
    if (!pair.runner) return change;
    const next = deleteWithDisables(change, pair.runner, pair.scope, ctx);
    if (next.refused === change.refused) return next;
    if (change.refused !== null) replaced.add(`${change.address}\nGitLab will refuse this: ${change.refused}`);
    if (next.refused !== null) warnings.push({ address: change.address, kind: 'refused', message: `GitLab will refuse this: ${next.refused}` });
    return next;
  });
  if (!changes.some((c) => (c.enablements?.length ?? 0) > 0) && warnings.length === 0 && replaced.size === 0) return plan;
  const kept = plan.warnings.filter((w) => !(w.kind === 'refused' && replaced.has(`${w.address}\n${w.message}`)));
  return { ...plan, changes, warnings: [...kept, ...warnings], summary: recount(plan, changes) };
}

/** A declared runner's change with the enablements that bring its projects to `also_in`, and their warnings. */
function declaredChange(change: Change, declared: DesiredRunner, runner: LiveRunner | undefined, scope: LiveScope, ctx: Context, warnings: PlanWarning[]): Change {
  if (change.action === 'create') rejectBorrowed(declared, scope, ctx);
  const { enablements, hidden } = wanted(change, declared, runner, scope, ctx);
  if (hidden > 0) {
    warnings.push({
      address: change.address,
      kind: 'hidden_projects',
      message:
        `GitLab says runner #${runner!.id} is enabled in ${hidden} more project${hidden === 1 ? '' : 's'} this token cannot see: ` +
        'they are not compared with also_in and stay as they are (a token that can see them would disable them)',
    });
  }
  for (const e of enablements) {
    if (e.refused) warnings.push({ address: change.address, kind: 'refused', message: `GitLab will refuse to ${e.action} it in ${e.project.path}: ${e.refused}` });
  }
  if (enablements.length === 0) return change;
  if (change.action !== 'no-op') return { ...change, enablements };
  // Enabling or disabling is a change of the runner even when its attributes match; when GitLab
  // will refuse all of it, the whole change is refused (apply sends nothing and says why).
  const allRefused = enablements.every((e) => e.refused !== null);
  const refused = allRefused ? enablements.map((e) => `${e.action} in ${e.project.path}: ${e.refused}`).join('; ') : null;
  return { ...change, action: 'update', renamed_from: null, refused, enablements };
}

/** The summary after enablements: no-ops that became updates, refusals, and the enable/disable counts (only when there are any). */
function recount(plan: Plan, changes: Change[]): Plan['summary'] {
  const subs = changes.flatMap((c) => c.enablements ?? []);
  const count = (a: Change['action']) => changes.filter((c) => c.action === a).length;
  return {
    ...plan.summary,
    // A change that only enables or disables the runner in projects counts there, not as an update.
    update: changes.filter((c) => c.action === 'update' && !onlyEnablements(c)).length,
    no_op: count('no-op'),
    // A refused change counts once; refused sub-changes of a change that is sent count each.
    refused: changes.reduce((n, c) => n + (c.refused !== null ? 1 : (c.enablements ?? []).filter((e) => e.refused !== null).length), 0),
    ...(subs.length > 0 ? { enable: subs.filter((e) => e.action === 'enable').length, disable: subs.filter((e) => e.action === 'disable').length } : {}),
  };
}

/** The live scope, live runner and declared runner a change is about (project scopes only). */
function pairOf(change: Change, pairs: ScopePair[]): { scope: LiveScope; runner: LiveRunner | undefined; declared: DesiredRunner | undefined } | null {
  if (change.scope.type !== 'project') return null;
  const pair = pairs.find((p) => p.live.scope.type === 'project' && p.live.scope.id === change.scope.id);
  if (!pair) return null;
  const scope = pair.live;
  const runner = change.runner_id === null ? undefined : scope.owned.find((r) => r.id === change.runner_id);
  const declared = change.action === 'delete' ? undefined : pair.desired.runners.find((r) => r.description === change.description);
  return { scope, runner, declared };
}

/** The enablements that bring the runner's other projects to `also_in`, and how many projects GitLab counts that the token cannot see. */
function wanted(change: Change, declared: DesiredRunner, runner: LiveRunner | undefined, scope: LiveScope, ctx: Context): { enablements: Enablement[]; hidden: number } {
  const owner = scope.scope.id;
  const want = new Map<number, ProjectLink>();
  for (const entry of declared.also_in ?? []) {
    const project = ctx.facts.projects[alsoInKey(entry.ref)];
    if (!project) throw new Error(`internal error: also_in project ${String(entry.ref)} was not resolved`);
    if (project.id === owner) {
      const { file, line, column } = entry.source;
      throw new UserError(`${file}:${line}:${column}: also_in names ${project.path}, the owner project ${change.address} is declared under; list only the other projects`);
    }
    want.set(project.id, project);
  }
  const seen = runner?.projects ?? [];
  const have = new Map(seen.filter((p) => p.id !== owner).map((p) => [p.id, p]));
  const hidden = runner?.project_count !== undefined && runner.projects ? Math.max(0, runner.project_count - Math.max(seen.length, 1)) : 0;
  // The attributes are updated first: a runner this change unlocks may be enabled.
  const locked = change.refused === null ? change.after?.locked === true : change.before?.locked === true;
  const mayAssign = change.action === 'create' || runner?.permissions?.update !== false;
  const enables = [...want.values()].filter((p) => !have.has(p.id)).map((p) => enablement('enable', p, enableRefusal(p, locked, mayAssign, ctx)));
  const disables = [...have.values()].filter((p) => !want.has(p.id)).map((p) => enablement('disable', p, disableRefusal(p, locked, ctx)));
  return { enablements: [...enables.sort(byPath), ...disables.sort(byPath)], hidden };
}

function enablement(action: Enablement['action'], project: ProjectLink, refused: string | null): Enablement {
  return { action, project: { id: project.id, path: project.path }, refused };
}

const byPath = (a: Enablement, b: Enablement): number => (a.project.path < b.project.path ? -1 : a.project.path > b.project.path ? 1 : a.project.id - b.project.id);

function enableRefusal(project: ProjectLink, locked: boolean, mayAssign: boolean, ctx: Context): string | null {
  if (ctx.facts.admin) return null;
  if (!ctx.maintains.has(project.id)) return `this token needs the Maintainer role on project ${project.path} to enable runners there`;
  if (locked) return 'the runner is locked: only an administrator may enable a locked runner in another project (set locked: false to let this token do it)';
  if (!mayAssign) return 'this token may not assign the runner to other projects (it needs the Maintainer role on its owner project)';
  return null;
}

function disableRefusal(project: ProjectLink, locked: boolean, ctx: Context): string | null {
  if (ctx.facts.admin) return null;
  if (!ctx.maintains.has(project.id)) return `this token needs the Maintainer role on project ${project.path} to disable runners there`;
  if (locked) return 'the runner is locked: only an administrator may disable a locked runner in a project';
  return null;
}

/**
 * A delete GitLab refuses only because the runner is enabled in other projects: planned as disables
 * there first, when the token may do every one of them and sees them all; otherwise refused, saying why.
 */
function deleteWithDisables(change: Change, runner: LiveRunner, scope: LiveScope, ctx: Context): Change {
  const n = runner.project_count ?? 0;
  if (ctx.facts.admin || runner.runner_type !== 'project_type' || n <= 1 || runner.permissions?.update !== true || !runner.projects) return change;
  const others = runner.projects.filter((p) => p.id !== scope.scope.id);
  const disables = others.map((p) => enablement('disable', p, disableRefusal(p, runner.attrs.locked, ctx))).sort(byPath);
  const hidden = n - 1 - others.length;
  const why =
    hidden > 0
      ? `it is enabled in ${n} projects, ${hidden} of them hidden from this token, and only an administrator may delete a runner enabled in several projects`
      : disables.some((d) => d.refused)
        ? `it is enabled in ${n} projects and this token cannot first disable it in ${disables.filter((d) => d.refused).map((d) => `${d.project.path} (${d.refused})`).join(', ')}; only an administrator may delete it as it is`
        : null;
  // A refused delete sends nothing, so it disables nothing either: the reason names what blocks it.
  return { ...change, refused: why, enablements: why === null ? disables : [] };
}

/** `also_in:` on a runner this project only borrows: the owner project is the scope to declare it under. */
function rejectBorrowed(declared: DesiredRunner, scope: LiveScope, ctx: Context): void {
  const borrowed = scope.visible.find((v) => v.ownership === 'borrowed' && v.runner_type === 'project_type' && v.description === declared.description);
  if (!borrowed) return;
  const owner = ctx.facts.owners[String(borrowed.id)];
  const { file, line, column } = declared.source;
  throw new UserError(
    `${file}:${line}:${column}: runner ${quote(declared.description)} (#${borrowed.id}) is enabled in project ${scope.scope.path} but owned by ` +
      `${owner ? `project ${owner}` : 'a project this token cannot see'}: declare it under its owner project, with ${scope.scope.path} in also_in`,
  );
}
