// The plan engine: (DesiredState, LiveState) → Plan. Pure and deterministic.
// GitLab is the state: a declared runner is matched to the live runner OWNED by
// its scope with the same description (lowest id wins), else to one with an
// earlier description it lists in `renamed_from` (renamed in place). Runners a
// scope only sees (inherited, instance, borrowed) are never candidates.
// The engine decides every action and its reason; renderers only print them.
import { UserError } from '../errors.js';
import {
  ATTRIBUTE_NAMES,
  type AttrName,
  type Change,
  type Delivery,
  type DeleteChange,
  type DeleteReason,
  type DesiredRunner,
  type DesiredScope,
  type DesiredState,
  type LiveRunner,
  type LiveScope,
  type LiveState,
  type NoOpChange,
  type Plan,
  type PlanSummary,
  type PlanWarning,
  type RunnerAttrs,
  type Scope,
  type ScopeRef,
  scopeEquals,
  type TokenDestination,
  type TokenEvidence,
  type TokenResetChange,
  type UnmanagedRunner,
  type UpdateChange,
  WARNING_KINDS,
} from '../model.js';
import { formatAddress, matchesTarget, parseTarget, quote } from './address.js';
import { attrEqual, compareStrings, normalizeLive, normalizePartial } from './attrs.js';
import { fingerprintLive } from './fingerprint.js';
import { markRefusals } from './refusals.js';
import { planEnablements } from './project-enablement.js';
import { comparableAttrs, hiddenFieldWarnings } from './hidden.js';
import { healthWarnings } from './health.js';
import { renewal } from './renewal.js';
import { tokenJudge, type TokenDecision, type TokenJudge } from './token-reset.js';
import { destinationRefusal, undeliverableRefusal } from './destination-refusal.js';

export interface PlanOptions {
  /** --target addresses; empty or absent: everything. */
  targets?: string[];
  /** The time health warnings are judged at (the CLI passes new Date()); absent: no time-based warnings. */
  now?: Date;
  /** Where tokens went (journal, CI/CD variables), gathered by apply/; absent: no token resets. */
  evidence?: TokenEvidence;
}

/** A warning with the runner it is about, so --target can select it like a change. */
interface ScopedWarning {
  scope: Scope;
  description: string;
  runner_id: number;
  warning: PlanWarning;
}

interface ScopeContext {
  now: Date | undefined;
  tokens: TokenJudge;
  /** Why a token destination cannot be written (TokenEvidence.unwritable), or null. */
  unwritable: (dest: TokenDestination | null, description: string) => string | null;
}

export function computePlan(desired: DesiredState, live: LiveState, opts: PlanOptions = {}): Plan {
  const targetTexts = (opts.targets ?? []).map((t) => t.trim());
  const targets = targetTexts.map(parseTarget);
  const selected = (scope: Scope, description: string, runner_id: number | null = null): boolean =>
    targets.length === 0 || targets.some((t) => matchesTarget(t, scope, description, runner_id));

  const pairs = desired.scopes.map((d) => ({ desired: d, live: findLiveScope(live, d.ref) }));
  rejectAliasedScopes(pairs);

  const unwritable = opts.evidence?.unwritable ?? {};
  const ctx: ScopeContext = {
    now: opts.now,
    tokens: tokenJudge(opts.evidence),
    unwritable: (dest, description) => destinationRefusal(dest, description, unwritable),
  };
  const planned = pairs.map((pair) => planScope(pair.desired, pair.live, ctx));
  const plannedScope = (s: Scope) => pairs.some((p) => scopeEquals(p.live.scope, s));
  const unplanned = ctx.tokens.unplannedDeliveries(plannedScope).map((r): Delivery => {
    const address = formatAddress(r.scope, r.description);
    const token = r.destination!;
    return { address, scope: { ...r.scope }, description: r.description, runner_id: r.runner_id!, reason: 'undelivered', token, refused: ctx.unwritable(token, r.description) };
  });
  const all = planned.flatMap((p) => [...p.changes, ...p.unmanaged, ...p.deliveries]);
  // A mistyped --target would plan nothing and pass a drift check: refuse it.
  targets.forEach((t, i) => {
    if (!all.some((c) => matchesTarget(t, c.scope, c.description, c.runner_id))) {
      throw new UserError(
        `--target ${targetTexts[i]} matches no runner: no declared runner and no runner owned by a declared scope has that address`,
      );
    }
  });
  const changes = planned.flatMap((p) => p.changes).filter((c) => selected(c.scope, c.description, c.runner_id));
  // Only the selected changes: one runner's conflict must not block a --target on another.
  for (const change of changes) rejectUntaggedWithoutTags(change, pairs);
  const unmanaged = planned.flatMap((p) => p.unmanaged).filter((u) => selected(u.scope, u.description, u.runner_id));
  const deliveries = [...planned.flatMap((p) => p.deliveries), ...unplanned]
    .filter((d) => selected(d.scope, d.description, d.runner_id))
    .sort((a, b) => compareStrings(a.address, b.address) || a.runner_id - b.runner_id);
  const warnings = planned
    .flatMap((p) => p.warnings)
    .filter((w) => selected(w.scope, w.description, w.runner_id))
    .map((w) => w.warning)
    // Fields GitLab hid from this token: said once per plan (plan/hidden.ts).
    .concat(hiddenFieldWarnings(pairs.map((p) => p.live), (r, s) => selected(s.scope, r.description), live.api))
    .sort(compareWarnings);
  changes.sort(compareChanges);
  unmanaged.sort((a, b) => compareScopes(a.scope, b.scope) || compareStrings(a.description, b.description) || a.runner_id - b.runner_id);

  // Changes GitLab will refuse are marked (plan/refusals.ts); then enablements in other projects (plan/project-enablement.ts).
  const refused = markRefusals({
    format_version: 1,
    gitlab_url: live.gitlabUrl,
    scopes: pairs.map((p) => ({ ...p.live.scope })).sort(compareScopes),
    fingerprint: fingerprintLive(live.scopes),
    targets: targetTexts,
    changes,
    deliveries,
    unmanaged,
    warnings,
    summary: summarize(changes, deliveries.length, unmanaged.length),
  }, live);
  const plan = planEnablements(refused, pairs, live);
  // One order for all warnings, refusals included.
  return { ...plan, warnings: [...plan.warnings].sort(compareWarnings) };
}

