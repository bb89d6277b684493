// POST /runners/verify {token[, system_id]}: whether GitLab accepts a runner authentication
// token. runnerform asks it before it delivers or moves a token its tokens file holds: a token
// reset since (rotate without --tokens-out, the runner's own rotation) is dead and must not
// overwrite the working one. A 200 is not free: it is a heartbeat.
//
// Current GitLab (the fake follows it):
// lib/api/ci/runner.rb, `post '/verify'`: `authenticate_runner!` with no arguments, then
//   `status 200; present current_runner, with: Entities::Ci::RunnerRegistrationDetails`.
// lib/api/ci/helpers/runner.rb, `authenticate_runner!(ensure_runner_manager: true, creation_state: nil)`:
//   `forbidden! unless current_runner` first (an unknown or reset token changes nothing); then
//   `current_runner.heartbeat(creation_state: creation_state)`: app/models/ci/runner.rb sets
//   `contacted_at: Time.current` (creation_state only when given: verify gives none, so a runner
//   created with POST /user/runners stays `started` and its status `never_contacted`,
//   app/models/concerns/ci/has_runner_status.rb); then `current_runner_manager&.heartbeat(details)`,
//   where current_runner_manager is `current_runner.ensure_manager(params.fetch(:system_id,
//   LEGACY_SYSTEM_XID))` (LEGACY_SYSTEM_XID = '<legacy>': find or create the manager of that
//   system_xid) and Ci::RunnerManager#heartbeat (app/models/ci/runner_manager.rb) merges
//   `contacted_at: Time.current, creation_state: :finished`: the manager reads online.
// Earlier GitLab (16.x–18.x) differed: verify passed `update_contacted_at: false` for a glrt- token,
// so the runner's contacted_at stayed as it was and the manager was created without a contact.
// Grape's `requires :token`: 400 {"error":"token is missing"} without it.
import type { Ctx, Reply } from './context.js';
import { errors, present } from './http-io.js';
import { managerFromSeed } from './managers.js';

const LEGACY_SYSTEM_XID = '<legacy>';

export function verifyRunnerToken(ctx: Ctx): Reply {
  if (!present(ctx.params, 'token')) throw errors.param('token is missing');
  const token = String(ctx.params.token);
  const runner = [...ctx.state.runners.values()].find((r) => r.token === token);
  if (!runner) throw errors.forbidden();
  const now = new Date().toISOString();
  runner.contactedAt = now;
  const systemId = present(ctx.params, 'system_id') ? String(ctx.params.system_id) : LEGACY_SYSTEM_XID;
  let manager = runner.managers.find((m) => m.systemId === systemId);
  if (!manager) {
    manager = managerFromSeed({ system_id: systemId }, now);
    runner.managers.push(manager);
  }
  manager.contactedAt = now;
  manager.creationState = 'finished';
  // lib/api/entities/ci/runner_registration_details.rb: id, token, token_expires_at.
  return { status: 200, body: { id: runner.id, token: runner.token, token_expires_at: runner.tokenExpiresAt } };
}
