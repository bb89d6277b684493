// The spawned CLI through a real HTTP CONNECT proxy on 127.0.0.1 (HTTP_PROXY
// for an http:// GitLab; hpagent tunnels with CONNECT as for https).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';

let fake: FakeGitLab;
let proxy: ConnectProxy;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  proxy = await startConnectProxy();
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: via-proxy\n');
});
afterEach(async () => {
  await proxy.close();
  await fake.close();
});

describe('through an HTTP CONNECT proxy', () => {
  it('plans through the tunnel; NO_PROXY sends it direct', async () => {
    const host = new URL(fake.url).host;
    const env = { GITLAB_URL: fake.url, GITLAB_TOKEN: OWNER_TOKEN, HTTP_PROXY: proxy.url, NO_PROXY: '' };
    const r = await runCli(['plan', '--debug'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('runner["via-proxy"] will be created');
    expect(proxy.targets.length).toBeGreaterThan(0);
    expect(new Set(proxy.targets)).toEqual(new Set([host]));
    expect(r.stderr).toContain(`[debug] proxy ${proxy.url}/ for ${fake.url}`);
    expect(secretsIn(r.stderr)).toEqual([]);

    const tunnels = proxy.targets.length;
    const direct = await runCli(['plan'], { cwd: dir, env: { ...env, NO_PROXY: '127.0.0.1' } });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxy.targets.length).toBe(tunnels);
  }, 60_000);
});
