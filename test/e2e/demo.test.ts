// `npm run demo` (after its build step) must run the whole story and exit 0,
// with the tokens in the file it names and never on the screen.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runNode, secretsIn } from './harness.js';

const DEMO = fileURLToPath(new URL('../../dist/test/demo/main.js', import.meta.url));

const ANSI = /\x1b\[[0-9;]*m/;

function runDemo(args: string[] = [], extra: NodeJS.ProcessEnv = { NO_COLOR: '1' }) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.GITLAB_URL;
  delete env.GITLAB_TOKEN;
  if (!('FORCE_COLOR' in extra)) delete env.FORCE_COLOR;
  return runNode(DEMO, args, { env });
}

function removeTokensFile(stdout: string): void {
  const tokensFile = /tokens are in (\S+) \(mode 0600\)/.exec(stdout)?.[1];
  if (tokensFile) rmSync(dirname(tokensFile), { recursive: true, force: true });
}

describe('npm run demo', () => {
  it('validates, plans, applies and plans again with no changes', async () => {
    const r = await runDemo();
    expect(r.code, r.stderr).toBe(0);
    // NO_COLOR, and a pipe: not one escape code, from the demo or from the commands it runs.
    expect(r.stdout + r.stderr).not.toMatch(ANSI);
    const steps = r.stdout.split('$ runnerform ').slice(1);
    expect(steps.map((s) => (s.split('\n')[0] ?? '').replace(/\x1b\[[0-9;]*m/g, '').split(' ')[0])).toEqual(['validate', 'plan', 'apply', 'plan']);
    expect(steps[1]).toMatch(/Plan: 1 to create, 2 to update, 0 to delete \(2 unchanged, 1 unmanaged\)\./);
    expect(steps[2]).toContain('Apply complete: 1 created, 2 updated, 0 deleted.');
    expect(steps[3]).toContain('No changes. GitLab matches runners.yaml.');

    const tokensFile = /tokens are in (\S+) \(mode 0600\)/.exec(r.stdout)?.[1];
    expect(tokensFile).toBeDefined();
    // The demo keeps the file for its user to look at; the test removes it.
    onTestFinished(() => removeTokensFile(r.stdout));
    expect(statSync(tokensFile!).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(tokensFile!, 'utf8')) as { token: string }[];
    expect(tokens.map((t) => t.token)).toEqual([expect.stringMatching(/^glrt-/)]);
    expect(secretsIn(r.stdout + r.stderr)).toEqual([]);
  });

  it('colours like the CLI: --color always colours the demo and its commands even when piped', async () => {
    const r = await runDemo(['--color', 'always'], { NO_COLOR: '1' });
    onTestFinished(() => removeTokensFile(r.stdout));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\x1b[1m$ runnerform plan --detailed-exitcode\x1b[0m');
    expect(r.stdout).toMatch(/\x1b\[32m\+\x1b\[0m/); // the plan's own colours
  }, 120_000);
});
