// `*.localhost` names count as loopback, so the token may travel to them over plain http
// (issue 13, item 14): they must then reach loopback, whatever a resolver says. The
// resolver is made to lie with a private /etc/hosts in a mount namespace of its own
// (`unshare -m`, root only): gitlab.localhost → 192.0.2.1, a documentation address.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { localhostLookup } from '../../src/gitlab/localhost-lookup.js';
import { CLI, OWNER_TOKEN, freshFakeAndDir, writeFile, type CliResult } from './harness.js';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import type { LookupAddress } from 'node:dns';

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

function lookupAll(hostname: string, family?: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    localhostLookup(hostname, { all: true, family }, (err, addresses) => (err ? reject(err) : resolve(addresses as unknown as LookupAddress[]))),
  );
}

describe('localhostLookup', () => {
  it('answers loopback addresses for *.localhost names without asking any resolver', async () => {
    expect(await lookupAll('gitlab.localhost')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await lookupAll('A.B.LOCALHOST.', 4)).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(await lookupAll('gitlab.localhost', 6)).toEqual([{ address: '::1', family: 6 }]);
  });
});

/** Runs the CLI with /etc/hosts replaced, for it alone, by `hosts`. */
function runWithHosts(hostsFile: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const script = 'mount --bind "$1" /etc/hosts && shift && exec "$@"';
    const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', hostsFile, process.execPath, CLI, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe.skipIf(!canUnshare)('a GitLab URL under .localhost, with a resolver that names another host (needs root and unshare -m; skipped otherwise)', () => {
  let fake: FakeGitLab;
  let dir: string;
  freshFakeAndDir((f, d) => {
    fake = f;
    dir = d;
  });

  it('is reached on loopback: the token never goes to the address the resolver gave', async () => {
    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners: []\n');
    const hosts = writeFile(dir, 'hosts', '127.0.0.1 localhost\n192.0.2.1 gitlab.localhost\n');
    const url = fake.url.replace('127.0.0.1', 'gitlab.localhost');
    const env = { PATH: process.env.PATH, NO_COLOR: '1', GITLAB_URL: url, GITLAB_TOKEN: OWNER_TOKEN };
    // The namespace really lies: the system resolver answers 192.0.2.1.
    const probe = await new Promise<string>((resolve) => {
      const c = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" /etc/hosts && getent hosts gitlab.localhost', 'sh', hosts]);
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', () => resolve(out));
    });
    expect(probe).toMatch(/^192\.0\.2\.1\s+gitlab\.localhost/);

    const r = await runWithHosts(hosts, ['plan'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`GitLab: ${url} (from GITLAB_URL)`);
    expect(fake.requests.length).toBeGreaterThan(0);
  }, 60_000);
});
