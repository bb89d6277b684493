// A token destination GitLab will not let this token write (TokenEvidence.unwritable,
// gathered by apply/). GitLab would create the runner (or reset its token); runnerform
// will not, as the token GitLab shows once could not be kept where it is declared to go:
// such a change is refused at plan time by runnerform (Change.refused_by), so apply never
// creates a runner (or resets a token) whose token could not be kept. A delivery or a move
// of a stored token to it is a write GitLab will refuse.
import type { TokenDestination } from '../model.js';
import { describeDestination, variableKeyOf } from './token-dest.js';

/** Why `dest` cannot be written for the runner `description`, or null when nothing says so. */
export function destinationRefusal(dest: TokenDestination | null, description: string, unwritable: Readonly<Record<string, string>>): string | null {
  if (dest?.kind !== 'gitlab_variable') return null;
  const why = unwritable[variableKeyOf(dest, description)];
  if (why === undefined) return null;
  const where = describeDestination(dest, { description, scope: { type: 'instance', id: null, path: null }, id: null });
  return `its token cannot be written to ${where}: ${why.replace(/\.$/, '')}`;
}

/** runnerform's own refusal of a create or a token reset whose token cannot be written (`cannotWrite`, from destinationRefusal). */
export function undeliverableRefusal(action: 'create' | 'token-reset', cannotWrite: string): string {
  return action === 'create'
    ? `runnerform will not create a runner whose token it cannot deliver (GitLab would create it): ${cannotWrite}`
    : `runnerform will not reset a token it cannot deliver (GitLab would reset it; the current token keeps working): ${cannotWrite}`;
}
