// Which declared runners need a new token, judged from what the plan is told
// about where tokens went (TokenEvidence, gathered by apply/). Pure.
//
// A runner gets a token reset only when the evidence shows its token is lost
// AND it has never contacted GitLab: a runner that contacted GitLab has a host
// holding a working token, and resetting it would cut that host off. Such a
// runner gets a warning naming `runnerform rotate` instead.
import type { DeliveryReason, DesiredRunner, JournalRecord, LiveRunner, Scope, TokenEvidence, TokenMove } from '../model.js';
import { formatAddress, quote } from './address.js';
import { describeDestination, destinationKey, expandKey, variableKeyOf } from './token-dest.js';

/**
 * How far GitLab's clock (created_at) may be behind the clock of the machine
 * that wrote the journal intent (intent_at) for a runner to still count as
 * "created after the intent". Two minutes covers ordinary NTP drift; it is not
 * wider because a runner created long before the intent is not the orphan.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 2 * 60_000;

export type TokenDecision =
  | { kind: 'reset'; reason: 'interrupted_create' | 'undelivered_token' | 'dead_stored_token' | 'renew' }
  | { kind: 'warn'; message: string }
  /** The journal holds the token, delivered elsewhere than the destination declared now: deliver it there. */
  | { kind: 'move'; move: TokenMove }
  /** The journal holds the token and its destination does not: deliver it (to the destination declared now). */
  | { kind: 'deliver'; reason: DeliveryReason }
  | null;

/** Decides token resets for one plan; the journal is indexed once (it grows with every create). */
export interface TokenJudge {
  decide(scope: Scope, runner: DesiredRunner, live: LiveRunner): TokenDecision;
  /**
   * Stored, undelivered tokens of runners in scopes `isPlanned` rejects (the plan does not read them):
   * delivered where the journal recorded, as every apply did before. Last record per runner.
   */
  unplannedDeliveries(isPlanned: (scope: Scope) => boolean): JournalRecord[];
  /** The journal's record of the runner's stored token (its last), if any. */
  stored(runner_id: number): JournalRecord | undefined;
  /** GitLab's contacted_at of this runner is only runnerform's own token check (TokenEvidence.own_contact). */
  ownContact(runner_id: number): boolean;
}

/**
 * - interrupted_create: a journal intent for this scope and description whose token was
 *   never stored, and this runner was created after it (or the intent names its id).
 * - undelivered_token: its gitlab_variable destination is absent or names another runner id,
 *   and the journal does not hold its token.
 * - dead_stored_token: the same, but the journal holds a token GitLab no longer accepts (reset since
 *   without this file): it can be neither delivered nor moved, and the plan says so rather than "not stored".
 * - renamed (undelivered_token too): renamed in place while its declared destination depends on the
 *   description (`{description}` in a key or argv), and the journal does not hold its token to move.
 * A token the journal holds (stored) is never reset: apply delivers it from the journal when it never
 * reached its destination, or when live evidence (its CI/CD variable) says the destination lost it
 * whatever the journal remembers; when the destination declared now is not the one the journal
 * recorded it for, apply moves it there (same token). Without evidence nothing is ever reset.
 */
export function tokenJudge(evidence: TokenEvidence | undefined): TokenJudge {
  if (!evidence) return { decide: () => null, unplannedDeliveries: () => [], stored: () => undefined, ownContact: () => false };
  const journal = indexJournal(evidence.journal ?? []);
  // A contact that is only runnerform's POST /runners/verify (plan/own-contact.ts) is no host holding the token.
  const own = new Set(evidence.own_contact ?? []);
  // A stored token GitLab refused is dead (reset since without this file): never delivered or moved.
  const dead = new Set(evidence.dead_tokens ?? []);
  return {
    stored: (runner_id) => journal.stored.get(runner_id),
    ownContact: (runner_id) => own.has(runner_id),
    unplannedDeliveries: (isPlanned) =>
      [...journal.stored.values()].filter((r) => !r.delivered && r.destination && !isPlanned(r.scope) && !dead.has(r.runner_id!)),
    decide(scope, runner, live) {
      const held = journal.stored.get(live.id);
      // A dead stored token is as good as none, but it is not "not stored": the words say which.
      const deadStored = held !== undefined && dead.has(live.id);
      if (held && !deadStored) return storedTokenDecision(held, scope, runner, live, evidence.variables);
      const intents = journal.openIntents.get(intentKey(scope.type, scope.id, live.description)) ?? [];
      const interrupted = journal.openIds.has(live.id) || intents.some((at) => createdAfter(live.created_at, at));
      const renamed = live.description !== runner.description;
      const note = renamed ? renamedAway(scope, runner, live, evidence.variables) : variableMismatch(runner, live, evidence.variables);
      if (!interrupted && note === null) return null;
      if (live.contacted_at !== null && !own.has(live.id)) {
        const why = interrupted
          ? 'an interrupted apply created it and its token was never stored'
          : deadStored
            ? `${note!}, and the token the tokens file holds no longer works (GitLab refuses it: most likely reset since without this tokens file)`
            : note!;
        const rotate = `runnerform rotate ${shellQuote(formatAddress(scope, runner.description))}`;
        return {
          kind: 'warn',
          message:
            `${why}, but it has contacted GitLab (last contact ${live.contacted_at}), so runnerform does not reset its token; ` +
            (renamed && !interrupted
              ? `to give the new destination a token (the host then needs it too), run: ${rotate}. ` +
                'A destination without {description} (a stable key), or --tokens-out, lets a rename move the token itself'
              : `if its host has no working token, run: ${rotate}`),
        };
      }
      return { kind: 'reset', reason: interrupted ? 'interrupted_create' : deadStored ? 'dead_stored_token' : 'undelivered_token' };
    },
  };
}

