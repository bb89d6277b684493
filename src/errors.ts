/**
 * An error whose message is already fit for a user (bad input, a refused or stale
 * plan, a missing flag): the CLI prints it without a stack and exits 1.
 * It lives outside cli/ so the pure core can raise it without depending on the CLI.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
