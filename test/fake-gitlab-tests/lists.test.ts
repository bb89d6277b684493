import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

async function ids(path: string, token: string = TOKENS.admin): Promise<number[]> {
  const a = await call(fake, 'GET', path, { token });
  expect(a.status).toBe(200);
  return (a.body as { id: number }[]).map((r) => r.id);
}

describe('runner lists', () => {
  it('group list: own + ancestor group runners + instance runners, never subgroup runners', async () => {
    expect(await ids('/groups/acme%2Fplatform/runners')).toEqual([1, 2, 3]);
    expect(await ids('/groups/acme%2Fplatform/runners?type=group_type')).toEqual([2, 3]);
    expect(await ids('/groups/acme%2Fplatform%2Fedge/runners?type=group_type')).toEqual([2, 3, 4]);
    expect(await ids('/groups/10/runners?type=project_type')).toEqual([]);
  });

  it('project list: enabled project runners, parent-group and instance runners as the project allows', async () => {
    expect(await ids('/projects/100/runners')).toEqual([1, 2, 3, 6, 7]);
    expect(await ids('/projects/100/runners?type=project_type')).toEqual([6, 7]);
    // acme/data/etl disables shared and group runners
    expect(await ids('/projects/acme%2Fdata%2Fetl/runners')).toEqual([7]);
  });

  it('list items carry no detail fields', async () => {
    const a = await call(fake, 'GET', '/groups/11/runners', { token: TOKENS.owner });
    const item = a.body.find((r: { id: number }) => r.id === 3);
    expect(Object.keys(item).sort()).toEqual(
      ['active', 'created_at', 'description', 'id', 'ip_address', 'is_shared', 'job_execution_status', 'name', 'online', 'paused', 'runner_type', 'status'].sort(),
    );
    expect(item).toMatchObject({ runner_type: 'group_type', is_shared: false, status: 'online', online: true });
  });

  it('reports a paused runner that has contacted as status "paused"', async () => {
    const a = await call(fake, 'GET', '/groups/13/runners?type=group_type');
    expect(a.body.find((r: { id: number }) => r.id === 4)).toMatchObject({ paused: true, active: false, status: 'paused' });
    const d = await call(fake, 'GET', '/runners/5');
    expect(d.body).toMatchObject({ status: 'never_contacted', contacted_at: null });
  });

  it('filters by status, paused and tag_list (all tags)', async () => {
    expect(await ids('/groups/13/runners?type=group_type&paused=true')).toEqual([4]);
    expect(await ids('/groups/13/runners?status=offline')).toEqual([4]);
    expect(await ids('/groups/11/runners?tag_list=docker,amd64')).toEqual([3]);
    expect(await ids('/groups/11/runners?tag_list=docker,arm64')).toEqual([]);
    const bad = await call(fake, 'GET', '/groups/11/runners?type=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'type does not have a valid value' });
  });

  it('GET /runners lists the runners the user owns; /runners/all everything', async () => {
    expect(await ids('/runners', TOKENS.subOwner)).toEqual([3, 4, 6, 7]);
    expect(await ids('/runners', TOKENS.maintainer)).toEqual([6, 7]);
    expect(await ids('/runners/all?type=instance_type')).toEqual([1]);
    expect(await ids('/runners/all?scope=paused')).toEqual([4]);
    expect((await call(fake, 'GET', '/runners/all?scope=nope')).body).toEqual({ message: 'Scope contains invalid value' });
  });

  it('lists a runner drifted in from a test', async () => {
    const id = fake.addRunner({ runner_type: 'group_type', group: 'acme/data', description: 'hand-made' });
    expect(await ids('/groups/acme%2Fdata/runners?type=group_type')).toEqual([2, 5, id]);
  });
});

describe('enabling a project runner in another project', () => {
  it('adds the project to the runner and shows it in the list', async () => {
    const id = fake.addRunner({ runner_type: 'project_type', projects: ['acme/platform/api'], description: 'movable' });
    const a = await call(fake, 'POST', '/projects/101/runners', { json: { runner_id: id } });
    expect(a.status).toBe(201);
    expect(await ids('/projects/101/runners?type=project_type')).toContain(id);
    expect(fake.runners().find((r) => r.id === id)?.projects).toEqual(['acme/platform/api', 'acme/data/etl']);
    const again = await call(fake, 'POST', '/projects/101/runners', { json: { runner_id: id } });
    expect(again.status).toBe(400);
    const group = await call(fake, 'POST', '/projects/101/runners', { json: { runner_id: 3 } });
    expect(group.body).toEqual({ message: '403 Forbidden - Runner is a group runner' });
  });
});
