// The fake's rules that the audit against GitLab's source fixed (issue 14): one
// test per rule, each failing on the fake's earlier behaviour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';
import { gqlData } from './graphql-helpers.js';

const PROJECT_MAINT = 'glpat-test-projmaint-000000'; // Maintainer of acme/platform/api only
const ETL_MAINT = 'glpat-test-etlmaint-0000000'; // Maintainer of acme/data/etl only (takes no group runners)
const EXPIRES = '2031-05-01T00:00:00.000Z';

let fake: FakeGitLab;
beforeAll(async () => {
  const seed = baseSeed();
  seed.users.push({ id: 7, username: 'proj-maint', projects: { 'acme/platform/api': 'maintainer' } });
  seed.users.push({ id: 8, username: 'etl-maint', projects: { 'acme/data/etl': 'maintainer' } });
  seed.tokens.push({ token: PROJECT_MAINT, user: 'proj-maint', scopes: ['api'] }, { token: ETL_MAINT, user: 'etl-maint', scopes: ['api'] });
  seed.runners = (seed.runners ?? []).map((r) =>
    r.id === 3 ? { ...r, maintenance_note: 'rack 4', token_expires_at: EXPIRES } : r.id === 1 ? { ...r, token_expires_at: EXPIRES } : r,
  );
  seed.runner_token_expiration_interval = 3600;
  fake = await startFakeGitLab(seed);
});
afterAll(() => fake.close());

describe('GET /runners/:id groups: authorized_groups, not inherited (runner_details.rb, user.rb)', () => {
  it('an Owner of acme gets no group for a runner of a project-less subgroup, the group for one with a project', async () => {
    expect((await call(fake, 'GET', '/runners/4', { token: TOKENS.owner })).body.groups).toEqual([]);
    expect((await call(fake, 'GET', '/runners/3', { token: TOKENS.owner })).body.groups.map((g: { id: number }) => g.id)).toEqual([11]);
    expect((await call(fake, 'GET', '/runners/2', { token: TOKENS.owner })).body.groups.map((g: { id: number }) => g.id)).toEqual([10]);
    expect((await call(fake, 'GET', '/runners/4', { token: TOKENS.admin })).body.groups.map((g: { id: number }) => g.id)).toEqual([13]);
  });
});

describe('read_runner of a group runner (runner_policy.rb)', () => {
  it('a Maintainer of a project below the group that takes group runners may read it', async () => {
    expect((await call(fake, 'GET', '/runners/2', { token: PROJECT_MAINT })).status).toBe(200);
    expect((await call(fake, 'GET', '/runners/3', { token: PROJECT_MAINT })).status).toBe(200);
    // No project of acme/platform/edge: not readable.
    expect((await call(fake, 'GET', '/runners/4', { token: PROJECT_MAINT })).status).toBe(403);
  });

  it('a Maintainer of a project that takes no group runners may not', async () => {
    const a = await call(fake, 'GET', '/runners/5', { token: ETL_MAINT });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - No access granted' });
  });
});

describe('maintenance_note only for who may update the runner (runner_details.rb)', () => {
  it('is null for a group Maintainer and shown to the Owner', async () => {
    const m = await call(fake, 'GET', '/runners/3', { token: TOKENS.maintainer });
    expect(m.status).toBe(200);
    expect(m.body.maintenance_note).toBeNull();
    expect((await call(fake, 'GET', '/runners/3', { token: TOKENS.owner })).body.maintenance_note).toBe('rack 4');
  });
});

describe('tokenExpiresAt: read_runner_sensitive_data (runner_type.rb, runner_policy.rb)', () => {
  const q = '{ g: runner(id: "gid://gitlab/Ci::Runner/3") { tokenExpiresAt } i: runner(id: "gid://gitlab/Ci::Runner/1") { tokenExpiresAt } }';
  it('the group Owner reads a group runner expiry; an instance runner expiry is for administrators only', async () => {
    expect(await gqlData(fake, q, undefined, TOKENS.owner)).toEqual({ g: { tokenExpiresAt: '2031-05-01T00:00:00Z' }, i: { tokenExpiresAt: null } });
    expect(await gqlData(fake, q, undefined, TOKENS.admin)).toEqual({ g: { tokenExpiresAt: '2031-05-01T00:00:00Z' }, i: { tokenExpiresAt: '2031-05-01T00:00:00Z' } });
  });

  it('create and reset answer the expiry the expiration interval gives', async () => {
    const c = await call(fake, 'POST', '/user/runners', { token: TOKENS.owner, json: { runner_type: 'group_type', group_id: 11 } });
    expect(c.status).toBe(201);
    const lifetime = Date.parse(c.body.token_expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const r = await call(fake, 'POST', `/runners/${c.body.id}/reset_authentication_token`, { token: TOKENS.owner });
    expect(r.status).toBe(201);
    expect(typeof r.body.token_expires_at).toBe('string');
  });
});

describe('PUT /runners/:id (lib/api/ci/runners.rb)', () => {
  it('answers RunnerDetails without projects (no include_projects); GET has them', async () => {
    const put = await call(fake, 'PUT', '/runners/6', { token: TOKENS.owner, json: { description: 'api-own' } });
    expect(put.status).toBe(200);
    expect(put.body).not.toHaveProperty('projects');
    expect((await call(fake, 'GET', '/runners/6', { token: TOKENS.owner })).body.projects.map((p: { id: number }) => p.id)).toEqual([100]);
  });

  it('declares no maintainer_note: alone it is "at least one" missing, beside another key it is ignored', async () => {
    const alone = await call(fake, 'PUT', '/runners/3', { token: TOKENS.owner, json: { maintainer_note: 'x' } });
    expect(alone.status).toBe(400);
    expect(alone.body).toEqual({
      error:
        'description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided',
    });
    const beside = await call(fake, 'PUT', '/runners/3', { token: TOKENS.owner, json: { maintainer_note: 'x', description: 'platform-docker' } });
    expect(beside.status).toBe(200);
    expect(beside.body.maintenance_note).toBe('rack 4');
  });
});

describe('list items (lib/api/entities/ci/runner.rb)', () => {
  it('carry created_at and job_execution_status; online is null for a runner that never contacted GitLab', async () => {
    const items = (await call(fake, 'GET', '/groups/12/runners?type=group_type', { token: TOKENS.owner })).body as Record<string, unknown>[];
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(5)).toMatchObject({ online: null, status: 'never_contacted', job_execution_status: 'idle' });
    expect(typeof byId.get(5)!.created_at).toBe('string');
    const edge = (await call(fake, 'GET', '/groups/13/runners?type=group_type', { token: TOKENS.owner })).body as Record<string, unknown>[];
    expect(edge.find((i) => i.id === 4)).toMatchObject({ online: false });
  });
});

describe('GET /groups/:id/members/all/:user_id (lib/api/members.rb)', () => {
  it('answers the effective access level, inherited ones included; 404 for a non-member', async () => {
    const inherited = await call(fake, 'GET', '/groups/acme%2Fplatform%2Fedge/members/all/2', { token: TOKENS.maintainer });
    expect(inherited.status).toBe(200);
    expect(inherited.body).toMatchObject({ id: 2, username: 'owner', access_level: 50 });
    expect((await call(fake, 'GET', '/groups/11/members/all/4', { token: TOKENS.maintainer })).body.access_level).toBe(40);
    const none = await call(fake, 'GET', '/groups/11/members/all/6', { token: TOKENS.owner });
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ message: '404 Member Not Found' });
  });
});
