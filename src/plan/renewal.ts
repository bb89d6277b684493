// Token renewal (`health.token_renew_before`): a declared runner whose token
// expires within the window gets a new one, reset and delivered like
// `runnerform rotate`. gitlab-runner would otherwise rotate it itself and
// write the new token only to its config.toml (a destination keeps a dead one).
import type { DesiredRunner, LiveRunner } from '../model.js';
import type { TokenDecision } from './token-reset.js';

/** A reset with reason `renew` when the token expires within the runner's window; null otherwise (or without a clock). */
export function renewal(runner: DesiredRunner, live: LiveRunner, now: Date | undefined): TokenDecision {
  const window = runner.health?.token_renew_before_ms ?? null;
  if (window === null || now === undefined || live.token_expires_at === null) return null;
  const expires = Date.parse(live.token_expires_at);
  return !Number.isNaN(expires) && expires - now.getTime() <= window ? { kind: 'reset', reason: 'renew' } : null;
}
