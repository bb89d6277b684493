// The plan engine: (DesiredState, LiveState) → Plan. Pure and deterministic.
// GitLab is the state: a declared runner is matched to the live runner OWNED by
// its scope with the same description (lowest id wins). Runners a scope only
// sees (inherited, instance, borrowed) are never candidates.
import { UserError } from '../errors.js';
import {
  ATTRIBUTE_NAMES,
  type AttrName,
  type Change,
  type DesiredRunner,
  type DesiredScope,
  type DesiredState,
  type LiveRunner,
  type LiveScope,
  type LiveState,
  type NoOpChange,
  type Plan,
  type PlanSummary,
  type RunnerAttrs,
  type Scope,
  type ScopeRef,
  type UnmanagedRunner,
  type UpdateChange,
} from '../model.js';
import { formatAddress, matchesTarget, parseTarget } from './address.js';
import { attrEqual, compareStrings, normalizeLive, normalizePartial } from './attrs.js';
import { fingerprintLive } from './fingerprint.js';
import { markRefusals } from './refusals.js';
import { comparableAttrs } from './hidden.js';

export interface PlanOptions {
  /** --target addresses; empty or absent: everything. */
  targets?: string[];
}

export function computePlan(desired: DesiredState, live: LiveState, opts: PlanOptions = {}): Plan {
  const targetTexts = (opts.targets ?? []).map((t) => t.trim());
  const targets = targetTexts.map(parseTarget);
  const selected = (scope: Scope, description: string): boolean =>
    targets.length === 0 || targets.some((t) => matchesTarget(t, scope, description));

  const pairs = desired.scopes.map((d) => ({ desired: d, live: findLiveScope(live, d.ref) }));
  rejectAliasedScopes(pairs);

  const planned = pairs.map((pair) => planScope(pair.desired, pair.live));
  const all = planned.flatMap((p) => [...p.changes, ...p.unmanaged]);
  // A mistyped --target would plan nothing and pass a drift check: refuse it.
  targets.forEach((t, i) => {
    if (!all.some((c) => matchesTarget(t, c.scope, c.description))) {
      throw new UserError(
        `--target ${targetTexts[i]} matches no runner: no declared runner and no runner owned by a declared scope has that address`,
      );
    }
  });
  const changes = planned.flatMap((p) => p.changes).filter((c) => selected(c.scope, c.description));
  // Only the selected changes: one runner's conflict must not block a --target on another.
  for (const change of changes) rejectUntaggedWithoutTags(change, pairs);
  const unmanaged = planned.flatMap((p) => p.unmanaged).filter((u) => selected(u.scope, u.description));
  changes.sort(compareChanges);
  unmanaged.sort((a, b) => compareScopes(a.scope, b.scope) || compareStrings(a.description, b.description) || a.runner_id - b.runner_id);

  // Changes GitLab will refuse are marked (plan/refusals.ts).
  return markRefusals({
    format_version: 1,
    gitlab_url: live.gitlabUrl,
    scopes: pairs.map((p) => ({ ...p.live.scope })).sort(compareScopes),
    fingerprint: fingerprintLive(live.scopes),
    targets: targetTexts,
    changes,
    unmanaged,
    warnings: [],
    summary: summarize(changes, unmanaged.length),
  }, live);
}

/** Plans one scope: match, then create / update / no-op / delete / unmanaged. */
function planScope(desired: DesiredScope, live: LiveScope): { changes: Change[]; unmanaged: UnmanagedRunner[] } {
  const scope: Scope = { ...live.scope };
  const owned = [...live.owned].sort((a, b) => a.id - b.id);
  const changes: Change[] = [];
  const matched = new Set<number>();

  const seen = new Set<string>();
  for (const runner of desired.runners) {
    if (seen.has(runner.description)) {
      throw new UserError(`${formatAddress(scope, runner.description)} is declared twice in the same scope`);
    }
    seen.add(runner.description);
    // `owned` is sorted by id, so the first one with this description is the lowest id.
    const match = owned.find((o) => o.description === runner.description);
    if (match) {
      matched.add(match.id);
      changes.push(compareRunner(scope, runner, match));
    } else {
      changes.push(createChange(scope, runner));
    }
  }

  const unmanaged: UnmanagedRunner[] = [];
  for (const runner of owned) {
    if (matched.has(runner.id)) continue;
    if (desired.prune) changes.push(deleteChange(scope, runner));
    else {
      unmanaged.push({
        address: formatAddress(scope, runner.description),
        scope: { ...scope },
        description: runner.description,
        runner_id: runner.id,
        status: runner.status,
        contacted_at: runner.contacted_at,
      });
    }
  }
  return { changes, unmanaged };
}

function createChange(scope: Scope, runner: DesiredRunner): Change {
  const after = normalizePartial(runner.attrs);
  return {
    address: formatAddress(scope, runner.description),
    action: 'create',
    scope: { ...scope },
    description: runner.description,
    reason: null,
    token: runner.token,
    refused: null,
    runner_id: null,
    before: null,
    after,
    changed: ATTRIBUTE_NAMES.filter((n) => after[n] !== undefined),
    status: null,
    contacted_at: null,
  };
}

