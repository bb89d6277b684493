// The spawned (bundled) CLI against an https:// GitLab: a TLS server on 127.0.0.1 with a
// private certificate in front of the fake, as most GitLabs are reached. The bundle replaces
// parts of got it never uses (scripts/bundle.mjs): plan and apply must still work over TLS,
// directly and through an HTTPS_PROXY tunnel, and refuse a certificate nobody vouched for.
import { readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';
import { startConnectProxy } from '../support/connect-proxy.js';

const FIXTURES = fileURLToPath(new URL('../gitlab/fixtures/', import.meta.url));
const CA_FILE = join(FIXTURES, 'server-cert.pem');

/** TLS on 127.0.0.1 in front of the fake's plain HTTP port (the certificate names 127.0.0.1 and localhost). */
async function startTlsFront(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer(
    { key: readFileSync(join(FIXTURES, 'server-key.pem')), cert: readFileSync(CA_FILE) },
    (client) => {
      const upstream = netConnect(Number(port), '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => {}); // the untrusted-certificate run hangs up mid-handshake
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let fake: FakeGitLab;
let front: Awaited<ReturnType<typeof startTlsFront>>;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  front = await startTlsFront(fake.url);
  dir = tempDir();
  writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: over-tls\n        tag_list: [tls]\n');
});
afterEach(async () => {
  await front.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an https:// GitLab', () => {
  it('plans and applies with --ca-file (GraphQL and REST), and the next plan has no changes', async () => {
    const env = { GITLAB_URL: front.url, GITLAB_TOKEN: OWNER_TOKEN };
    const plan = await runCli(['plan', '--ca-file', CA_FILE], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('group["acme/platform"].runner["over-tls"] will be created');
    const rest = await runCli(['plan', '--ca-file', CA_FILE, '--api', 'rest'], { cwd: dir, env });
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain('runner["over-tls"] will be created');

    const apply = await runCli(['apply', '--auto-approve', '--ca-file', CA_FILE, '--tokens-out', 'tokens.json'], { cwd: dir, env });
    expect(apply.code, apply.stderr).toBe(0);
    const made = fake.runners().find((r) => r.description === 'over-tls');
    expect(made?.tag_list).toEqual(['tls']);
    const stored = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token: string }[];
    expect(stored.find((e) => e.id === made!.id)?.token).toBe(fake.runnerToken(made!.id));

    const again = await runCli(['plan', '--ca-file', CA_FILE, '--detailed-exitcode'], { cwd: dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(secretsIn(plan.stdout + plan.stderr + apply.stdout + apply.stderr + again.stdout + again.stderr)).toEqual([]);
  }, 60_000);

  it('goes through an HTTPS_PROXY tunnel', async () => {
    const proxy = await startConnectProxy();
    try {
      const env = { GITLAB_URL: front.url, GITLAB_TOKEN: OWNER_TOKEN, HTTPS_PROXY: proxy.url, NO_PROXY: '' };
      const r = await runCli(['plan', '--ca-file', CA_FILE], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('runner["over-tls"] will be created');
      expect(new Set(proxy.targets)).toEqual(new Set([new URL(front.url).host]));
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('refuses a certificate it cannot verify, naming the URL and --ca-file, and sends nothing', async () => {
    fake.resetStats();
    const r = await runCli(['plan'], { cwd: dir, env: { GITLAB_URL: front.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(front.url);
    expect(r.stderr).toMatch(/certificate.*--ca-file/);
    expect(fake.requests).toEqual([]);
  }, 60_000);
});
