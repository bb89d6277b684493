// POST /runners/verify {token[, system_id]}: whether GitLab accepts a runner authentication
// token. runnerform asks it before it delivers or moves a token its tokens file holds: a token
// reset since (rotate without --tokens-out, the runner's own rotation) is dead and must not
// overwrite the working one.
//
// lib/api/ci/runner.rb, `post '/verify'`:
//   registering_created_runner = params[:token].start_with?(CREATED_RUNNER_TOKEN_PREFIX)   # 'glrt-'
//   authenticate_runner!(update_contacted_at: !registering_created_runner)
//   status 200; present current_runner, with: Entities::Ci::RunnerRegistrationDetails
// lib/api/ci/helpers/runner.rb, `authenticate_runner!`: `forbidden! unless current_runner` comes
// first (an unknown token changes nothing); then `current_runner.heartbeat if update_contacted_at`;
// then (ensure_runner_manager defaults to true) `current_runner_manager&.heartbeat(details,
// update_contacted_at:)`, where current_runner_manager is
// `current_runner.ensure_manager(params.fetch(:system_id, LEGACY_SYSTEM_XID))` (LEGACY_SYSTEM_XID = '<legacy>').
// Grape's `requires :token`: 400 {"error":"token is missing"} without it.
import type { Ctx, Reply } from './context.js';
import { errors, present } from './http-io.js';
import { managerFromSeed } from './managers.js';

const CREATED_RUNNER_TOKEN_PREFIX = 'glrt-';
const LEGACY_SYSTEM_XID = '<legacy>';

export function verifyRunnerToken(ctx: Ctx): Reply {
  if (!present(ctx.params, 'token')) throw errors.param('token is missing');
  const token = String(ctx.params.token);
  const runner = [...ctx.state.runners.values()].find((r) => r.token === token);
  if (!runner) throw errors.forbidden();
  const now = new Date().toISOString();
  const createdRunner = token.startsWith(CREATED_RUNNER_TOKEN_PREFIX);
  if (!createdRunner) runner.contactedAt = now;
  const systemId = present(ctx.params, 'system_id') ? String(ctx.params.system_id) : LEGACY_SYSTEM_XID;
  let manager = runner.managers.find((m) => m.systemId === systemId);
  if (!manager) {
    manager = managerFromSeed({ system_id: systemId }, now);
    runner.managers.push(manager);
  }
  if (!createdRunner) manager.contactedAt = now;
  // lib/api/entities/ci/runner_registration_details.rb: id, token, token_expires_at.
  return { status: 200, body: { id: runner.id, token: runner.token, token_expires_at: runner.tokenExpiresAt } };
}