interface JournalIndex {
  /** Runners whose token the journal holds: the last record of each. */
  stored: Map<number, JournalRecord>;
  /** Runners an intent names whose token was never stored. */
  openIds: Set<number>;
  /** intent_at of intents without a runner id and without a stored token, by scope and description. */
  openIntents: Map<string, string[]>;
}

function indexJournal(records: readonly JournalRecord[]): JournalIndex {
  const index: JournalIndex = { stored: new Map(), openIds: new Set(), openIntents: new Map() };
  for (const r of records) {
    if (r.runner_id !== null && r.stored) index.stored.set(r.runner_id, r);
    else if (r.runner_id !== null) index.openIds.add(r.runner_id);
    else if (!r.stored) {
      const key = intentKey(r.scope.type, r.scope.id, r.description);
      const list = index.openIntents.get(key);
      if (list) list.push(r.intent_at);
      else index.openIntents.set(key, [r.intent_at]);
    }
  }
  return index;
}

function intentKey(type: Scope['type'], id: number | null, description: string): string {
  return JSON.stringify([type, id, description]);
}

/**
 * What to do with a token the journal holds: deliver it when it never reached its destination
 * (declared without one now: the tokens file is its home, nothing to do), move it when the
 * destination changed, deliver it again when its CI/CD variable lost it (live evidence wins).
 */
function storedTokenDecision(
  record: JournalRecord,
  scope: Scope,
  runner: DesiredRunner,
  live: LiveRunner,
  variables: TokenEvidence['variables'],
): TokenDecision {
  if (runner.token === null) return null;
  if (!record.delivered) return { kind: 'deliver', reason: 'undelivered' };
  const moved = movedToken(record, scope, runner, live);
  if (moved) return moved;
  // A renamed runner's variable is looked up under its new description: moved() covered a changed key.
  return variableMismatch(runner, live, variables) === null ? null : { kind: 'deliver', reason: 'destination_lost' };
}

/**
 * A stored token whose recorded destination (expanded with the description it was recorded
 * with) is not the one declared now: move it. Declared without a destination now, or recorded
 * before the journal kept destinations: nothing to move.
 */
function movedToken(record: JournalRecord, scope: Scope, runner: DesiredRunner, live: LiveRunner): TokenDecision {
  if (record.destination === undefined || runner.token === null) return null;
  const was = destinationKey(record.destination, { description: record.description, scope, id: live.id });
  const now = destinationKey(runner.token, { description: runner.description, scope, id: live.id });
  if (was === now) return null;
  return { kind: 'move', move: { from: record.destination, from_description: record.description } };
}

/**
 * Why a renamed runner's token is not where its destination now points (its templates use the
 * description), when the journal cannot move it; null when the destination does not change,
 * or its CI/CD variable already names this runner.
 */
function renamedAway(scope: Scope, runner: DesiredRunner, live: LiveRunner, variables: TokenEvidence['variables']): string | null {
  const dest = runner.token;
  if (dest === null) return null;
  const old = { description: live.description, scope, id: live.id };
  const now = { description: runner.description, scope, id: live.id };
  if (destinationKey(dest, old) === destinationKey(dest, now)) return null;
  if (dest.kind === 'gitlab_variable') {
    // Unknown (unreadable) is not absent: never reset on it.
    const key = variableKeyOf(dest, runner.description);
    if (!Object.hasOwn(variables, key) || variables[key] === live.id) return null;
  }
  return (
    `renamed from ${quote(live.description)}: its token went to ${describeDestination(dest, old)}, ` +
    `and no tokens file (--tokens-out) holds it to deliver to ${describeDestination(dest, now)}`
  );
}

/** Why the runner's CI/CD variable does not hold its token, or null when it does or nothing is known. */
function variableMismatch(runner: DesiredRunner, live: LiveRunner, variables: TokenEvidence['variables']): string | null {
  const dest = runner.token;
  if (dest?.kind !== 'gitlab_variable') return null;
  const key = variableKeyOf(dest, runner.description);
  if (!Object.hasOwn(variables, key)) return null;
  const names = variables[key];
  if (names === live.id) return null;
  const where = `CI/CD variable ${expandKey(dest.key, runner.description)} of ${dest.owner.path}`;
  return names === null ? `its ${where} does not exist or names no runner` : `its ${where} holds the token of runner ${names}`;
}

/** created_at not earlier than intent_at minus the clock-skew tolerance; unknown times never match. */
function createdAfter(createdAt: string | null, intentAt: string): boolean {
  if (createdAt === null) return false;
  const created = Date.parse(createdAt);
  const intent = Date.parse(intentAt);
  if (Number.isNaN(created) || Number.isNaN(intent)) return false;
  return created >= intent - CLOCK_SKEW_TOLERANCE_MS;
}

/** One shell word: addresses hold quotes and brackets. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
