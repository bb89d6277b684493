// apply and rotate take the tokens file's lock before they read GitLab: another apply
// finishing between this one's read and its lock would leave it applying a stale plan
// (a second create of the runner the other one just made). The lock is held here by a
// live process (this test), so the CLI must stop before it asks GitLab anything.
import { describe, expect, it } from 'vitest';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir, runCli, writeFile } from './harness.js';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
  writeFile(d, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: pool\n');
  writeFile(d, 'tokens.json', '[]\n');
  writeFile(d, 'tokens.json.lock', JSON.stringify({ pid: process.pid, start: null, nonce: 'this-test' }) + '\n');
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN } });

describe('the tokens file lock comes before the plan', () => {
  it.each([
    ['apply', ['apply', '--auto-approve', '--tokens-out', 'tokens.json']],
    ['rotate', ['rotate', '--auto-approve', '--tokens-out', 'tokens.json', 'group["acme/platform"].runner["pool"]']],
  ])('%s waits for no plan: another runnerform holding the tokens file stops it before GitLab is read', async (_name, args) => {
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another runnerform (pid ${process.pid}) is using the tokens file`);
    expect(r.stderr).toContain('Nothing was changed.');
    await fake.settled();
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([]);
    expect(fake.runners().filter((x) => x.description === 'pool')).toEqual([]);
  }, 60_000);
});
