// A change the plan knows will not be carried out (GitLab will refuse it, or runnerform
// will not issue a token it cannot deliver) is never sent: it fails with the plan's
// reason, and (unlike a real failure) does not stop the other changes.
import { refusalSentence } from '../plan/refusals.js';

export class RefusedChangeError extends Error {
  constructor(item: { refused: string; refused_by?: 'runnerform' }) {
    super(`not sent: ${refusalSentence(item)}`);
    this.name = 'RefusedChangeError';
  }
}

/** The error a refused change fails with, or null when it may be sent. */
export function refusalError(change: { refused: string | null; refused_by?: 'runnerform' }): RefusedChangeError | null {
  return change.refused === null ? null : new RefusedChangeError({ refused: change.refused, refused_by: change.refused_by });
}
