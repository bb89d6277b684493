// Terraform users' spellings: -auto-approve, -detailed-exitcode, -target, -out work as the
// double-dash options; `-o json` asks whether --format was meant instead of writing a file `json`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, writeFile, writes } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: platform-docker
        tag_list: [docker]
      - description: platform-arm
        tag_list: [arm64]
`;

describe("Terraform's single-dash options", () => {
  let fake: FakeGitLab;
  let dir: string;
  freshFakeAndDir((f, d) => {
    fake = f;
    dir = d;
  });
  const env = () => ({ GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN });

  it('plan -detailed-exitcode exits 2 on changes, like --detailed-exitcode', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    const r = await runCli(['plan', '-detailed-exitcode'], { cwd: dir, env: env() });
    expect(r.stderr).not.toContain('unknown option');
    expect(r.code).toBe(2);
  });

  it('plan -out FILE and -target ADDRESS save a targeted plan; apply -auto-approve -target applies it', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    const target = 'group["acme/platform"].runner["platform-docker"]';
    const plan = await runCli(['plan', '-target', target, '-out', 'plan.json'], { cwd: dir, env: env() });
    expect(plan.code, plan.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { changes: { address: string }[] };
    expect(saved.changes.map((c) => c.address)).toEqual([target]);
    const apply = await runCli(['apply', '-auto-approve', `-target=${target}`, '--tokens-out', 'tokens.json'], { cwd: dir, env: env() });
    expect(apply.code, apply.stderr).toBe(0);
    expect(writes(fake).filter((w) => /^POST \S*\/user\/runners$/.test(w))).toHaveLength(1);
    expect(writes(fake).filter((w) => w.startsWith('POST'))).toHaveLength(1);
  });

  it('plan -o json asks whether --format was meant, and writes no file', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    for (const args of [['plan', '-o', 'json'], ['plan', '-omarkdown'], ['plan', '-o=text']]) {
      const r = await runCli(args, { cwd: dir, env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/did you mean --format (json|markdown|text)\?/);
    }
    expect(readdirSync(dir).sort()).toEqual(['runners.yaml']);
    expect(fake.requests).toEqual([]);
    // A real file name still works with -o.
    const ok = await runCli(['plan', '-o', 'plan.json'], { cwd: dir, env: env() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(dir, 'plan.json'))).toBe(true);
  });

  it('leaves values and everything after -- alone', async () => {
    writeFile(dir, 'runners.yaml', DESIRED);
    const r = await runCli(['validate', '--', '-target'], { cwd: dir });
    expect(r.stderr).toContain('-target'); // a file named -target, not --target
    expect(r.stderr).not.toContain('--target');
  });
});
