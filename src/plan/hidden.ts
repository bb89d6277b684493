// Fields GitLab would not show this token (a maintenance note without
// update_runner, a token expiry without read_runner_sensitive_data or through
// REST, whose runner details never have it) are
// unknown, not empty: the plan leaves them alone instead of calling them drift,
// and says once per plan what it could not compare and which token could.
import type { HiddenField, LiveRunner, LiveScope, LiveState, PlanWarning, RunnerAttrs, ScopeType } from '../model.js';

/** The desired attributes minus those the live runner's reader could not see. */
export function comparableAttrs(wanted: RunnerAttrs, live: LiveRunner): RunnerAttrs {
  if (!live.hidden || live.hidden.length === 0) return wanted;
  const out: Record<string, unknown> = { ...wanted };
  for (const name of live.hidden) delete out[name];
  return out;
}

/** Who GitLab shows a runner's maintenance note to: who may update the runner (runner_policy.rb). */
const NOTE_READER: Record<ScopeType, string> = {
  group: 'the Owner role',
  project: 'the Maintainer role on the owner project',
  instance: 'administrator rights',
};

/**
 * One warning per hidden field over the owned runners of `scopes`, addressed to the scopes they are in.
 * `api` 'rest': the expiry was hidden by the REST API itself (LiveState.api), not from this token.
 */
export function hiddenFieldWarnings(scopes: LiveScope[], selected: (r: LiveRunner, s: LiveScope) => boolean, api?: LiveState['api']): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const field of ['maintenance_note', 'token_expires_at'] as HiddenField[]) {
    const where = scopes.map((s) => ({ s, n: s.owned.filter((r) => selected(r, s) && r.hidden?.includes(field)).length })).filter((x) => x.n > 0);
    const count = where.reduce((sum, x) => sum + x.n, 0);
    if (count === 0) continue;
    const address = where.map((x) => (x.s.scope.type === 'instance' ? 'instance' : `${x.s.scope.type} ${x.s.scope.path ?? x.s.scope.id}`)).join(', ');
    const runners = count === 1 ? '1 runner is' : `${count} runners are`;
    const message =
      field === 'maintenance_note'
        ? `maintenance notes of ${runners} hidden from this token: not compared; a token with ${roles(where.map((x) => x.s.scope.type))} compares them`
        : api === 'rest'
          ? `token expiry of ${count === 1 ? '1 runner' : `${count} runners`} not shown by GitLab's REST API: not checked (no renewal, no expiry warning); GitLab's GraphQL API shows it (--api graphql)`
          : `token expiry dates of ${runners} hidden from this token: not checked; an administrator's token checks them`;
    out.push({ address, kind: 'hidden_fields', message });
  }
  return out;
}

function roles(types: ScopeType[]): string {
  return [...new Set(types)].map((t) => NOTE_READER[t]).join(' or ');
}
