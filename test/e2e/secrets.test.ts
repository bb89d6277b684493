// Tokens someone typed into GitLab itself (a runner's description, note or tag)
// never travel on into plans, plan files or exported files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const PASTED = 'glrt-t2_PastedIntoGitLab0123456789';

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  const seed = e2eSeed();
  seed.runners!.push(
    { id: 60, runner_type: 'group_type', group: 'acme/platform', description: `register with ${PASTED}` },
    { id: 61, runner_type: 'group_type', group: 'acme/platform', description: 'noted', maintenance_note: `token: ${PASTED}`, tag_list: [PASTED, 'docker'] },
  );
  fake = await startFakeGitLab(seed);
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    prune: true\n    runners:\n      - description: noted\n        paused: true\n');
});
afterEach(() => fake.close());

const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });

describe('tokens found in GitLab data', () => {
  it('are masked in JSON plans and plan files, and the saved plan still applies', async () => {
    const json = await runCli(['plan', '--format', 'json', '--out', 'plan.json'], { cwd: dir, env: env() });
    expect(json.code, json.stderr).toBe(0);
    const saved = readFileSync(join(dir, 'plan.json'), 'utf8');
    for (const text of [json.stdout, saved]) {
      expect(text).not.toContain(PASTED);
      expect(text).toContain('glrt-[REDACTED]');
    }
    const text = await runCli(['plan'], { cwd: dir, env: env() });
    expect(text.stdout).not.toContain(PASTED);

    const apply = await runCli(['apply', 'plan.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 0 created, 1 updated, 1 deleted.');
    expect(fake.runners().some((r) => r.id === 60)).toBe(false);
  });

  it('are left out of exported files, which still validate', async () => {
    const exp = await runCli(['export', '--group', 'acme/platform', '-o', 'exported.yaml'], { cwd: dir, env: env() });
    expect(exp.code, exp.stderr).toBe(0);
    const yaml = readFileSync(join(dir, 'exported.yaml'), 'utf8');
    expect(secretsIn(yaml)).toEqual([]);
    expect(yaml).toContain('looks like a GitLab token');
    const v = await runCli(['validate', '-f', 'exported.yaml'], { cwd: dir });
    expect(v.code, v.stderr).toBe(0);
  });
});
