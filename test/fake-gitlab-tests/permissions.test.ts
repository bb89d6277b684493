import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

describe('groups and projects', () => {
  it('finds a group by numeric id and by URL-encoded full path', async () => {
    const byPath = await call(fake, 'GET', '/groups/acme%2Fplatform', { token: TOKENS.owner });
    expect(byPath.status).toBe(200);
    expect(byPath.body).toMatchObject({ id: 11, full_path: 'acme/platform', path: 'platform', parent_id: 10 });
    expect(byPath.body.web_url).toBe(`${fake.url}/groups/acme/platform`);
    const byId = await call(fake, 'GET', '/groups/11', { token: TOKENS.owner });
    expect(byId.body).toEqual(byPath.body);
  });

  it('answers a project with its namespace', async () => {
    const a = await call(fake, 'GET', '/projects/acme%2Fplatform%2Fapi', { token: TOKENS.developer });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      id: 100,
      path_with_namespace: 'acme/platform/api',
      namespace: { id: 11, full_path: 'acme/platform', kind: 'group' },
    });
  });

  it('hides private groups and projects from non-members with 404', async () => {
    const g = await call(fake, 'GET', '/groups/acme', { token: TOKENS.outsider });
    expect(g.status).toBe(404);
    expect(g.body).toEqual({ message: '404 Group Not Found' });
    const p = await call(fake, 'GET', '/projects/100', { token: TOKENS.outsider });
    expect(p.body).toEqual({ message: '404 Project Not Found' });
    expect((await call(fake, 'GET', '/groups/acme%2Fnope', { token: TOKENS.admin })).status).toBe(404);
  });

  it('lets members of a subgroup see the parent group, not siblings', async () => {
    expect((await call(fake, 'GET', '/groups/acme', { token: TOKENS.subOwner })).status).toBe(200);
    expect((await call(fake, 'GET', '/groups/acme%2Fdata', { token: TOKENS.subOwner })).status).toBe(404);
  });

  it('does not accept an unencoded path', async () => {
    const a = await call(fake, 'GET', '/groups/acme/platform', { token: TOKENS.owner });
    expect(a.body).toEqual({ error: '404 Not Found' });
  });
});

describe('roles', () => {
  it('lists group runners for Maintainers and Owners (inherited from a parent group) only', async () => {
    expect((await call(fake, 'GET', '/groups/acme%2Fplatform/runners', { token: TOKENS.owner })).status).toBe(200);
    expect((await call(fake, 'GET', '/groups/acme%2Fplatform%2Fedge/runners', { token: TOKENS.subOwner })).status).toBe(200);
    expect((await call(fake, 'GET', '/groups/acme%2Fplatform/runners', { token: TOKENS.maintainer })).status).toBe(200);
    const m = await call(fake, 'GET', '/groups/acme%2Fdata/runners', { token: TOKENS.maintainer });
    expect(m.status).toBe(403);
    expect(m.body).toEqual({ message: '403 Forbidden' });
  });

  it('lists project runners for Maintainers (inherited from the group) only', async () => {
    expect((await call(fake, 'GET', '/projects/100/runners', { token: TOKENS.maintainer })).status).toBe(200);
    expect((await call(fake, 'GET', '/projects/100/runners', { token: TOKENS.developer })).status).toBe(403);
  });

  it('shows runner details to owners of the runner, instance runners to anyone signed in', async () => {
    expect((await call(fake, 'GET', '/runners/3', { token: TOKENS.subOwner })).status).toBe(200);
    const denied = await call(fake, 'GET', '/runners/5', { token: TOKENS.subOwner });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ message: '403 Forbidden - No access granted' });
    expect((await call(fake, 'GET', '/runners/1', { token: TOKENS.outsider })).status).toBe(200);
    expect((await call(fake, 'GET', '/runners/999', { token: TOKENS.outsider })).body).toEqual({ message: '404 Runner Not Found' });
  });

  it('filters the groups/projects of a runner to what the caller may see', async () => {
    const maint = await call(fake, 'GET', '/runners/7', { token: TOKENS.maintainer });
    expect(maint.body.projects.map((p: { id: number }) => p.id)).toEqual([101, 100]);
    // acme/platform's owner cannot see acme/data/etl, the runner's owner project
    const sub = await call(fake, 'GET', '/runners/7', { token: TOKENS.subOwner });
    expect(sub.body.projects.map((p: { id: number }) => p.id)).toEqual([100]);
    const admin = await call(fake, 'GET', '/runners/7', { token: TOKENS.admin });
    expect(admin.body.projects.map((p: { path_with_namespace: string }) => p.path_with_namespace)).toEqual([
      'acme/data/etl',
      'acme/platform/api',
    ]);
  });

  it('creates runners by role: group Owner, project Maintainer, instance admin', async () => {
    const create = (token: string, body: object) => call(fake, 'POST', '/user/runners', { token, json: body });
    expect((await create(TOKENS.subOwner, { runner_type: 'group_type', group_id: 13 })).status).toBe(201);
    const notOwner = await create(TOKENS.maintainer, { runner_type: 'group_type', group_id: 11 });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body).toEqual({ message: '403 Forbidden - Insufficient permissions' });
    expect((await create(TOKENS.maintainer, { runner_type: 'project_type', project_id: 100 })).status).toBe(201);
    expect((await create(TOKENS.developer, { runner_type: 'project_type', project_id: 100 })).status).toBe(403);
    expect((await create(TOKENS.owner, { runner_type: 'instance_type' })).status).toBe(403);
    expect((await create(TOKENS.admin, { runner_type: 'instance_type' })).status).toBe(201);
  });

  it('refuses a non-admin DELETE of a runner enabled in several projects', async () => {
    const a = await call(fake, 'DELETE', '/runners/7', { token: TOKENS.maintainer });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - Runner associated with more than one project' });
    expect((await call(fake, 'DELETE', '/runners/5', { token: TOKENS.subOwner })).body).toEqual({
      message: '403 Forbidden - No access granted',
    });
    expect((await call(fake, 'DELETE', '/runners/7', { token: TOKENS.admin })).status).toBe(204);
    expect(fake.runners().some((r) => r.id === 7)).toBe(false);
  });

  it('restricts /runners/all to administrators', async () => {
    expect((await call(fake, 'GET', '/runners/all', { token: TOKENS.owner })).status).toBe(403);
    expect((await call(fake, 'GET', '/runners/all', { token: TOKENS.admin })).status).toBe(200);
  });
});
