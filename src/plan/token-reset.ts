// Which declared runners need a new token, judged from what the plan is told
// about where tokens went (TokenEvidence, gathered by apply/). Pure.
//
// A runner gets a token reset only when the evidence shows its token is lost
// AND it has never contacted GitLab: a runner that contacted GitLab has a host
// holding a working token, and resetting it would cut that host off. Such a
// runner gets a warning naming `runnerform rotate` instead.
import type { DesiredRunner, LiveRunner, Scope, TokenEvidence } from '../model.js';
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

/**
 * - interrupted_create: a journal intent for this scope and description whose token was
 *   never stored, and this runner was created after it (or the intent names its id).
 * - undelivered_token: its gitlab_variable destination is absent or names another runner id,
 *   and the journal does not hold its token.
 * A token the journal holds (stored) is never reset: apply delivers it from the journal.
 */
export function decideToken(scope: Scope, runner: DesiredRunner, live: LiveRunner, evidence: TokenEvidence | undefined): TokenDecision {
  if (!evidence) return null;
  const journal = evidence.journal ?? [];
  if (journal.some((r) => r.runner_id === live.id && r.stored)) return null;

  const interrupted = journal.some(
    (r) =>
      !r.stored &&
      (r.runner_id === live.id ||
        (r.runner_id === null &&
          r.scope.type === scope.type &&
          r.scope.id === scope.id &&
          r.description === live.description &&
          createdAfter(live.created_at, r.intent_at))),
  );

  let variableNote: string | null = null;
  const dest = runner.token;
  if (dest?.kind === 'gitlab_variable') {
    const key = variableKeyOf(dest, runner.description);
    if (Object.hasOwn(evidence.variables, key)) {
      const names = evidence.variables[key];
      if (names !== live.id) {
        const where = `CI/CD variable ${expandKey(dest.key, runner.description)} of ${dest.owner.path}`;
        variableNote = names === null ? `its ${where} does not exist or names no runner` : `its ${where} holds the token of runner ${names}`;
      }
    }
  }
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
