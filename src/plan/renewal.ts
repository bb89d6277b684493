// Token renewal (`health.token_renew_before`): a declared runner whose token
// expires within the window gets a new one, reset and delivered like
// `runnerform rotate`. gitlab-runner would otherwise rotate it itself and
// write the new token only to its config.toml (a destination keeps a dead one).
//
// A window no shorter than the lifetime GitLab gives the runner's tokens would
// make every new token due at once: every plan would renew it again. The plan
// withholds the renewal (and says why) when what it knows bounds that lifetime
// within the window: every token of a runner is issued at or after the runner's
// creation, so lifetime <= expiry - created_at; and a token the journal stored
// was issued after its intent, so lifetime <= expiry - intent_at.
import type { DesiredRunner, JournalRecord, LiveRunner } from '../model.js';
import { formatDuration } from '../health/settings.js';
import { shellQuote } from './token-reset.js';

export type Renewal = { kind: 'reset'; reason: 'renew' } | { kind: 'withheld'; message: string } | null;

/**
 * A reset with reason `renew` when the token expires within the runner's window; `withheld` when the
 * tokens GitLab gives this runner are known to live no longer than the window (an expired token is
 * still renewed: a new one works for a while); null otherwise (or without a clock).
 * `stored`: the journal's record of this runner's stored token, if any.
 */
export function renewal(address: string, runner: DesiredRunner, live: LiveRunner, now: Date | undefined, stored?: JournalRecord): Renewal {
  const window = runner.health?.token_renew_before_ms ?? null;
  if (window === null || now === undefined || live.token_expires_at === null) return null;
  const expires = Date.parse(live.token_expires_at);
  if (Number.isNaN(expires) || expires - now.getTime() > window) return null;
  const lifetime = withheldFor(window, live, expires, now.getTime(), stored?.token_issue);
  if (lifetime === null) return { kind: 'reset', reason: 'renew' };
  return {
    kind: 'withheld',
    message:
      `its token expires at ${live.token_expires_at}, within health.token_renew_before (${formatDuration(window)}), but ` +
      `${withheldReason(lifetime, address)}`,
  };
}

/**
 * For a token due for renewal (expiring within `window`): the bound on its runner's token lifetime
 * when that bound is within the window, so the renewal is withheld; null when it goes ahead.
 */
export function withheldFor(window: number, live: Pick<LiveRunner, 'created_at'>, expires: number, now: number, issue?: JournalRecord['token_issue']): number | null {
  if (expires <= now) return null;
  const lifetime = lifetimeAtMost(live, expires, issue);
  return lifetime !== null && lifetime <= window ? lifetime : null;
}

/** Why a renewal is withheld, and the fix, for plan warnings and health findings. */
export function withheldReason(lifetime: number, address: string): string {
  // A tenth off: the bound is as coarse as GitLab's clock readings (a second or so).
  const shorter = shorterThan(lifetime * 0.9);
  return (
    `GitLab issued this token to live at most ${about(lifetime)}: a renewed token would be due again at once, so apply does not ` +
    `renew it until it has expired. Set token_renew_before below that${shorter ? ` (e.g. ${shorter})` : ''}; if GitLab's runner ` +
    `token lifetime has been raised since, renew it once with: runnerform rotate ${shellQuote(address)}`
  );
}

const UNITS = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const;

/** A measured duration for a message: `2.9 days`, `5 hours`, `12 minutes`. */
function about(ms: number): string {
  const [unit, size] = UNITS.find(([, size]) => ms >= size) ?? UNITS[2];
  const n = Number((ms / size).toFixed(1));
  const name = { d: 'day', h: 'hour', m: 'minute' }[unit];
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}

/** The longest whole-unit duration in runners.yaml's syntax strictly shorter than `ms` (3 days → 2d, 30 hours → 1d). */
function shorterThan(ms: number): string | null {
  for (const [unit, size] of UNITS) {
    const n = Math.floor((ms - 1) / size);
    if (n >= 1) return `${n}${unit}`;
  }
  return null;
}

/** The longest the runner's tokens can live, as far as the facts bound it; null when they do not. */
function lifetimeAtMost(live: Pick<LiveRunner, 'created_at'>, expires: number, issue: JournalRecord['token_issue']): number | null {
  const bounds: number[] = [];
  const created = live.created_at === null ? NaN : Date.parse(live.created_at);
  if (!Number.isNaN(created)) bounds.push(expires - created);
  // The journal's token is the live one when GitLab says the same expiry, to the second: the journal
  // keeps REST's answer (milliseconds), GraphQL's Time has none (app/graphql/types/time_type.rb).
  const stored = issue ? Date.parse(issue.expires_at) : NaN;
  if (issue && Math.floor(stored / 1000) === Math.floor(expires / 1000)) {
    const after = Date.parse(issue.issued_after);
    if (!Number.isNaN(after)) bounds.push(stored - after);
  }
  return bounds.length === 0 ? null : Math.min(...bounds);
}