/** Update or no-op. Only attributes the file sets are compared; the rest are left alone. */
function compareRunner(scope: Scope, runner: DesiredRunner, live: LiveRunner): UpdateChange | NoOpChange {
  const before = normalizeLive(live.attrs);
  const wanted = normalizePartial(comparableAttrs(runner.attrs, live));
  const changed: AttrName[] = ATTRIBUTE_NAMES.filter((n) => wanted[n] !== undefined && !attrEqual(n, before[n], wanted[n]));
  // Overlay only what differs, so an equivalent value (null vs "") keeps its live form.
  const after: Record<string, unknown> = { ...before };
  for (const n of changed) after[n] = wanted[n];
  const common = {
    address: formatAddress(scope, runner.description),
    scope: { ...scope },
    description: runner.description,
    reason: null,
    token: null,
    refused: null,
    runner_id: live.id,
    before,
    after: after as RunnerAttrs,
    status: live.status,
    contacted_at: live.contacted_at,
  };
  if (changed.length === 0) return { ...common, action: 'no-op', changed: [] };
  return { ...common, action: 'update', changed, renamed_from: null };
}

/**
 * GitLab refuses a runner that may run neither untagged jobs nor any tag. validate
 * catches it within the file; here a managed value meets an unmanaged live one
 * (tag_list: [] while GitLab has run_untagged: false), so the plan refuses it
 * rather than letting apply fail halfway.
 */
function rejectUntaggedWithoutTags(change: Change, pairs: { desired: DesiredScope; live: LiveScope }[]): void {
  if (change.action !== 'update' || !change.changed.some((n) => n === 'tag_list' || n === 'run_untagged')) return;
  const after = change.after!;
  if (after.run_untagged !== false || (after.tag_list ?? []).length > 0) return;
  const runner = pairs
    .find((p) => p.live.scope.type === change.scope.type && p.live.scope.id === change.scope.id)!
    .desired.runners.find((r) => r.description === change.description)!;
  const unmanaged = runner.attrs.run_untagged === undefined ? 'run_untagged' : 'tag_list';
  const { file, line, column } = runner.source;
  throw new UserError(
    `${file}:${line}:${column}: ${change.address} would have no tags and run_untagged: false ` +
      `(${unmanaged} is not managed by the file; GitLab has that value), which GitLab refuses. ` +
      'Set run_untagged: true or keep at least one tag.',
  );
}

function deleteChange(scope: Scope, live: LiveRunner): Change {
  return {
    address: formatAddress(scope, live.description),
    action: 'delete',
    scope: { ...scope },
    description: live.description,
    reason: null,
    token: null,
    refused: null,
    runner_id: live.id,
    before: normalizeLive(live.attrs),
    after: null,
    changed: [],
    status: live.status,
    contacted_at: live.contacted_at,
  };
}

function summarize(changes: Change[], unmanaged: number): PlanSummary {
  const count = (a: Change['action']) => changes.filter((c) => c.action === a).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    no_op: count('no-op'),
    token_reset: count('token-reset'),
    unmanaged,
    refused: changes.filter((c) => c.refused !== null).length,
  };
}

// ---------------------------------------------------------------- pairing

export function refMatches(a: ScopeRef, b: ScopeRef): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'instance') return true;
  if (a.path !== undefined) return b.path !== undefined && a.path.toLowerCase() === b.path.toLowerCase();
  return a.id === b.id;
}

/** `group "acme/platform"`, `group id 11`, `instance`: a scope as the user wrote it. */
function describeRef(ref: ScopeRef): string {
  if (ref.type === 'instance') return 'instance';
  return ref.path !== undefined ? `${ref.type} "${ref.path}"` : `${ref.type} id ${ref.id}`;
}

function findLiveScope(live: LiveState, ref: ScopeRef): LiveScope {
  const found = live.scopes.find((l) => refMatches(l.ref, ref));
  // The live reader reads every declared scope; a missing one is a bug, not user input.
  if (!found) throw new Error(`internal error: no live state was read for ${describeRef(ref)}`);
  return found;
}

/** group["a/b"] and group[12] may name the same group: declaring it twice would plan it twice. */
function rejectAliasedScopes(pairs: { desired: DesiredScope; live: LiveScope }[]): void {
  const byKey = new Map<string, DesiredScope>();
  for (const { desired, live } of pairs) {
    const key = `${live.scope.type}:${live.scope.id}`;
    const first = byKey.get(key);
    if (first) {
      // Only GitLab can tell that `path: a/b` and `id: 12` are one group: say where both are declared.
      const where = (d: DesiredScope) => `${d.source.file}:${d.source.line}:${d.source.column} (${describeRef(d.ref)})`;
      const { type, path, id } = live.scope;
      throw new UserError(
        `${where(first)} and ${where(desired)} are the same ${type} (${path}, id ${id}): it is declared twice; declare each scope once.`,
      );
    }
    byKey.set(key, desired);
  }
}

// ---------------------------------------------------------------- order

const TYPE_ORDER = { group: 0, project: 1, instance: 2 } as const;

export function compareScopes(a: Scope, b: Scope): number {
  return (
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
    compareStrings((a.path ?? '').toLowerCase(), (b.path ?? '').toLowerCase()) ||
    compareStrings(a.path ?? '', b.path ?? '') ||
    (a.id ?? 0) - (b.id ?? 0)
  );
}

/** Deletions first, then by scope, description and runner id (creates, having none, first). */
export function compareChanges(a: Change, b: Change): number {
  return (
    Number(b.action === 'delete') - Number(a.action === 'delete') ||
    compareScopes(a.scope, b.scope) ||
    compareStrings(a.description, b.description) ||
    (a.runner_id ?? 0) - (b.runner_id ?? 0)
  );
}