/** Plans one scope: match (by description, then by renamed_from), then create / update / no-op / token-reset / delete / unmanaged. */
function planScope(
  desired: DesiredScope,
  live: LiveScope,
  ctx: ScopeContext,
): { changes: Change[]; deliveries: Delivery[]; unmanaged: UnmanagedRunner[]; warnings: ScopedWarning[] } {
  const scope: Scope = { ...live.scope };
  const owned = [...live.owned].sort((a, b) => a.id - b.id);
  const changes: Change[] = [];
  const deliveries: Delivery[] = [];
  const warnings: ScopedWarning[] = [];
  const warn = (description: string, runner_id: number, kind: PlanWarning['kind'], message: string) =>
    warnings.push({ scope: { ...scope }, description, runner_id, warning: { address: formatAddress(scope, description), kind, message } });

  const seen = new Set<string>();
  for (const runner of desired.runners) {
    if (seen.has(runner.description)) {
      throw new UserError(`${formatAddress(scope, runner.description)} is declared twice in the same scope`);
    }
    seen.add(runner.description);
  }

  // Indexed by description (a scope may own thousands); each list is sorted by id,
  // so the first free one is the lowest id.
  const byDescription = new Map<string, LiveRunner[]>();
  for (const o of owned) {
    const list = byDescription.get(o.description);
    if (list) list.push(o);
    else byDescription.set(o.description, [o]);
  }
  const used = new Set<number>();
  const free = (description: string): LiveRunner | undefined => byDescription.get(description)?.find((o) => !used.has(o.id));
  const take = (description: string): LiveRunner | undefined => {
    const found = free(description);
    if (found) used.add(found.id);
    return found;
  };
  // Exact descriptions first, so a rename never takes a runner another declaration names.
  const matches = new Map<DesiredRunner, LiveRunner>();
  for (const runner of desired.runners) {
    const match = take(runner.description);
    if (match) matches.set(runner, match);
  }
  for (const runner of desired.runners) {
    if (matches.has(runner)) continue;
    for (const old of runner.renamed_from) {
      const match = take(old);
      if (match) {
        matches.set(runner, match);
        break;
      }
    }
  }

  for (const runner of desired.runners) {
    const match = matches.get(runner);
    const address = formatAddress(scope, runner.description);
    if (!match) {
      changes.push(createChange(scope, address, runner, ctx.unwritable(runner.token, runner.description)));
      continue;
    }
    if (match.description === runner.description) {
      for (const old of runner.renamed_from) {
        const left = free(old);
        if (!left) continue;
        warn(
          runner.description,
          match.id,
          'renamed_from_obsolete',
          `renamed_from ${quote(old)} can be removed: a runner named ${quote(runner.description)} exists (id ${match.id}) and is the match; ` +
            `the runner still named ${quote(old)} (id ${left.id}) is not declared`,
        );
      }
    }
    const judged = ctx.tokens.decide(scope, runner, match);
    // A token about to expire is replaced anyway: renewal also answers "its destination lacks it".
    const renew = renewal(address, runner, match, ctx.now, ctx.tokens.stored(match.id));
    const decision = judged === null || judged.kind === 'warn' ? (renew?.kind === 'reset' ? renew : judged) : judged;
    const change = existingChange(scope, address, runner, match, decision, ctx.unwritable(runner.token, runner.description));
    changes.push(change);
    if (decision?.kind === 'deliver') deliveries.push(deliveryOf(change, runner.token!, decision.reason, ctx.unwritable(runner.token, runner.description)));
    if (decision?.kind === 'warn') warn(runner.description, match.id, 'contacted_without_token', decision.message);
    // A withheld renewal is the token's warning: the generic "expires within 7 days" would repeat it.
    const withheld = renew?.kind === 'withheld' && change.action !== 'token-reset' ? renew.message : null;
    if (withheld !== null) warn(runner.description, match.id, 'token_expiring', withheld);
    for (const w of healthWarnings(address, match, ctx.now, change.action === 'token-reset', runner.health, ctx.tokens.ownContact(match.id))) {
      if (withheld === null || w.kind !== 'token_expiring') warn(runner.description, match.id, w.kind, w.message);
    }
  }

  // A second owned runner with the description a declared runner was matched by is a duplicate of it.
  const kept = new Map([...matches.values()].map((m) => [m.description, m.id]));
  // An address names one runner: the declared one, else the lowest id; another runner sharing
  // its description is marked with its id (Terraform's deposed key), so addresses stay unique.
  const taken = new Set(desired.runners.map((r) => r.description));
  const unmanaged: UnmanagedRunner[] = [];
  for (const runner of owned) {
    if (used.has(runner.id)) continue;
    const plain = !taken.has(runner.description);
    taken.add(runner.description);
    const address = formatAddress(scope, runner.description) + (plain ? '' : `#${runner.id}`);
    if (desired.prune) changes.push(deleteChange(scope, address, runner, kept.get(runner.description) ?? null));
    else {
      unmanaged.push({
        address,
        scope: { ...scope },
        description: runner.description,
        runner_id: runner.id,
        status: runner.status,
        contacted_at: runner.contacted_at,
      });
    }
  }
  return { changes, deliveries, unmanaged, warnings };
}

