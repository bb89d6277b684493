// Exit codes, as Terraform users expect them (see README "Exit codes").
export const EXIT_OK = 0;
/** Any error: invalid input, GitLab refused, network fault, stale plan, partial apply. */
export const EXIT_ERROR = 1;
/** Only with --detailed-exitcode: the plan has changes. */
export const EXIT_CHANGES = 2;
/** An apply (or rotate) stopped by SIGHUP / SIGINT / SIGTERM after finishing the changes in flight (128 + signal number). */
export const EXIT_SIGHUP = 129;
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;
