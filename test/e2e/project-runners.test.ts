// Project runners shared across projects with `also_in:`: the built CLI, spawned,
// against the fake GitLab over HTTP (its POST/DELETE /projects/:id/runners follow
// lib/api/ci/runners.rb; see test/fake-gitlab/handlers-project-runners.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { runCli, secretsIn, tempDir, withoutRestExpiry, writeFile, writes } from './harness.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const OWNER = 'glpat-e2e-share-owner-0000000000';
const MAINT = 'glpat-e2e-share-maint-0000000000';
/** Maintainer of acme/api only: cannot see acme/legacy, where runner 6 is enabled too. */
const SOLO = 'glpat-e2e-share-solo-00000000000';
/** Maintainer of acme/api, only a Developer of acme/web. */
const DEV = 'glpat-e2e-share-dev-000000000000';

/** acme/api owns e2e-pool (only there), multi (also in acme/legacy) and locked-pool (locked); maint is Maintainer of acme. */
function shareSeed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'owner', groups: { acme: 'owner' } },
      { id: 3, username: 'maint', groups: { acme: 'maintainer' } },
      { id: 4, username: 'solo', projects: { 'acme/api': 'maintainer' } },
      { id: 5, username: 'dev', projects: { 'acme/api': 'maintainer', 'acme/web': 'developer' } },
    ],
    tokens: [
      { token: OWNER, user: 'owner', scopes: ['api'] },
      { token: MAINT, user: 'maint', scopes: ['api'] },
      { token: SOLO, user: 'solo', scopes: ['api'] },
      { token: DEV, user: 'dev', scopes: ['api'] },
    ],
    groups: [{ id: 10, full_path: 'acme' }],
    projects: [
      { id: 100, path_with_namespace: 'acme/api' },
      { id: 101, path_with_namespace: 'acme/web' },
      { id: 102, path_with_namespace: 'acme/worker' },
      { id: 103, path_with_namespace: 'acme/legacy' },
    ],
    runners: [
      { id: 5, runner_type: 'project_type', projects: ['acme/api'], description: 'e2e-pool', tag_list: ['e2e'] },
      { id: 6, runner_type: 'project_type', projects: ['acme/api', 'acme/legacy'], description: 'multi', tag_list: ['m'] },
      { id: 7, runner_type: 'project_type', projects: ['acme/api'], description: 'locked-pool', tag_list: ['l'], locked: true },
    ],
  };
}

const file = (pool: string, extra = '', prune = false) => `version: 1
projects:
  - path: acme/api
    prune: ${prune}
    runners:
      - description: e2e-pool
        tag_list: [e2e]${pool}
${extra}`;
const KEEP_OTHERS = '      - description: multi\n      - description: locked-pool\n';

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(shareSeed());
  dir = tempDir();
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], token = OWNER) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: token } });
const projectsOf = (id: number) => fake.runners().find((r) => r.id === id)?.projects;