/** The stored token of a declared runner, delivered to the destination declared for it now. */
function deliveryOf(change: Change, token: TokenDestination, reason: Delivery['reason'], refused: string | null): Delivery {
  if (change.runner_id === null) throw new Error(`internal error: ${change.address} has no runner to deliver to`);
  return { address: change.address, scope: { ...change.scope }, description: change.description, runner_id: change.runner_id, reason, token, refused };
}

function createChange(scope: Scope, address: string, runner: DesiredRunner, unwritable: string | null): Change {
  const after = normalizePartial(runner.attrs);
  // GitLab would create it; runnerform will not, as its token could not be kept.
  const refused = unwritable === null ? {} : { refused_by: 'runnerform' as const };
  return {
    ...refused,
    address,
    action: 'create',
    scope: { ...scope },
    description: runner.description,
    reason: null,
    token: runner.token,
    refused: unwritable === null ? null : undeliverableRefusal('create', unwritable),
    runner_id: null,
    before: null,
    after,
    changed: ATTRIBUTE_NAMES.filter((n) => after[n] !== undefined),
    status: null,
    contacted_at: null,
  };
}

/**
 * Update, no-op or token-reset of a matched runner. Only attributes the file sets are
 * compared; the rest are left alone. A rename is an update even when no attribute differs,
 * and so is moving a stored token to a destination that changed (a rename with a
 * `{description}` key, a changed key or owner). A token reset carries the attribute drift
 * and the rename too (apply updates first).
 */
