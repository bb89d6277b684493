// Sends a change's enable/disable sub-changes (plan/project-enablement.ts):
// POST /projects/:id/runners and DELETE /projects/:id/runners/:runner_id, in
// parallel (the client's limiter bounds them). Enabling is idempotent: GitLab's
// "already been taken" answer is success. A POST whose answer was lost is never
// sent again blindly: the runner's projects are read back (GET /runners/:id).
// Refused ones are never sent; they fail the change without stopping the apply.
import type { GitLabApi } from '../gitlab/api.js';
import type { Change, Enablement } from '../model.js';

/** GitLab did the rest of the change; the sub-changes it will refuse were not sent. */
export class RefusedEnablementError extends Error {
  readonly runner_id: number;
  constructor(runner_id: number, refused: Enablement[]) {
    super(`not sent: GitLab will refuse ${refused.map((e) => `to ${e.action} it in ${e.project.path} (${e.refused})`).join('; ')}`);
    this.name = 'RefusedEnablementError';
    this.runner_id = runner_id;
  }
}

/**
 * Sends the change's enablements for runner `runner_id`; returns a note for the apply line, or undefined.
 * `onDone` hears of each one GitLab carried out (or had already), even when another fails: apply counts them.
 */
export async function sendEnablements(api: GitLabApi, change: Change, runner_id: number, onDone: (e: Enablement) => void = () => undefined): Promise<string | undefined> {
  const list = change.enablements ?? [];
  if (list.length === 0) return undefined;
  const send = (e: Enablement) =>
    sendOne(api, e, runner_id).then((note) => {
      onDone(e);
      return note;
    });
  const results = await Promise.allSettled(list.filter((e) => e.refused === null).map(send));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const refused = list.filter((e) => e.refused !== null);
  if (refused.length > 0) throw new RefusedEnablementError(runner_id, refused);
  return results.map((r) => (r as PromiseFulfilledResult<string>).value).join(', ');
}

async function sendOne(api: GitLabApi, e: Enablement, runner_id: number): Promise<string> {
  if (!api.enableProjectRunner || !api.disableProjectRunner) throw new Error('this GitLab client cannot enable runners in projects');
  if (e.action === 'disable') {
    const r = await api.disableProjectRunner(e.project.id, runner_id, e.project.path);
    return `disabled in ${e.project.path}${r === 'gone' ? ' (already)' : ''}`;
  }
  try {
    const r = await api.enableProjectRunner(e.project.id, runner_id, e.project.path);
    return `enabled in ${e.project.path}${r === 'already' ? ' (already)' : ''}`;
  } catch (err) {
    if ((err as { maybeApplied?: unknown }).maybeApplied !== true) throw err;
    // The answer was lost: GitLab may have enabled it. Look instead of sending it again.
    const detail = await api.getRunner(runner_id);
    if ((detail.projects ?? []).some((p) => p.id === e.project.id)) return `enabled in ${e.project.path} (answer lost; read back)`;
    throw err;
  }
}
