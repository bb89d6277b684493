// Which declared runners need a new token, judged from what the plan is told
// about where tokens went (TokenEvidence, gathered by apply/). Pure.
//
// A runner gets a token reset only when the evidence shows its token is lost
// AND it has never contacted GitLab: a runner that contacted GitLab has a host
// holding a working token, and resetting it would cut that host off. Such a
// runner gets a warning naming `runnerform rotate` instead.
import type { DesiredRunner, JournalRecord, LiveRunner, Scope, TokenEvidence } from '../model.js';
import { formatAddress } from './address.js';
import { expandKey, variableKeyOf } from './token-dest.js';

/**
 * How far GitLab's clock (created_at) may be behind the clock of the machine
 * that wrote the journal intent (intent_at) for a runner to still count as
 * "created after the intent". Two minutes covers ordinary NTP drift; it is not
 * wider because a runner created long before the intent is not the orphan.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 2 * 60_000;

export type TokenDecision =
  | { kind: 'reset'; reason: 'interrupted_create' | 'undelivered_token' }
  | { kind: 'warn'; message: string }
  | null;

/** Decides token resets for one plan; the journal is indexed once (it grows with every create). */
export interface TokenJudge {
  decide(scope: Scope, runner: DesiredRunner, live: LiveRunner): TokenDecision;
}

/**
 * - interrupted_create: a journal intent for this scope and description whose token was
 *   never stored, and this runner was created after it (or the intent names its id).
 * - undelivered_token: its gitlab_variable destination is absent or names another runner id,
 *   and the journal does not hold a token still to deliver (one it delivered went elsewhere:
 *   the variable's key changed with a rename, or the variable was deleted).
 * A token the journal holds and has not delivered is never reset: apply delivers it from the journal.
 * Without evidence nothing is ever reset.
 */
export function tokenJudge(evidence: TokenEvidence | undefined): TokenJudge {
  if (!evidence) return { decide: () => null };
  const journal = indexJournal(evidence.journal ?? []);
  return {
    decide(scope, runner, live) {
      // Stored, not yet delivered: apply delivers it from the journal.
      if (journal.pendingIds.has(live.id)) return null;
      // Stored and delivered: only a variable that does not hold it (a {description} key after a rename,
      // a deleted variable) says the token is missing where the file now wants it.
      const stored = journal.storedIds.has(live.id);
      const intents = stored ? [] : (journal.openIntents.get(intentKey(scope.type, scope.id, live.description)) ?? []);
      const interrupted = !stored && (journal.openIds.has(live.id) || intents.some((at) => createdAfter(live.created_at, at)));
      const variableNote = variableMismatch(runner, live, evidence.variables);
      if (!interrupted && variableNote === null) return null;
      if (live.contacted_at !== null) {
        const why = interrupted ? 'an interrupted apply created it and its token was never stored' : variableNote!;
        return {
          kind: 'warn',
          message:
            `${why}, but it has contacted GitLab (last contact ${live.contacted_at}), so runnerform does not reset its token; ` +
            `if its host has no working token, run: runnerform rotate ${shellQuote(formatAddress(scope, runner.description))}`,
        };
      }
      return { kind: 'reset', reason: interrupted ? 'interrupted_create' : 'undelivered_token' };
    },
  };
}

interface JournalIndex {
  /** Runners whose token the journal holds. */
  storedIds: Set<number>;
  /** Runners whose token the journal holds but has not delivered yet. */
  pendingIds: Set<number>;
  /** Runners an intent names whose token was never stored. */
  openIds: Set<number>;
  /** intent_at of intents without a runner id and without a stored token, by scope and description. */
  openIntents: Map<string, string[]>;
}

function indexJournal(records: readonly JournalRecord[]): JournalIndex {
  const index: JournalIndex = { storedIds: new Set(), pendingIds: new Set(), openIds: new Set(), openIntents: new Map() };
  for (const r of records) {
    if (r.runner_id !== null) (r.stored ? index.storedIds : index.openIds).add(r.runner_id);
    if (r.runner_id !== null && r.stored && !r.delivered) index.pendingIds.add(r.runner_id);
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
export function createdAfter(createdAt: string | null, intentAt: string): boolean {
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
