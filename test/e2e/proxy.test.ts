// The spawned CLI through a real HTTP CONNECT proxy on 127.0.0.1 (HTTP_PROXY
// for an http:// GitLab; hpagent tunnels with CONNECT as for https).
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

/** A CONNECT proxy that records each tunnel's target and refuses anything else. */
async function startConnectProxy(): Promise<{ url: string; targets: string[]; close: () => Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head) => {
    targets.push(req.url ?? '');
    sockets.add(client);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  };
}

let fake: FakeGitLab;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
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