function existingChange(
  scope: Scope,
  address: string,
  runner: DesiredRunner,
  live: LiveRunner,
  decision: TokenDecision,
  unwritable: string | null,
): UpdateChange | NoOpChange | TokenResetChange {
  const before = normalizeLive(live.attrs);
  const wanted = normalizePartial(comparableAttrs(runner.attrs, live));
  const changed: AttrName[] = ATTRIBUTE_NAMES.filter((n) => wanted[n] !== undefined && !attrEqual(n, before[n], wanted[n]));
  // Overlay only what differs, so an equivalent value (null vs "") keeps its live form.
  const after: Record<string, unknown> = { ...before };
  for (const n of changed) after[n] = wanted[n];
  const common = {
    address,
    scope: { ...scope },
    description: runner.description,
    token: null,
    refused: null,
    runner_id: live.id,
    before,
    after: after as RunnerAttrs,
    changed,
    status: live.status,
    contacted_at: live.contacted_at,
  };
  // Object.assign onto `common`, not a spread of it: this runs for every declared runner, and
  // copying the shared part for each is most of the engine's cost on a large fleet.
  const renamedFrom = live.description !== runner.description ? live.description : null;
  if (decision?.kind === 'reset') {
    // renamed_from and token_move only when set: the JSON plan carries them only then.
    const rename = renamedFrom !== null ? { renamed_from: renamedFrom } : {};
    // A destination GitLab will not let this token write: runnerform will not reset a token it cannot keep (GitLab would).
    const refused = unwritable === null ? {} : { refused: undeliverableRefusal('token-reset', unwritable), refused_by: 'runnerform' as const };
    return Object.assign(common, { action: 'token-reset' as const, reason: decision.reason, token: runner.token }, refused, rename);
  }
  const reason = renamedFrom !== null ? ('renamed' as const) : null;
  if (decision?.kind === 'move') {
    return Object.assign(common, { action: 'update' as const, reason, token: runner.token, refused: unwritable, renamed_from: renamedFrom, token_move: decision.move });
  }
  // A stored token to deliver is not a change of the runner: it is one of the plan's deliveries.
  if (renamedFrom === null && changed.length === 0) return Object.assign(common, { action: 'no-op' as const, reason: null, changed: [] as [] });
  return Object.assign(common, { action: 'update' as const, reason, renamed_from: renamedFrom });
}

/**
 * GitLab refuses a runner that may run neither untagged jobs nor any tag. validate
 * catches it within the file; here a managed value meets an unmanaged live one
 * (tag_list: [] while GitLab has run_untagged: false), so the plan refuses it
 * rather than letting apply fail halfway.
 */
function rejectUntaggedWithoutTags(change: Change, pairs: { desired: DesiredScope; live: LiveScope }[]): void {
  if ((change.action !== 'update' && change.action !== 'token-reset') || !change.changed.some((n) => n === 'tag_list' || n === 'run_untagged')) return;
  const after = change.after;
  if (after.run_untagged !== false || (after.tag_list ?? []).length > 0) return;
  const runner = pairs
    .find((p) => scopeEquals(p.live.scope, change.scope))!
    .desired.runners.find((r) => r.description === change.description)!;
  const unmanaged = runner.attrs.run_untagged === undefined ? 'run_untagged' : 'tag_list';
  const { file, line, column } = runner.source;
  throw new UserError(
    `${file}:${line}:${column}: ${change.address} would have no tags and run_untagged: false ` +
      `(${unmanaged} is not managed by the file; GitLab has that value), which GitLab refuses. ` +
      'Set run_untagged: true or keep at least one tag.',
  );
}

function deleteChange(scope: Scope, address: string, live: LiveRunner, duplicateOf: number | null): DeleteChange {
  const reason: DeleteReason = duplicateOf === null ? 'undeclared' : 'duplicate';
  return {
    address,
    action: 'delete',
    scope: { ...scope },
    description: live.description,
    reason,
    duplicate_of: duplicateOf,
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

function summarize(changes: Change[], deliveries: number, unmanaged: number): PlanSummary {
  const count = (a: Change['action']) => changes.filter((c) => c.action === a).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    no_op: count('no-op'),
    token_reset: count('token-reset'),
    deliver: deliveries,
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

function compareScopes(a: Scope, b: Scope): number {
  return (
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
    compareStrings((a.path ?? '').toLowerCase(), (b.path ?? '').toLowerCase()) ||
    compareStrings(a.path ?? '', b.path ?? '') ||
    (a.id ?? 0) - (b.id ?? 0)
  );
}

/** By address, then in WARNING_KINDS order, then by message: the same input gives the same list. */
function compareWarnings(a: PlanWarning, b: PlanWarning): number {
  return (
    compareStrings(a.address, b.address) ||
    WARNING_KINDS.indexOf(a.kind) - WARNING_KINDS.indexOf(b.kind) ||
    compareStrings(a.message, b.message)
  );
}

/** Deletions first, then by scope, description and runner id (creates, having none, first). */
function compareChanges(a: Change, b: Change): number {
  return (
    Number(b.action === 'delete') - Number(a.action === 'delete') ||
    compareScopes(a.scope, b.scope) ||
    compareStrings(a.description, b.description) ||
    (a.runner_id ?? 0) - (b.runner_id ?? 0)
  );
}
