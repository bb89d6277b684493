// Runner managers (the gitlab-runner processes that registered with a runner's
// token, one per system_id), runner token expiry and a runner rotating its own
// token: what `runnerform health` reads. Each rule cites GitLab's source.
import { canReadRunner } from './access.js';
import { arg, me, runnerById, type Ctx, type Reply } from './context.js';
import { errors, present } from './http-io.js';
import { newRunnerToken, type FakeState, type RunnerRec } from './state.js';

/** app/models/ci/runner.rb: ONLINE_CONTACT_TIMEOUT = 2.hours, STALE_TIMEOUT = 7.days (Ci::RunnerManager uses the same). */
const ONLINE_WINDOW_MS = 2 * 60 * 60 * 1000;
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export interface ManagerRec {
  id: number;
  /** system_xid: the host's id (gitlab-runner's .runner_system_id, or r_… for a pod). */
  systemId: string;
  version: string | null;
  revision: string | null;
  platform: string | null;
  architecture: string | null;
  contactedAt: string | null;
  createdAt: string;
  /** app/graphql/types/ci/runner_manager_type.rb#job_execution_status: ACTIVE while it runs a build, else IDLE. */
  executing: boolean;
  /**
   * Ci::RunnerManager#creation_state (app/models/ci/runner_manager.rb): `finished` once a heartbeat
   * updated its contact (`values.merge!(contacted_at: Time.current, creation_state: :finished)`).
   */
  creationState: 'started' | 'finished';
}

export interface SeedManager {
  system_id: string;
  version?: string | null;
  revision?: string | null;
  platform?: string | null;
  architecture?: string | null;
  contacted_at?: string | null;
  executing?: boolean;
}

let nextManagerId = 1;

export function managerFromSeed(m: SeedManager, createdAt: string): ManagerRec {
  return {
    id: nextManagerId++,
    systemId: m.system_id,
    version: m.version ?? null,
    revision: m.revision ?? null,
    platform: m.platform ?? null,
    architecture: m.architecture ?? null,
    contactedAt: m.contacted_at ?? null,
    createdAt,
    executing: m.executing ?? false,
    creationState: m.contacted_at ? 'finished' : 'started',
  };
}

/**
 * Ci::RunnerManager#status (app/models/concerns/ci/has_runner_status.rb): stale, then
 * `return :never_contacted unless finished_creation_state?`, then online or offline from its contact time.
 */
export function managerStatus(m: ManagerRec, now = Date.now()): 'online' | 'offline' | 'stale' | 'never_contacted' {
  const contacted = m.contactedAt ? Date.parse(m.contactedAt) : null;
  if (now - (contacted ?? Date.parse(m.createdAt)) > STALE_AFTER_MS) return 'stale';
  if (contacted === null || m.creationState !== 'finished') return 'never_contacted';
  return now - contacted <= ONLINE_WINDOW_MS ? 'online' : 'offline';
}

/** lib/api/entities/ci/runner_manager.rb (job_execution_status from RunnerJobExecutionStatusHelper). */
export function managerEntity(m: ManagerRec) {
  return {
    id: m.id,
    system_id: m.systemId,
    version: m.version,
    revision: m.revision,
    platform: m.platform,
    architecture: m.architecture,
    created_at: m.createdAt,
    contacted_at: m.contactedAt,
    ip_address: null,
    status: managerStatus(m),
    job_execution_status: m.executing ? 'active' : 'idle',
  };
}

/**
 * GET /runners/:id/managers (lib/api/ci/runners.rb): `authenticate_read_runner!` — 403 without
 * read_runner (app/policies/ci/runner_policy.rb), 404 for an unknown runner.
 */
export function listRunnerManagers(ctx: Ctx): Reply {
  const runner = runnerById(ctx, arg(ctx, 0));
  if (!canReadRunner(ctx.state, me(ctx), runner)) throw errors.forbidden('No access granted');
  return { status: 200, body: runner.managers.map(managerEntity) };
}

/** A new token and its expiry (FakeState.newTokenExpiry: the expiration interval's, or never). */
function renewToken(state: FakeState, runner: RunnerRec): { token: string; token_expires_at: string | null } {
  runner.token = newRunnerToken(runner.runnerType);
  runner.tokenExpiresAt = state.newTokenExpiry();
  return { token: runner.token, token_expires_at: runner.tokenExpiresAt };
}

/**
 * POST /runners/reset_authentication_token with the runner's own `token` (lib/api/ci/runners.rb,
 * "Reset runner authentication token with current token"): what gitlab-runner does by itself at
 * about 75 % of the token's lifetime. 403 for an unknown token.
 */
export function resetTokenWithCurrent(ctx: Ctx): Reply {
  if (!present(ctx.params, 'token')) throw errors.param('token is missing');
  const runner = [...ctx.state.runners.values()].find((r) => r.token === String(ctx.params.token));
  if (!runner) throw errors.forbidden();
  return { status: 201, body: renewToken(ctx.state, runner) };
}
