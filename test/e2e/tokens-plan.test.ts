// `token:` destinations, renamed_from and health warnings through the spawned CLI:
// validate offline, plan against the fake GitLab, apply a rename in place.
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile, writes } from './harness.js';

const TOKENS = `version: 1
defaults:
  token:
    gitlab_variable:
      project: acme/infra/runner-fleet
      key: RUNNER_TOKEN_{description}
groups:
  - path: acme/platform
    runners:
      - description: docker-amd64
        tag_list: [docker]
      - description: gpu-a100
        tag_list: [gpu]
        token:
          command: ["vault", "kv", "put", "secret/runners/{description}", "token=-"]
      - description: build-2
        renamed_from: build
`;

let fake: FakeGitLab;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  const seed = e2eSeed();
  seed.groups!.push({ id: 14, full_path: 'acme/infra' });
  seed.projects!.push({ id: 102, path_with_namespace: 'acme/infra/runner-fleet' });
  seed.runners!.push(
    { id: 40, runner_type: 'group_type', group: 'acme/platform', description: 'build', tag_list: ['x'] },
    { id: 41, runner_type: 'group_type', group: 'acme/data', description: 'old-box', contacted_at: '2025-01-01T00:00:00.000Z', status: 'stale' },
  );
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN };
  writeFile(dir, 'runners.yaml', TOKENS);
});

afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env });

describe('validate', () => {
  it('accepts a file with token destinations and renamed_from, offline', async () => {
    const r = await runCli(['validate'], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: 'Valid: runners.yaml (1 group, 0 projects, 3 runners).\n', stderr: '' });
  });

  it('reports token problems as FILE:LINE:COL and never echoes a token', async () => {
    const token = 'glrt-AbCdEfGhIjKlMnOpQrStUv123';
    writeFile(
      dir,
      'bad.yaml',
      `version: 1
groups:
  - path: acme/platform
    runners:
      - description: a
        token:
          command: ["put", "${token}", "{desc}"]
      - description: b
        token:
          gitlab_variable: {project: acme/x, key: "K-{description}", protect: true}
`,
    );
    const r = await runCli(['validate', '-f', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'bad.yaml:7:28: this looks like a GitLab token (glpat-…/glrt-…): never put tokens in the desired state; remove it and revoke or reset that token',
      'bad.yaml:7:62: unknown placeholder {desc} in a command argument (did you mean {description}?); a command argument may use {description}, {id}, {scope}',
      'bad.yaml:10:51: `key` "K-{description}" has "-": GitLab allows only A-Z, a-z, 0-9 and _ in a variable key',
      'bad.yaml:10:70: unknown key `protect` (did you mean `protected`?)',
      '4 problems found.',
      '',
    ]);
    expect(secretsIn(r.stderr)).toEqual([]);
  });
});

describe('plan', () => {
  it('shows where each new token goes, the rename, and the warnings; never runs a sink', async () => {
    writeFile(dir, 'runners.yaml', `${TOKENS}  - path: acme/data\n    runners:\n      - description: old-box\n`);
    const r = await cli(['plan', '--detailed-exitcode']);
    expect(r.stderr).toBe(`GitLab: ${fake.url} (from GITLAB_URL)\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      '  # group["acme/platform"].runner["docker-amd64"] will be created\n  # token → CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet\n',
    );
    expect(r.stdout).toContain('  # token → command vault kv put secret/runners/gpu-a100 token=-\n');
    expect(r.stdout).toContain('      ~ description = "build" -> "build-2"\n');
    expect(r.stdout).toContain('\nWarnings:\n  group["acme/data"].runner["old-box"]: GitLab marks it stale (last contact 2025-01-01T00:00:00Z)');
    // build never contacted GitLab and RUNNER_TOKEN_BUILD_2 does not exist: the rename comes with a token reset (in one plan, not the next).
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Plan: 2 to create, 0 to update, 0 to delete, 1 token to reset (1 unchanged, 0 unmanaged).');
    expect(writes(fake)).toEqual([]);

    const json = await cli(['plan', '--format', 'json']);
    const plan = JSON.parse(json.stdout);
    // The variable RUNNER_TOKEN_OLD_BOX does not exist, but old-box has contacted GitLab: a warning, never a reset.
    expect(plan.warnings).toEqual([
      {
        address: 'group["acme/data"].runner["old-box"]',
        kind: 'stale',
        message: 'GitLab marks it stale (last contact 2025-01-01T00:00:00Z): its host may be gone or no longer hold a working token',
      },
      {
        address: 'group["acme/data"].runner["old-box"]',
        kind: 'contacted_without_token',
        message:
          'its CI/CD variable RUNNER_TOKEN_OLD_BOX of acme/infra/runner-fleet does not exist or names no runner, but it has contacted GitLab ' +
          `(last contact 2025-01-01T00:00:00Z), so runnerform does not reset its token; if its host has no working token, run: runnerform rotate 'group["acme/data"].runner["old-box"]'`,
      },
    ]);
    expect(plan.summary.token_reset).toBe(1);
    const byDescription = Object.fromEntries(plan.changes.map((c: { description: string }) => [c.description, c]));
    expect(byDescription['gpu-a100'].token).toEqual({ kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{description}', 'token=-'] });
    expect(byDescription['build-2']).toMatchObject({ action: 'token-reset', reason: 'undelivered_token', renamed_from: 'build', runner_id: 40, changed: [] });
  });

  it('applies a rename in place: same id, no create, no delete', async () => {
    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    prune: true\n    runners:\n      - description: build-2\n        renamed_from: [build]\n');
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(writes(fake)).toEqual(['PUT /runners/40']);
    expect(fake.runners().filter((r) => r.id === 40).map((r) => r.description)).toEqual(['build-2']);
    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No changes\./);
  });
});