describe('also_in', () => {
  it('enables a runner in two more projects, then disables one; each plan is the same through REST and GraphQL', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web, acme/worker]', KEEP_OTHERS));
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain(
      [
        '  # project["acme/api"].runner["e2e-pool"] will be enabled in 2 more projects',
        '  # (id 5, status never_contacted, last contact never)',
        '  # projects besides its owner project (also_in):',
        '  + enable in acme/web',
        '  + enable in acme/worker',
      ].join('\n'),
    );
    expect(plan.stdout).toContain('Runner actions are indicated with the following symbols:\n  + enable in a project\n\n');
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 2 to enable in projects, 0 to disable (2 unchanged, 0 unmanaged).');
    const rest = await cli(['plan', '--api', 'rest', '--format', 'json']);
    const graphql = await cli(['plan', '--api', 'graphql', '--format', 'json']);
    expect(withoutRestExpiry(rest.stdout)).toBe(graphql.stdout);
    expect(JSON.parse(graphql.stdout).changes.find((c: { runner_id: number }) => c.runner_id === 5).enablements).toEqual([
      { action: 'enable', project: { id: 101, path: 'acme/web' }, refused: null },
      { action: 'enable', project: { id: 102, path: 'acme/worker' }, refused: null },
    ]);
    expect(writes(fake)).toEqual([]);

    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('runner["e2e-pool"]: Changing the projects it is enabled in...\n');
    expect(apply.stdout).toContain('runner["e2e-pool"]: Projects changed [id=5] (enabled in acme/web, enabled in acme/worker)\n');
    expect(apply.stdout).not.toContain('Modif');
    expect(writes(fake).sort()).toEqual(['POST /projects/101/runners', 'POST /projects/102/runners']);
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web', 'acme/worker']);
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web]', KEEP_OTHERS));
    const less = await cli(['plan', '--detailed-exitcode']);
    expect(less.code).toBe(2);
    expect(less.stdout).toContain('  - disable in acme/worker\n');
    const lessRest = await cli(['plan', '--api', 'rest', '--format', 'json']);
    expect(withoutRestExpiry(lessRest.stdout)).toBe((await cli(['plan', '--format', 'json'])).stdout);
    fake.resetStats();
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(writes(fake)).toEqual(['DELETE /projects/102/runners/5']);
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web']);
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    for (const r of [plan, apply, less]) expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
  });

  it('counts what apply did as the plan counts it: an enable-only change is enabled in projects, not updated', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web]', KEEP_OTHERS));
    const plan = await cli(['plan']);
    expect(plan.stdout).toContain('  # project["acme/api"].runner["e2e-pool"] will be enabled in 1 more project\n');
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 1 to enable in projects, 0 to disable (2 unchanged, 0 unmanaged).');
    expect(JSON.parse((await cli(['plan', '--format', 'json'])).stdout).summary).toMatchObject({ create: 0, update: 0, delete: 0, enable: 1, disable: 0 });
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('\nApply complete: 0 created, 0 updated, 0 deleted, 1 enabled in projects, 0 disabled.\n');

    // An attribute change and a disable of one runner: one update, one disable.
    writeFile(dir, 'runners.yaml', file('\n        also_in: []\n        maximum_timeout: 3600', KEEP_OTHERS));
    const both = await cli(['apply', '--auto-approve']);
    expect(both.code, both.stdout + both.stderr).toBe(0);
    expect(both.stdout).toContain('\nApply complete: 0 created, 1 updated, 0 deleted, 0 enabled in projects, 1 disabled.\n');
  });

  it('counts a refused enable as failed and the one GitLab carried out as enabled, never as an update', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web, acme/worker]', KEEP_OTHERS));
    fake.inject({ method: 'POST', path: '/projects/102/runners', times: 1, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web']);
    expect(apply.stdout).toContain('\nApply failed: 0 created, 0 updated, 0 deleted, 1 enabled in projects, 0 disabled; 1 failed.\n');
  });

  it('a create whose token delivery failed counts as created and its enable as not done, and says the enable was not sent', async () => {
    const fresh = '      - description: fresh\n        also_in: [acme/web]\n        token:\n          gitlab_variable:\n            project: acme/web\n            key: FRESH\n';
    writeFile(dir, 'runners.yaml', file('', KEEP_OTHERS + fresh));
    fake.inject({ method: 'POST', path: /\/variables$/, times: 5, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout).toContain('\nApply failed: 1 created, 0 updated, 0 deleted, 0 enabled in projects, 0 disabled; 1 delivery failed.\n');
    expect(apply.stdout).toMatch(/Tokens not delivered:\n {2}project\["acme\/api"\]\.runner\["fresh"\]: .* Not sent with it: enable in acme\/web \(the next plan shows it again\)\.\n/);
    expect(writes(fake).filter((w) => w.includes('/projects/101/runners'))).toEqual([]);
    const plan = await cli(['plan', '--tokens-out', 'tokens.json']);
    expect(plan.stdout).toContain('  + enable in acme/web\n');
    expect(secretsIn(apply.stdout + apply.stderr + plan.stdout + plan.stderr)).toEqual([]);
  });

  it('predicts a locked runner\'s enable as refused for a Maintainer token and never sends it', async () => {
    writeFile(dir, 'runners.yaml', file('', '      - description: multi\n      - description: locked-pool\n        also_in: [acme/web]\n'));
    const plan = await cli(['plan', '--detailed-exitcode'], MAINT);
    expect(plan.stdout).toContain(
      '  + enable in acme/web\n      # GitLab will refuse this: the runner is locked: only an administrator may enable a locked runner in another project',
    );
    expect(plan.stdout).toMatch(/1 to enable in projects, 0 to disable \(2 unchanged, 0 unmanaged\)\. 1 GitLab will refuse/);
    const apply = await cli(['apply', '--auto-approve'], MAINT);
    expect(apply.code).not.toBe(0);
    expect(apply.stdout).toContain('project["acme/api"].runner["locked-pool"]: FAILED: not sent: GitLab will refuse this: enable in acme/web: the runner is locked');
    expect(writes(fake)).toEqual([]);
    expect(projectsOf(7)).toEqual(['acme/api']);
  });

  it('prunes a runner enabled in two projects: disables it in the other, then deletes it (a non-admin token may)', async () => {
    writeFile(dir, 'runners.yaml', file('', '      - description: locked-pool\n', true));
    const plan = await cli(['plan'], MAINT);
    expect(plan.stdout).toContain(
      [
        '  # project["acme/api"].runner["multi"] will be DELETED',
        '  # (not declared, and its scope has prune: true)',
        '  # (id 6, status never_contacted, last contact never)',
        '  # first disabled in the other projects it is enabled in:',
        '  - disable in acme/legacy',
        '  - project["acme/api"].runner["multi"] {',
      ].join('\n'),
    );
    expect(plan.stdout).not.toContain('refuse');
    const apply = await cli(['apply', '--auto-approve'], MAINT);
    expect(apply.code, apply.stdout).toBe(0);
    expect(writes(fake)).toEqual(['DELETE /projects/103/runners/6', 'DELETE /runners/6']);
    expect(fake.runners().some((r) => r.id === 6)).toBe(false);
  });

  it('reports the refusal of a prune it cannot carry out (the runner is locked) and sends nothing', async () => {
    await fetch(`${fake.url}/api/v4/runners/6`, { method: 'PUT', headers: { 'PRIVATE-TOKEN': OWNER, 'content-type': 'application/json' }, body: '{"locked":true}' });
    fake.resetStats();
    writeFile(dir, 'runners.yaml', file('', '      - description: locked-pool\n', true));
    const plan = await cli(['plan'], MAINT);
    expect(plan.stdout).toContain(
      '# GitLab will refuse this: it is enabled in 2 projects and this token cannot first disable it in acme/legacy (the runner is locked: only an administrator may disable a locked runner in a project); only an administrator may delete it as it is',
    );
    expect(plan.stdout).not.toContain('- disable in');
    const apply = await cli(['apply', '--auto-approve'], MAINT);
    expect(apply.code).not.toBe(0);
    expect(writes(fake)).toEqual([]);
    expect(projectsOf(6)).toEqual(['acme/api', 'acme/legacy']);
  });

  it('exports also_in for a runner in several projects, and the export plans no changes', async () => {
    const out = await cli(['export', '--project', 'acme/api', '-o', 'runners.yaml']);
    expect(out.code, out.stderr).toBe(0);
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${dir}/runners.yaml`, 'utf8')).toContain('      - description: multi\n        locked: false\n        tag_list: [m]\n        also_in: [acme/legacy]\n');
  });

  it('reports every unknown also_in project at once, with where it is written, and sends nothing', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/nope, acme/web, 999]', KEEP_OTHERS));
    const plan = await cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('runners.yaml:8:19: also_in names project "acme/nope", which does not exist or this token cannot see');
    expect(plan.stderr).toContain('runners.yaml:8:40: also_in names project "999", which does not exist or this token cannot see');
    expect(plan.stderr).toContain('2 unknown projects in also_in; nothing was sent to GitLab.');
  });

  it('reads back an enable whose answer was lost instead of sending it again', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web]', KEEP_OTHERS));
    fake.inject({ method: 'POST', path: '/projects/101/runners', times: 1, fault: { kind: 'lost-response' } });
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('(enabled in acme/web (answer lost; read back))');
    expect(writes(fake)).toEqual(['POST /projects/101/runners']);
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web']);
  });

  it('counts GitLab\'s "already been taken" answer as done: a saved plan applied after someone else enabled the runner', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web]', KEEP_OTHERS));
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    const other = await fetch(`${fake.url}/api/v4/projects/101/runners`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': OWNER, 'content-type': 'application/json' },
      body: '{"runner_id":5}',
    });
    expect(other.status).toBe(201);
    fake.resetStats();
    const apply = await cli(['apply', '--auto-approve', 'plan.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('(enabled in acme/web (already))');
    expect(writes(fake)).toEqual(['POST /projects/101/runners']);
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web']);
  });

  it('says so instead of disabling a project the token cannot see, through both readers alike', async () => {
    writeFile(dir, 'runners.yaml', file('', '      - description: multi\n        also_in: []\n      - description: locked-pool\n'));
    const plan = await cli(['plan', '--detailed-exitcode'], SOLO);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      'project["acme/api"].runner["multi"]: GitLab says runner #6 is enabled in 1 more project this token cannot see: they are not compared with also_in and stay as they are',
    );
    const rest = await cli(['plan', '--api', 'rest', '--format', 'json'], SOLO);
    expect(withoutRestExpiry(rest.stdout)).toBe((await cli(['plan', '--format', 'json'], SOLO)).stdout);
    expect((await cli(['apply', '--auto-approve'], SOLO)).code).toBe(0);
    expect(writes(fake)).toEqual([]);
    expect(projectsOf(6)).toEqual(['acme/api', 'acme/legacy']);
  });

  it('creates a new runner first, then enables it in the other projects', async () => {
    writeFile(dir, 'runners.yaml', file('', KEEP_OTHERS + '      - description: fresh\n        tag_list: [f]\n        also_in: [acme/web, 102]\n'));
    const plan = await cli(['plan']);
    expect(plan.stdout).toContain('  # project["acme/api"].runner["fresh"] will be created');
    expect(plan.stdout).toContain('    }\n  # projects besides its owner project (also_in):\n  + enable in acme/web\n  + enable in acme/worker\n');
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const sent = writes(fake);
    expect(sent[0]).toBe('POST /user/runners');
    expect(sent.slice(1).sort()).toEqual(['POST /projects/101/runners', 'POST /projects/102/runners']);
    const fresh = fake.runners().find((r) => r.description === 'fresh')!;
    expect(fresh.projects).toEqual(['acme/api', 'acme/web', 'acme/worker']);
    expect((await cli(['plan', '--detailed-exitcode', '--tokens-out', 'tokens.json'])).code).toBe(0);
    expect(secretsIn(apply.stdout + apply.stderr)).toEqual([]);
  });

  it('a create whose answer was lost, recovered, then refused an enable: one FAILED line naming the runner and where its token went, never "reset it"', async () => {
    writeFile(dir, 'runners.yaml', file('', KEEP_OTHERS + '      - description: fresh\n        also_in: [acme/web]\n'));
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'lost-response' } });
    fake.inject({ method: 'POST', path: /^\/projects\/101\/runners$/, times: 5, fault: { kind: 'status', status: 403, body: '{"message":"403 Forbidden"}' } });
    const apply = await cli(['apply', '--auto-approve', '--tokens-out', 'tokens.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    const fresh = fake.runners().filter((r) => r.description === 'fresh');
    expect(fresh).toHaveLength(1);
    const id = fresh[0]!.id;
    const failed = apply.stdout.split('\n').filter((l) => l.startsWith('project["acme/api"].runner["fresh"]: FAILED'));
    expect(failed, apply.stdout).toHaveLength(1);
    expect(failed[0]).toContain(`[id=${id}] (answer was lost; token recovered by reset)`);
    expect(apply.stdout).not.toContain('has no stored token');
    expect(apply.stdout).not.toContain('reset_authentication_token');
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string }[];
    expect(tokens.find((t) => t.id === id)?.token).toBe(fake.runnerToken(id));
    expect(secretsIn(apply.stdout + apply.stderr)).toEqual([]);
  });

  it('predicts the refusal of an enable in a project where the token is only a Developer, and sends nothing', async () => {
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web]', KEEP_OTHERS));
    const plan = await cli(['plan'], DEV);
    expect(plan.stdout).toContain('  + enable in acme/web\n      # GitLab will refuse this: this token needs the Maintainer role on project acme/web to enable runners there\n');
    // The role was read, not guessed: GitLab's own rule (GET /projects/:id/runners) answered 403.
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/projects/101/runners' && r.status === 403)).toBe(true);
    const rest = await cli(['plan', '--api', 'rest', '--format', 'json'], DEV);
    expect(withoutRestExpiry(rest.stdout)).toBe((await cli(['plan', '--format', 'json'], DEV)).stdout);
    expect((await cli(['apply', '--auto-approve'], DEV)).code).not.toBe(0);
    expect(writes(fake)).toEqual([]);
  });

  it('a project of another organization: not predicted (no API shows a project\'s organization), GitLab\'s refusal is a clean FAILED line naming the project', async () => {
    // assign_runner_service.rb refuses a project whose organization is not the owner project's.
    const seed = shareSeed();
    seed.groups!.push({ id: 20, full_path: 'globex', organization_id: 2 });
    seed.projects!.push({ id: 200, path_with_namespace: 'globex/web' });
    seed.users.find((u) => u.username === 'owner')!.projects = { 'globex/web': 'maintainer' };
    await fake.close();
    fake = await startFakeGitLab(seed);
    writeFile(dir, 'runners.yaml', file('\n        also_in: [acme/web, globex/web]', KEEP_OTHERS));
    const plan = await cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('  + enable in acme/web\n  + enable in globex/web\n');
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    const failed = apply.stdout.split('\n').filter((l) => l.includes('FAILED'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('project["acme/api"].runner["e2e-pool"]: FAILED');
    expect(failed[0]).toContain('globex/web');
    expect(failed[0]).toContain('runner can only be assigned to projects in the same organization');
    // The other enable went through; the next plan shows only the refused one again.
    expect(projectsOf(5)).toEqual(['acme/api', 'acme/web']);
    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(2);
    expect(again.stdout).toContain('  + enable in globex/web\n');
    expect(again.stdout).not.toContain('enable in acme/web');
    expect(secretsIn(plan.stdout + plan.stderr + apply.stdout + apply.stderr)).toEqual([]);
  });

  it('refuses also_in on a runner declared under a project that only borrows it, naming the owner project', async () => {
    writeFile(dir, 'runners.yaml', 'version: 1\nprojects:\n  - path: acme/legacy\n    runners:\n      - description: multi\n        also_in: [acme/api]\n');
    const plan = await cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      'runners.yaml:5:9: runner "multi" (#6) is enabled in project acme/legacy but owned by project acme/api: declare it under its owner project, with acme/legacy in also_in',
    );
    expect(writes(fake)).toEqual([]);
  });
});
