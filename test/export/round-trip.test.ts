// `runnerform export` end to end: the built CLI against the fake GitLab over
// HTTP, then `validate` and `plan --detailed-exitcode` on what it wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, secretsIn, tempDir, type CliResult } from '../e2e/harness.js';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';

const ADMIN = 'glpat-export-admin-0000000000';
const OWNER = 'glpat-export-owner-0000000000';
const NOTE = 'owned by team platform\nescalate: #platform-oncall\n  runbook: https://wiki.example.com/runners';

function seed(): Seed {
  return {
    users: [
      { id: 1, username: 'root', admin: true },
      { id: 2, username: 'owner', groups: { acme: 'owner' } },
    ],
    tokens: [
      { token: ADMIN, user: 'root', scopes: ['api'] },
      { token: OWNER, user: 'owner', scopes: ['read_api'] },
    ],
    groups: [
      { id: 10, full_path: 'acme' },
      { id: 11, full_path: 'acme/platform' },
      { id: 12, full_path: 'acme/data' },
    ],
    projects: [
      { id: 100, path_with_namespace: 'acme/platform/api' },
      { id: 101, path_with_namespace: 'acme/data/etl' },
    ],
    runners: [
      { id: 1, runner_type: 'instance_type', description: 'shared-large', tag_list: ['shared', 'large'], maximum_timeout: 7200 },
      { id: 2, runner_type: 'instance_type', description: 'shared-small', run_untagged: true },
      // Seen by acme/platform as inherited: must not be exported for it.
      { id: 3, runner_type: 'group_type', group: 'acme', description: 'acme-wide', tag_list: ['acme'] },
      {
        id: 10,
        runner_type: 'group_type',
        group: 'acme/platform',
        description: 'platform-docker-amd64',
        tag_list: ['docker', 'amd64'],
        run_untagged: false,
        maximum_timeout: 3600,
        maintenance_note: NOTE,
      },
      {
        id: 11,
        runner_type: 'group_type',
        group: 'acme/platform',
        description: 'platform-docker-arm64',
        tag_list: ['arm64', 'docker'],
        run_untagged: false,
        paused: true,
        access_level: 'ref_protected',
        maximum_timeout: 3600,
      },
      // Same description as runner 10: only the lowest id is exported.
      { id: 12, runner_type: 'group_type', group: 'acme/platform', description: 'platform-docker-amd64', tag_list: ['old'] },
      { id: 20, runner_type: 'group_type', group: 'acme/data', description: 'data-gpu', tag_list: ['gpu'], locked: true },
      { id: 30, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-e2e', tag_list: ['e2e'], maintenance_note: 'e2e only' },
      // Owned by acme/data/etl, borrowed by acme/platform/api: exported for etl only.
      { id: 31, runner_type: 'project_type', projects: ['acme/data/etl', 'acme/platform/api'], description: 'etl-batch', locked: true },
    ],
  };
}

let fake: FakeGitLab;
let dir: string;

beforeAll(async () => {
  fake = await startFakeGitLab(seed());
  dir = tempDir('runnerform-export-');
});
afterAll(() => fake?.close());

function cli(args: string[], token = ADMIN): Promise<CliResult> {
  return runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: token } });
}

function expectNoSecrets(r: CliResult): void {
  expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
}

const ALL_SCOPES = ['--group', 'acme/platform', '--group', 'acme/data', '--project', 'acme/platform/api', '--project', 'acme/data/etl', '--instance'];

describe('runnerform export', () => {
  it('round-trips: export, then validate and plan show no changes', async () => {
    const file = join(dir, 'runners.yaml');
    const exported = await cli(['export', ...ALL_SCOPES, '-o', file]);
    expectNoSecrets(exported);
    expect(exported.stderr).toContain(`Exported 7 runners from 5 scopes to ${file}.`);
    expect(exported.stderr).toContain('1 runner not exported');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe('');

    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./runners.schema.json');
    const doc = load(text) as any;
    expect(doc.groups.map((g: any) => g.path)).toEqual(['acme/data', 'acme/platform']);
    expect(doc.projects.map((p: any) => p.path)).toEqual(['acme/data/etl', 'acme/platform/api']);
    const platform = doc.groups[1].runners;
    expect(platform.map((r: any) => r.description)).toEqual(['platform-docker-amd64', 'platform-docker-arm64']);
    expect(platform[0]).toMatchObject({ tag_list: ['amd64', 'docker'], maintenance_note: NOTE });
    expect(platform[1]).toMatchObject({ paused: true, access_level: 'ref_protected', maximum_timeout: 3600 });
    expect(doc.instance.runners.map((r: any) => r.description)).toEqual(['shared-large', 'shared-small']);
    expect(doc.projects[1].runners.map((r: any) => r.description)).toEqual(['api-e2e']);

    const validated = await cli(['validate', '-f', file]);
    expect(validated.stderr + validated.stdout).not.toMatch(/error/i);
    expect(validated.code).toBe(0);

    const planned = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expectNoSecrets(planned);
    expect(planned.stdout).toContain('No changes');
    expect(planned.code).toBe(0);
  });

  it('writes the same YAML to stdout when no -o is given', async () => {
    const file = join(dir, 'again.yaml');
    await cli(['export', ...ALL_SCOPES, '-o', file]);
    const r = await cli(['export', ...ALL_SCOPES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(file, 'utf8'));
    expect(r.stderr).toContain('Exported 7 runners from 5 scopes.');
  });

  it('exports group and project runners with a read_api group Owner token', async () => {
    const file = join(dir, 'owner.yaml');
    const r = await cli(['export', '--group', 'acme/data', '--project', 'acme/data/etl', '-o', file], OWNER);
    expectNoSecrets(r);
    expect(r.stderr).toContain(`Exported 2 runners from 2 scopes to ${file}.`);
    expect(r.code).toBe(0);
    const planned = await cli(['plan', '-f', file, '--detailed-exitcode'], OWNER);
    expect(planned.stdout).toContain('No changes');
    expect(planned.code).toBe(0);
  });

  it('needs at least one scope', async () => {
    const r = await cli(['export']);
    expect(r.stderr).toContain('name at least one scope to export');
    expect(r.code).toBe(1);
  });

  it('fails cleanly for an unknown group, without leaking the token', async () => {
    const r = await cli(['export', '--group', 'acme/nope']);
    expectNoSecrets(r);
    expect(r.stderr).toMatch(/acme\/nope/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });
});
