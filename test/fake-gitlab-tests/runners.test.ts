import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

const create = (body: object | Record<string, string>, form = false) =>
  call(fake, 'POST', '/user/runners', form ? { form: body as Record<string, string> } : { json: body });

describe('POST /user/runners', () => {
  it('creates with GitLab defaults and answers only id and a one-time glrt-t2_ token', async () => {
    const a = await create({ runner_type: 'group_type', group_id: 11, description: 'fresh' });
    expect(a.status).toBe(201);
    expect(Object.keys(a.body).sort()).toEqual(['id', 'token', 'token_expires_at']);
    expect(a.body.token).toMatch(/^glrt-t2_[\w-]{20}$/);
    const d = await call(fake, 'GET', `/runners/${a.body.id}`);
    expect(d.body).toMatchObject({
      description: 'fresh',
      run_untagged: true,
      locked: false,
      paused: false,
      access_level: 'not_protected',
      maximum_timeout: null,
      maintenance_note: null,
      tag_list: [],
      groups: [{ id: 11 }],
      projects: [],
    });
    const b = await create({ runner_type: 'group_type', group_id: 11 });
    expect(b.body.token).not.toBe(a.body.token);
  });

  it('accepts a form body with a comma-separated tag_list', async () => {
    const a = await create({ runner_type: 'project_type', project_id: '100', tag_list: 'a, b,a', paused: 'true' }, true);
    expect(a.status).toBe(201);
    expect(a.body.token).toMatch(/^glrt-t3_/);
    expect(fake.runners().find((r) => r.id === a.body.id)).toMatchObject({ tag_list: ['a', 'b'], paused: true, projects: ['acme/platform/api'] });
  });

  it('answers GitLab validation messages', async () => {
    expect((await create({ runner_type: 'group_type', group_id: 11, maximum_timeout: 300 })).body).toEqual({
      message: '400 Bad request - Maximum timeout needs to be at least 10 minutes',
    });
    expect((await create({ runner_type: 'group_type', group_id: 11, run_untagged: false, maintenance_note: 'x'.repeat(1025) })).body).toEqual({
      message:
        '400 Bad request - Tags list can not be empty when runner is not allowed to pick untagged jobs and Maintenance note is too long (maximum is 1024 characters)',
    });
    expect((await create({ runner_type: 'group_type', group_id: 999 })).body).toEqual({ message: '400 Bad request - Missing/invalid group' });
    expect((await create({ runner_type: 'project_type', project_id: 999 })).body).toEqual({ message: '400 Bad request - Missing/invalid project' });
    expect((await create({ runner_type: 'group_type' })).body).toEqual({ error: 'group_id is missing' });
    expect((await create({ runner_type: 'cloud' })).body).toEqual({ error: 'runner_type does not have a valid value' });
    expect((await create({ runner_type: 'group_type', group_id: 11, access_level: 'ref' })).status).toBe(400);
  });
});

describe('PUT /runners/:id', () => {
  it('changes only what is sent and replaces the tags', async () => {
    const a = await call(fake, 'PUT', '/runners/3', { json: { tag_list: ['x', 'y'], maintenance_note: 'hi' } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: 3, tag_list: ['x', 'y'], maintenance_note: 'hi', description: 'platform-docker', paused: false });
  });

  it('answers attribute-keyed validation errors and changes nothing', async () => {
    const a = await call(fake, 'PUT', '/runners/3', { json: { maximum_timeout: 10, description: 'changed' } });
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ message: { maximum_timeout: ['needs to be at least 10 minutes'] } });
    const tags = await call(fake, 'PUT', '/runners/3', { json: { tag_list: [], run_untagged: false } });
    expect(tags.body).toEqual({ message: { tags_list: ['can not be empty when runner is not allowed to pick untagged jobs'] } });
    const many = await call(fake, 'PUT', '/runners/3', { json: { tag_list: Array.from({ length: 51 }, (_, i) => `t${i}`) } });
    expect(many.body).toEqual({ message: { tags_list: ['Too many tags specified. Please limit the number of tags to 50'] } });
    const long = await call(fake, 'PUT', '/runners/3', { json: { description: 'd'.repeat(1025) } });
    expect(long.body).toEqual({ message: { description: ['is too long (maximum is 1024 characters)'] } });
    expect(fake.runners().find((r) => r.id === 3)?.description).toBe('platform-docker');
  });

  it('requires at least one attribute', async () => {
    const a = await call(fake, 'PUT', '/runners/3', { json: {} });
    expect(a.status).toBe(400);
    expect(a.body.error).toMatch(/at least one parameter must be provided$/);
  });

  it('can clear maximum_timeout with null', async () => {
    await call(fake, 'PUT', '/runners/3', { json: { maximum_timeout: 3600 } });
    const a = await call(fake, 'PUT', '/runners/3', { json: { maximum_timeout: null } });
    expect(a.body.maximum_timeout).toBeNull();
  });
});

describe('DELETE and token reset', () => {
  it('deletes with 204, then answers 404', async () => {
    const { body } = await create({ runner_type: 'group_type', group_id: 11 });
    const del = await call(fake, 'DELETE', `/runners/${body.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const again = await call(fake, 'DELETE', `/runners/${body.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: '404 Runner Not Found' });
  });

  it('resets the token to a new glrt- value', async () => {
    const { body } = await create({ runner_type: 'group_type', group_id: 11 });
    const a = await call(fake, 'POST', `/runners/${body.id}/reset_authentication_token`);
    expect(a.status).toBe(201);
    expect(a.body.token).toMatch(/^glrt-t2_/);
    expect(a.body.token).not.toBe(body.token);
  });

  it('answers the legacy POST /runners with a PAT as registration token 403', async () => {
    const a = await call(fake, 'POST', '/runners', { json: { token: TOKENS.owner, description: 'legacy' } });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - invalid token supplied' });
  });
});

describe('runnerToken()', () => {
  it('gives the token a create or a reset answered', async () => {
    const { body } = await create({ runner_type: 'group_type', group_id: 11 });
    expect(fake.runnerToken(body.id)).toBe(body.token);
    const reset = await call(fake, 'POST', `/runners/${body.id}/reset_authentication_token`);
    expect(fake.runnerToken(body.id)).toBe(reset.body.token);
    expect(fake.runnerToken(424242)).toBeUndefined();
  });
});
