import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

const INSUFFICIENT = 'insufficient_scope';

describe('authentication', () => {
  it('answers the token owner on GET /user, by PRIVATE-TOKEN or Bearer', async () => {
    const a = await call(fake, 'GET', '/user', { token: TOKENS.owner });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: 2, username: 'owner' });
    expect(a.body).not.toHaveProperty('is_admin');
    const b = await call(fake, 'GET', '/user', { token: null, headers: { Authorization: `Bearer ${TOKENS.admin}` } });
    expect(b.body).toMatchObject({ username: 'root', is_admin: true });
  });

  it.each([
    ['missing', null],
    ['unknown', 'glpat-nope-nope-nope'],
    ['expired', TOKENS.expired],
    ['revoked', TOKENS.revoked],
  ])('answers 401 for a %s token', async (_why, token) => {
    const a = await call(fake, 'GET', '/groups/acme', { token });
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ message: '401 Unauthorized' });
  });

  it('answers unknown routes 404 {"error":"404 Not Found"} even without a token', async () => {
    const a = await call(fake, 'GET', '/no/such/route', { token: null });
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ error: '404 Not Found' });
  });
});

describe('token scopes', () => {
  it('read_api may GET but not PUT', async () => {
    expect((await call(fake, 'GET', '/groups/acme%2Fplatform/runners', { token: TOKENS.readApi })).status).toBe(200);
    const put = await call(fake, 'PUT', '/runners/3', { token: TOKENS.readApi, json: { paused: true } });
    expect(put.status).toBe(403);
    expect(put.body.error).toBe(INSUFFICIENT);
    expect(put.body.scope).toBe('api manage_runner');
  });

  it('create_runner may only POST /user/runners', async () => {
    const created = await call(fake, 'POST', '/user/runners', {
      token: TOKENS.createRunner,
      json: { runner_type: 'group_type', group_id: 11, description: 'by create_runner' },
    });
    expect(created.status).toBe(201);
    const get = await call(fake, 'GET', `/runners/${created.body.id}`, { token: TOKENS.createRunner });
    expect(get.status).toBe(403);
    expect(get.body).toEqual({
      error: INSUFFICIENT,
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: 'api read_api manage_runner',
    });
  });

  it('manage_runner covers /runners/:id but not the lists nor creation', async () => {
    expect((await call(fake, 'GET', '/runners/3', { token: TOKENS.manageRunner })).status).toBe(200);
    expect((await call(fake, 'PUT', '/runners/3', { token: TOKENS.manageRunner, json: { locked: true } })).status).toBe(200);
    expect((await call(fake, 'POST', '/runners/3/reset_authentication_token', { token: TOKENS.manageRunner })).status).toBe(201);
    const list = await call(fake, 'GET', '/groups/11/runners', { token: TOKENS.manageRunner });
    expect(list.status).toBe(403);
    expect(list.body.error).toBe(INSUFFICIENT);
    const create = await call(fake, 'POST', '/user/runners', {
      token: TOKENS.manageRunner,
      json: { runner_type: 'group_type', group_id: 11 },
    });
    expect(create.status).toBe(403);
    expect(create.body.scope).toBe('api create_runner');
  });

  it('checks the token before the scope: an expired api token is 401, not 403', async () => {
    expect((await call(fake, 'PUT', '/runners/3', { token: TOKENS.expired, json: { locked: true } })).status).toBe(401);
  });
});
