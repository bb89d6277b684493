// `npm run demo` (after its build step) must run the whole story and exit 0,
// with the tokens in the file it names and never on the screen.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runNode, secretsIn } from './harness.js';

const DEMO = fileURLToPath(new URL('../../dist/test/demo/main.js', import.meta.url));

function runDemo() {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.GITLAB_URL;
  delete env.GITLAB_TOKEN;
  return runNode(DEMO, [], { env });
}

describe('npm run demo', () => {
  it('validates, plans, applies and plans again with no changes', async () => {
    const r = await runDemo();
    expect(r.code, r.stderr).toBe(0);
    const steps = r.stdout.split('$ runnerform ').slice(1);
    expect(steps.map((s) => s.split('\n')[0].replace(/\x1b\[[0-9;]*m/g, '').split(' ')[0])).toEqual(['validate', 'plan', 'apply', 'plan']);
    expect(steps[1]).toMatch(/Plan: 1 to create, 2 to update, 0 to delete \(2 unchanged, 1 unmanaged\)\./);
    expect(steps[2]).toContain('Apply complete: 1 created, 2 updated, 0 deleted.');
    expect(steps[3]).toContain('No changes. GitLab matches runners.yaml.');

    const tokensFile = /tokens are in (\S+) \(mode 0600\)/.exec(r.stdout)?.[1];
    expect(tokensFile).toBeDefined();
    // The demo keeps the file for its user to look at; the test removes it.
    onTestFinished(() => rmSync(dirname(tokensFile!), { recursive: true, force: true }));
    expect(statSync(tokensFile!).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(tokensFile!, 'utf8')) as { token: string }[];
    expect(tokens.map((t) => t.token)).toEqual([expect.stringMatching(/^glrt-/)]);
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
  });
});
