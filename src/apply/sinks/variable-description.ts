// The `description` runnerform gives a CI/CD variable that holds a runner token.
// It names the runner's id and address so that a later plan can tell, from GitLab
// alone, whose token the variable holds (GitLab never shows the hidden value).
const PREFIX = 'runnerform: token of runner';
const ID = /^runnerform: token of runner #(\d+)(?:\s|$)/;
/** GitLab's limit for a variable description. */
const MAX = 255;

export function variableDescription(runner_id: number, address: string): string {
  const text = `${PREFIX} #${runner_id} ${address}`;
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}

/**
 * The description while the runner's token is being replaced: it names no runner (the
 * value is about to be void), so a crash before the new value is written is visible to plan.
 */
export function replacingDescription(runner_id: number, address: string): string {
  const text = `runnerform: replacing the token of runner #${runner_id} ${address}`;
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}

/** The runner id a variable description names; null when it names none (not written by runnerform). */
export function runnerIdOfDescription(description: string | null | undefined): number | null {
  const m = ID.exec(description ?? '');
  return m ? Number(m[1]) : null;
}
