// Health of declared runners, from what the live read already returns: a
// token that evidently never reached a host, a stale runner, a token that
// expires soon. Warnings, never changes. Pure: the time comes from the caller.
import type { HealthSettings, LiveRunner, PlanWarning } from '../model.js';
import { formatDuration } from '../health/settings.js';
import { shellQuote } from './token-reset.js';

/** How long a new runner may go without contacting GitLab before the plan says so. */
export const NEVER_CONTACTED_AFTER_MS = 60 * 60_000;
/** Tokens expiring within this window are reported. */
export const TOKEN_EXPIRY_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * Warnings for one declared runner, with its `health:` thresholds when given (else GitLab's).
 * `now` absent: only what needs no clock (stale).
 * `tokenReset`: the plan already resets its token, which answers a never-contacted
 * or expiring token; those are not repeated.
 * `ownContact`: its contacted_at is only runnerform's own token check (plan/own-contact.ts): no host's.
 */
export function healthWarnings(
  address: string,
  live: LiveRunner,
  now: Date | undefined,
  tokenReset: boolean,
  rules?: HealthSettings,
  ownContact = false,
): PlanWarning[] {
  const out: PlanWarning[] = [];
  const rotate = `runnerform rotate ${shellQuote(address)}`;
  if (live.contacted_at === null || ownContact) {
    const created = live.created_at === null ? NaN : Date.parse(live.created_at);
    const after = rules?.never_contacted_after_ms ?? NEVER_CONTACTED_AFTER_MS;
    if (now && !tokenReset && !Number.isNaN(created) && now.getTime() - created > after) {
      out.push({
        address,
        kind: 'never_contacted',
        message:
          `has never contacted GitLab since it was created at ${live.created_at}` +
          (ownContact ? ` (only runnerform's own token check did, at ${live.contacted_at})` : '') +
          `: its token may never have reached a host (${rotate} gives it a new one)`,
      });
    }
  } else if (live.status === 'stale') {
    out.push({
      address,
      kind: 'stale',
      message: `GitLab marks it stale (last contact ${live.contacted_at}): its host may be gone or no longer hold a working token`,
    });
  } else if (now && rules && now.getTime() - Date.parse(live.contacted_at) > rules.stale_after_ms) {
    // A `health.stale_after` shorter than GitLab's 7 days.
    out.push({
      address,
      kind: 'stale',
      message: `no contact since ${live.contacted_at}, longer than health.stale_after (${formatDuration(rules.stale_after_ms)}): its host may be gone or no longer hold a working token`,
    });
  }
  const expires = live.token_expires_at === null ? NaN : Date.parse(live.token_expires_at);
  if (now && !tokenReset && !Number.isNaN(expires)) {
    if (expires <= now.getTime()) {
      out.push({ address, kind: 'token_expired', message: `its token expired at ${live.token_expires_at}: it cannot take jobs until it gets a new one (${rotate})` });
    } else if (expires - now.getTime() <= TOKEN_EXPIRY_WINDOW_MS) {
      out.push({
        address,
        kind: 'token_expiring',
        message: `its token expires at ${live.token_expires_at}, within 7 days; a runner that does not renew it stops taking jobs then (${rotate})`,
      });
    }
  }
  return out;
}
