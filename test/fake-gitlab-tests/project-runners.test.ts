// POST/DELETE /projects/:id/runners against GitLab's lib/api/ci/runners.rb,
// app/services/ci/runners/{assign,unassign}_runner_service.rb and
// app/policies/ci/{runner,runner_project}_policy.rb (see handlers-project-runners.ts).
// Seed: runner 6 is owned by acme/platform/api (100); runner 7 is owned by acme/data/etl (101) and
// enabled in acme/platform/api; `maint` is Maintainer of both projects, `dev` a Developer of api.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterEach(() => fake.close());

const enable = (project: number, runner_id: number, token: string = TOKENS.maintainer) =>
  call(fake, 'POST', `/projects/${project}/runners`, { token, json: { runner_id: runner_id } });
const disable = (project: number, runner_id: number, token: string = TOKENS.maintainer) =>
  call(fake, 'DELETE', `/projects/${project}/runners/${runner_id}`, { token });
const projectsOf = async (id: number) =>
  ((await call(fake, 'GET', `/runners/${id}`, { token: TOKENS.admin })).body.projects as { id: number }[]).map((p) => p.id).sort();

describe('POST /projects/:id/runners', () => {
  it('enables a project runner in another project the token maintains: 201 with the runner', async () => {
    const a = await enable(101, 6);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ id: 6, runner_type: 'project_type', description: 'api-own' });
    expect(await projectsOf(6)).toEqual([100, 101]);
  });

  it('answers an already enabled runner with 400, the reason appended and no "400 Bad request -" prefix', async () => {
    const a = await enable(100, 7);
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ message: 'Assign to Validation failed: Runner projects runner has already been taken - runner_error' });
  });

  it('refuses a locked runner to a non-administrator ("Runner is locked"), not to an administrator', async () => {
    expect((await call(fake, 'PUT', '/runners/6', { token: TOKENS.maintainer, json: { locked: true } })).status).toBe(200);
    const a = await enable(101, 6);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - Runner is locked' });
    expect((await enable(101, 6, TOKENS.admin)).status).toBe(201);
  });

  it('refuses a Developer of the target project with a bare 403 before reading the runner', async () => {
    const a = await enable(100, 999_999, TOKENS.developer);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden' });
  });

  it('refuses a project of another organization than the owner project\'s: 400 with the reason, administrators too', async () => {
    const seed = baseSeed();
    seed.groups!.push({ id: 20, full_path: 'globex', organization_id: 2 });
    seed.projects!.push({ id: 200, path_with_namespace: 'globex/web' });
    seed.users.find((u) => u.username === 'maint')!.projects!['globex/web'] = 'maintainer';
    await fake.close();
    fake = await startFakeGitLab(seed);
    const message = 'runner can only be assigned to projects in the same organization - project_not_in_same_organization';
    for (const token of [TOKENS.maintainer, TOKENS.admin]) {
      const a = await enable(200, 6, token);
      expect(a.status).toBe(400);
      expect(a.body).toEqual({ message });
    }
    expect(await projectsOf(6)).toEqual([100]);
    // The same organization still works.
    expect((await enable(101, 6)).status).toBe(201);
  });

  it('refuses group runners to everyone and unknown runners with 404', async () => {
    expect((await enable(100, 3, TOKENS.admin)).body).toEqual({ message: '403 Forbidden - Runner is a group runner' });
    expect((await enable(100, 999_999)).body).toEqual({ message: '404 Runner Not Found' });
  });

  it('refuses an instance runner to a non-administrator: it lacks :assign_runner', async () => {
    const a = await enable(100, 1);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - No access granted' });
  });
});

describe('DELETE /projects/:id/runners/:runner_id', () => {
  it('disables a runner in a project that does not own it: 204', async () => {
    const a = await disable(100, 7);
    expect(a.status).toBe(204);
    expect(await projectsOf(7)).toEqual([101]);
  });

  it('answers a non-administrator on the owner project "No access granted"; only an administrator reads why', async () => {
    const a = await disable(101, 7);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - No access granted' });
    const b = await disable(101, 7, TOKENS.admin);
    expect(b.status).toBe(403);
    expect(b.body).toEqual({ message: '403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead' });
    expect(await projectsOf(7)).toEqual([100, 101]);
  });

  it('refuses a locked runner to a non-administrator ("Runner is locked"); an administrator disables it', async () => {
    expect((await call(fake, 'PUT', '/runners/7', { token: TOKENS.maintainer, json: { locked: true } })).status).toBe(200);
    const a = await disable(100, 7);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ message: '403 Forbidden - Runner is locked' });
    expect((await disable(100, 7, TOKENS.admin)).status).toBe(204);
  });

  it('answers 404 for a runner not enabled in the project, 403 to a Developer', async () => {
    expect((await disable(100, 5)).body).toEqual({ message: '404 Runner Not Found' });
    expect((await disable(100, 7, TOKENS.developer)).body).toEqual({ message: '403 Forbidden' });
  });
});
