// Exit codes, as Terraform users expect them (see README "Exit codes").
export const EXIT_OK = 0;
/** Any error: invalid input, GitLab refused, network fault, stale plan, partial apply. */
export const EXIT_ERROR = 1;
/** Only with --detailed-exitcode: the plan has changes. */
export const EXIT_CHANGES = 2;
