// The fake's runner managers, creation method, token expiry and self-rotation,
// each rule against the GitLab source its comment cites (test/fake-gitlab/managers.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { gqlData, gqlPost, runnerGid } from './graphql-helpers.js';
import { baseSeed, call, TOKENS } from './helpers.js';

const DAY_S = 86400;
const contacted = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

function seed(): Seed {
  const s = baseSeed();
  s.gitlab_version = '18.4.2';
  s.runner_token_expiration_interval = 30 * DAY_S;
  s.groups!.find((g) => g.full_path === 'acme/platform')!.allow_stale_runner_pruning = true;
  s.runners!.push(
    {
      id: 20,
      runner_type: 'group_type',
      group: 'acme/platform',
      description: 'managed',
      creation_method: 'registration_token',
      managers: [
        { system_id: 's_one', version: '18.4.0', revision: 'r1', platform: 'linux', architecture: 'amd64', contacted_at: contacted(60_000), executing: true },
        { system_id: 's_two', version: '17.9.1', platform: 'linux', architecture: 'arm64', contacted_at: contacted(5 * 3600_000) },
      ],
    },
    { id: 21, runner_type: 'group_type', group: 'acme/platform', description: 'expiring', token_expires_at: '2030-01-01T00:00:00Z' },
  );
  return s;
}

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await startFakeGitLab(seed());
});
afterEach(() => fake.close());

const MANAGERS_QUERY = `query($id: CiRunnerID!) { runner(id: $id) { creationMethod tokenExpiresAt contactedAt
  managers { count nodes { systemId version revision platformName architectureName status contactedAt jobExecutionStatus } } } }`;

describe('GraphQL CiRunnerManager (runner_manager_type.rb)', () => {
  it('accepts version and jobExecutionStatus, lists the seeded managers with their own status, and says the creation method', async () => {
    const data = await gqlData(fake, MANAGERS_QUERY, { id: runnerGid(20) });
    expect(data.runner.creationMethod).toBe('REGISTRATION_TOKEN');
    expect(data.runner.managers.count).toBe(2);
    expect(data.runner.managers.nodes).toEqual([
      expect.objectContaining({ systemId: 's_one', version: '18.4.0', revision: 'r1', platformName: 'linux', architectureName: 'amd64', status: 'ONLINE', jobExecutionStatus: 'ACTIVE' }),
      expect.objectContaining({ systemId: 's_two', version: '17.9.1', revision: null, architectureName: 'arm64', status: 'OFFLINE', jobExecutionStatus: 'IDLE' }),
    ]);
    // Ci::Runner#contacted_at follows the latest manager heartbeat.
    expect(data.runner.contactedAt).toBe(data.runner.managers.nodes[0].contactedAt);
  });

  it('answers AUTHENTICATED_USER and no managers for a runner made by POST /user/runners', async () => {
    const created = await call(fake, 'POST', '/user/runners', { token: TOKENS.owner, json: { runner_type: 'group_type', group_id: 11, description: 'new' } });
    const data = await gqlData(fake, MANAGERS_QUERY, { id: runnerGid(created.body.id) });
    expect(data.runner).toMatchObject({ creationMethod: 'AUTHENTICATED_USER', managers: { count: 0, nodes: [] } });
  });

  it('says GitLab\'s version (metadata_type.rb) and a group\'s stale runner pruning (EE group_type.rb)', async () => {
    const data = await gqlData(fake, 'query { metadata { version } a: group(fullPath: "acme/platform") { allowStaleRunnerPruning } b: group(fullPath: "acme/data") { allowStaleRunnerPruning } }');
    expect(data).toEqual({ metadata: { version: '18.4.2' }, a: { allowStaleRunnerPruning: true }, b: { allowStaleRunnerPruning: false } });
    const anonymous = await gqlPost(fake, { query: 'query { metadata { version } }' }, { token: null });
    expect(anonymous.body.data?.metadata ?? null).toBeNull();
  });
});

describe('REST GET /runners/:id/managers (lib/api/ci/runners.rb)', () => {
  it('lists the managers in the RunnerManager entity to whoever may read the runner', async () => {
    const r = await call(fake, 'GET', '/runners/20/managers', { token: TOKENS.owner });
    expect(r.status).toBe(200);
    expect(r.body.map((m: { system_id: string }) => m.system_id)).toEqual(['s_one', 's_two']);
    expect(Object.keys(r.body[0]).sort()).toEqual(
      ['architecture', 'contacted_at', 'created_at', 'id', 'ip_address', 'job_execution_status', 'platform', 'revision', 'status', 'system_id', 'version'].sort(),
    );
    expect(r.body[1]).toMatchObject({ status: 'offline', job_execution_status: 'idle', version: '17.9.1' });
  });

  it('answers 403 without read_runner and 404 for an unknown runner', async () => {
    expect((await call(fake, 'GET', '/runners/20/managers', { token: TOKENS.outsider })).status).toBe(403);
    const missing = await call(fake, 'GET', '/runners/999/managers', { token: TOKENS.owner });
    expect(missing).toMatchObject({ status: 404, body: { message: '404 Runner Not Found' } });
  });
});

describe('runner token expiry (app/models/ci/runner.rb)', () => {
  it('sets tokenExpiresAt from the expiration interval on create, and moves it on every reset', async () => {
    const created = await call(fake, 'POST', '/user/runners', { token: TOKENS.owner, json: { runner_type: 'group_type', group_id: 11, description: 'exp' } });
    const first = Date.parse(created.body.token_expires_at);
    expect(first - Date.now()).toBeGreaterThan(30 * DAY_S * 1000 - 60_000);
    const gql = await gqlData(fake, MANAGERS_QUERY, { id: runnerGid(created.body.id) });
    expect(Date.parse(gql.runner.tokenExpiresAt)).toBe(Math.floor(first / 1000) * 1000);
    const seeded = await gqlData(fake, MANAGERS_QUERY, { id: runnerGid(21) });
    expect(seeded.runner.tokenExpiresAt).toBe('2030-01-01T00:00:00Z');
    const reset = await call(fake, 'POST', '/runners/21/reset_authentication_token', { token: TOKENS.owner });
    expect(reset.status).toBe(201);
    expect(Date.parse(reset.body.token_expires_at)).toBeLessThan(Date.parse('2030-01-01T00:00:00Z'));
    expect(Date.parse(reset.body.token_expires_at) - Date.now()).toBeGreaterThan(29 * DAY_S * 1000);
  });

  it('lets a runner reset its own token with POST /runners/reset_authentication_token {token}, and refuses an unknown token', async () => {
    const old = fake.runnerToken(21)!;
    const r = await call(fake, 'POST', '/runners/reset_authentication_token', { token: null, json: { token: old } });
    expect(r.status).toBe(201);
    expect(r.body.token).toBe(fake.runnerToken(21));
    expect(r.body.token).not.toBe(old);
    expect((await call(fake, 'POST', '/runners/reset_authentication_token', { token: null, json: { token: old } })).status).toBe(403);
  });

  it('keeps tokens without expiry when no policy applies', async () => {
    const s = baseSeed();
    const plain = await startFakeGitLab(s);
    try {
      const created = await call(plain, 'POST', '/user/runners', { token: TOKENS.owner, json: { runner_type: 'group_type', group_id: 11, description: 'x' } });
      expect(created.body.token_expires_at).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
