// Exit codes, as Terraform users expect them (see README "Exit codes").
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** Only with --detailed-exitcode: the plan has changes. */
export const EXIT_CHANGES = 2;

/** An error whose message is already fit for a user; main prints it without a stack. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_ERROR) {
    super(message);
    this.name = 'UserError';
  }
}
