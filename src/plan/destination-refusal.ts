// A token destination GitLab will not let this token write (TokenEvidence.unwritable,
// gathered by apply/): a change that would issue a token for it is refused at plan time,
// so apply never creates a runner (or resets a token) whose token could not be kept.
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
