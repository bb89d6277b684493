// A change the plan knows GitLab will refuse is never sent: it fails with the
// plan's reason, and (unlike a real failure) does not stop the other changes.

export class RefusedChangeError extends Error {
  constructor(reason: string) {
    super(`not sent: GitLab will refuse this: ${reason}`);
    this.name = 'RefusedChangeError';
  }
}

/** The error a refused change fails with, or null when it may be sent. */
export function refusalError(change: { refused: string | null }): RefusedChangeError | null {
  return change.refused === null ? null : new RefusedChangeError(change.refused);
}
