// `runnerform rotate ADDRESS...`: which runners get a new token. Pure: a plan of
// token-reset changes for the declared runners GitLab has (owned by their scope)
// that the addresses select, as --target selects them. An address that selects
// none of them is an error: rotate never guesses, and never resets anything else.
import { UserError } from '../errors.js';
import type { Change, DesiredState, LiveState, Plan, TokenDestination, TokenResetChange } from '../model.js';
import { matchesTarget, parseTarget } from './address.js';
import { declaredDestination } from './declared-destination.js';
import { destinationRefusal, undeliverableRefusal } from './destination-refusal.js';
import { markRefusals } from './refusals.js';

/** Actions of a declared runner that GitLab has and its scope owns. */
const EXISTING_DECLARED = new Set<Change['action']>(['no-op', 'update', 'token-reset']);

/**
 * `unwritable`: TokenEvidence.unwritable; runnerform refuses a reset whose new token could not be written
 * (GitLab would reset it), as it marks one GitLab will refuse (the runner's permissions); apply never sends it.
 */
export function rotationPlan(plan: Plan, desired: DesiredState, live: LiveState, addresses: string[], unwritable: Readonly<Record<string, string>> = {}): Plan {
  if (addresses.length === 0) throw new UserError('rotate needs at least one runner or scope address, e.g. group["acme/platform"].runner["docker-amd64"].');
  const candidates = plan.changes.filter((c) => EXISTING_DECLARED.has(c.action) && c.runner_id !== null);
  const chosen = new Set<Change>();
  for (const text of addresses) {
    const target = parseTarget(text.trim());
    const hits = candidates.filter((c) => matchesTarget(target, c.scope, c.description, c.runner_id));
    if (hits.length === 0) {
      throw new UserError(
        `${text.trim()} matches no declared runner that exists in GitLab and is owned by its scope: nothing was reset. ` +
          '(`runnerform plan` lists the declared runners and their addresses; a runner still to be created gets its token from apply.)',
      );
    }
    hits.forEach((c) => chosen.add(c));
  }
  const changes = plan.changes
    .filter((c) => chosen.has(c))
    .map((c) => {
      const token = declaredDestination(desired, live, c.scope, c.description) ?? null;
      return resetOf(c, token, destinationRefusal(token, c.description, unwritable));
    });
  const rotation: Plan = {
    ...plan,
    // Not --target: every change says it is a rotate (reason), and nothing else is in the plan to hide.
    targets: [],
    changes,
    deliveries: [],
    unmanaged: [],
    warnings: [],
    summary: { create: 0, update: 0, delete: 0, no_op: 0, token_reset: changes.length, deliver: 0, unmanaged: 0, refused: 0 },
  };
  return markRefusals(rotation, live);
}

function resetOf(c: Change, token: TokenDestination | null, unwritable: string | null): TokenResetChange {
  if (c.runner_id === null || c.before === null || c.after === null || c.status === null) throw new Error(`internal error: ${c.address} is not an existing runner`);
  return {
    action: 'token-reset',
    address: c.address,
    scope: c.scope,
    description: c.description,
    reason: 'rotate',
    token,
    // GitLab would reset it; runnerform will not, as the new token could not be kept.
    ...(unwritable === null ? { refused: null } : { refused: undeliverableRefusal('token-reset', unwritable), refused_by: 'runnerform' as const }),
    runner_id: c.runner_id,
    before: c.before,
    after: c.after,
    // Only the token: pending attribute changes (and renames, so no renamed_from) are apply's business.
    changed: [],
    status: c.status,
    contacted_at: c.contacted_at,
  };
}
