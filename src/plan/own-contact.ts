// Whether a runner's contact with GitLab is only runnerform's own token check. Pure.
//
// In current GitLab, POST /runners/verify is a heartbeat (lib/api/ci/helpers/runner.rb
// `authenticate_runner!`): the runner's contacted_at is set, and the manager of the system_id sent
// is created and marked contacted. runnerform verifies a stored token before delivering or moving
// it, with its own system_id (VERIFY_SYSTEM_ID), so its check would otherwise read as "a host has
// this token": the plan would refuse to reset a token no host holds, and health would lose its
// never_contacted finding and report runnerform's manager as an offline host of unknown version.
//
// The contact is runnerform's own only when GitLab says both:
// - the runner's status is never_contacted although contacted_at is set: app/models/concerns/ci/
//   has_runner_status.rb reads `never_contacted unless finished_creation_state?`, and only a host
//   asking for jobs (POST /jobs/request, `creation_state: :finished`) finishes it;
// - no manager but runnerform's has contacted GitLab (a host's `gitlab-runner register` or `run`
//   makes a manager of its own system_id).
// Anything less certain (managers unknown, GitLab older than managers, a host's manager) counts as
// contact: the safe side, since a host's token is never reset.
import { VERIFY_SYSTEM_ID, type LiveManager, type LiveRunner } from '../model.js';

/** The manager runnerform's POST /runners/verify made, not a host. */
export function isOwnManager(m: LiveManager): boolean {
  return m.system_id === VERIFY_SYSTEM_ID;
}

/** True when the runner's contacted_at is only runnerform's verify (see above); managers null: unknown, false. */
export function ownContactOnly(runner: Pick<LiveRunner, 'contacted_at' | 'status'>, managers: readonly LiveManager[] | null): boolean {
  if (runner.contacted_at === null || runner.status !== 'never_contacted' || managers === null) return false;
  return managers.some(isOwnManager) && !managers.some((m) => !isOwnManager(m) && m.contacted_at !== null);
}
