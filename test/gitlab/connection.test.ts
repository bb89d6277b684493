// Connection flags, token handling, TLS with --ca-file, HTTPS_PROXY, and the progress line.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { addConnectionOptions, connect, resolveGitLabUrl, resolveToken } from '../../src/cli/connection.js';
import { UserError } from '../../src/errors.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { GitLabError } from '../../src/gitlab/errors.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, baseSeed } from './seeds.js';
import { tempDir } from '../temp.js';
import { startConnectProxy as startSharedProxy, type ConnectProxy } from '../support/connect-proxy.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CERT = readFileSync(join(fixtures, 'server-cert.pem'), 'utf8');
const KEY = readFileSync(join(fixtures, 'server-key.pem'), 'utf8');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function fails(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

function tmpFile(content: string): string {
  const dir = tempDir('runnerform-conn-');
  const file = join(dir, 'f');
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('resolveGitLabUrl', () => {
  it('takes --gitlab-url, else GITLAB_URL, else CI_SERVER_URL, else gitlab.com', () => {
    const env = { GITLAB_URL: 'https://env.example', CI_SERVER_URL: 'https://ci.example' };
    expect(resolveGitLabUrl({ gitlabUrl: 'https://flag.example/' }, env)).toBe('https://flag.example');
    expect(resolveGitLabUrl({}, env)).toBe('https://env.example');
    expect(resolveGitLabUrl({}, { CI_SERVER_URL: 'https://ci.example' })).toBe('https://ci.example');
    expect(resolveGitLabUrl({}, {})).toBe('https://gitlab.com');
  });
  it('keeps a relative URL root and drops a pasted /api/v4', () => {
    expect(resolveGitLabUrl({ gitlabUrl: 'https://git.example/gitlab/api/v4/' }, {})).toBe('https://git.example/gitlab');
  });
  it('refuses plain http to a non-loopback host unless --insecure-http', () => {
    expect(fails(() => resolveGitLabUrl({ gitlabUrl: 'http://gitlab.corp' }, {})).message).toMatch(/clear text.*--insecure-http/);
    expect(resolveGitLabUrl({ gitlabUrl: 'http://gitlab.corp', insecureHttp: true }, {})).toBe('http://gitlab.corp');
    expect(resolveGitLabUrl({ gitlabUrl: 'http://127.0.0.1:8080' }, {})).toBe('http://127.0.0.1:8080');
    expect(resolveGitLabUrl({ gitlabUrl: 'http://localhost' }, {})).toBe('http://localhost');
  });
  it('rejects what is not a URL', () => {
    expect(fails(() => resolveGitLabUrl({ gitlabUrl: 'gitlab.com' }, {})).message).toMatch(/not a valid URL/);
    expect(fails(() => resolveGitLabUrl({ gitlabUrl: 'ftp://x' }, {})).message).toMatch(/https:\/\//);
  });
});

describe('resolveToken', () => {
  it('reads GITLAB_TOKEN, or --token-file (trimmed)', () => {
    expect(resolveToken({}, { GITLAB_TOKEN: ' glpat-abc ' })).toBe('glpat-abc');
    expect(resolveToken({ tokenFile: tmpFile('glpat-fromfile\n') }, { GITLAB_TOKEN: 'glpat-env' })).toBe('glpat-fromfile');
  });
  it('explains a missing token and never accepts one on the command line', () => {
    expect(fails(() => resolveToken({}, {})).message).toMatch(/GITLAB_TOKEN.*--token-file/);
    const cli = fails(() => resolveToken({ token: 'glpat-oops-123456789' }, {}));
    expect(cli.message).toMatch(/does not take a token on the command line/);
    expect(cli.message).not.toContain('glpat-oops');
    expect(fails(() => resolveToken({ tokenFile: tmpFile('  \n') }, {})).message).toMatch(/empty/);
    expect(fails(() => resolveToken({ tokenFile: '/nonexistent/token' }, {})).message).toMatch(/cannot read token file.*ENOENT/);
  });
});

describe('addConnectionOptions', () => {
  const parse = (args: string[]) => {
    const cmd = addConnectionOptions(new Command('plan').exitOverride().configureOutput({ writeErr: () => {} }));
    cmd.parse(args, { from: 'user' });
    return cmd.opts();
  };
  it('adds the flags with a default parallelism of 8, GraphQL reads and a batch of 50', () => {
    expect(parse([])).toEqual({ parallelism: 8, api: 'graphql', graphqlBatch: 50 });
    expect(parse(['--api', 'rest', '--graphql-batch', '10'])).toMatchObject({ api: 'rest', graphqlBatch: 10 });
    expect(parse(['--gitlab-url', 'https://g.example', '--token-file', 'f', '--ca-file', 'ca.pem', '--insecure-http', '--parallelism', '3', '--debug'])).toEqual({
      gitlabUrl: 'https://g.example',
      tokenFile: 'f',
      caFile: 'ca.pem',
      insecureHttp: true,
      parallelism: 3,
      debug: true,
      api: 'graphql',
      graphqlBatch: 50,
    });
  });
  it('rejects a bad --api and --graphql-batch', () => {
    expect(() => parse(['--api', 'soap'])).toThrow(/graphql, rest/);
    expect(() => parse(['--graphql-batch', '101'])).toThrow(/1 to 100/);
  });
  it('rejects a bad --parallelism and hides --token from help', () => {
    expect(() => parse(['--parallelism', '0'])).toThrow(/1 to 64/);
    const help = addConnectionOptions(new Command('plan')).helpInformation();
    expect(help).toContain('--token-file');
    expect(help).not.toMatch(/--token </);
  });
});

describe('connect', () => {
  let fake: FakeGitLab;
  it('builds a client that reaches GitLab, with a redacted --debug log on stderr', async () => {
    fake = await startFakeGitLab(baseSeed());
    closers.push(() => fake.close());
    const stderr = new PassThrough();
    let out = '';
    stderr.on('data', (c: Buffer) => (out += c.toString()));
    const api = connect({ gitlabUrl: fake.url, debug: true, parallelism: '2' }, { GITLAB_TOKEN: OWNER_TOKEN }, stderr);
    expect((await api.currentUser()).username).toBe('alice');
    expect(out).toMatch(/^\[debug\] GET \/user 200 \d+ms$/m);
    expect(out).not.toContain(OWNER_TOKEN);
  });
  it('refuses an unreadable CA file', () => {
    expect(fails(() => connect({ caFile: '/nonexistent/ca.pem' }, { GITLAB_TOKEN: 'glpat-x' })).message).toMatch(/cannot read CA file/);
  });
});

/** A tiny HTTPS GitLab stand-in on 127.0.0.1 with the fixture certificate. */
async function startTlsGitLab(): Promise<{ url: string; server: HttpsServer }> {
  const server = createHttpsServer({ cert: CERT, key: KEY }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 1, username: 'tls-user' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        // The client keeps connections alive; do not wait for them to idle out.
        server.closeAllConnections();
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The shared CONNECT proxy, closed after the test. */
async function startConnectProxy(): Promise<ConnectProxy> {
  const proxy = await startSharedProxy();
  closers.push(() => proxy.close());
  return proxy;
}

describe('TLS and proxy', () => {
  it('trusts a private CA given with --ca-file, and explains an untrusted certificate', async () => {
    const gl = await startTlsGitLab();
    const opts = { gitlabUrl: gl.url, token: OWNER_TOKEN, env: {}, retry: { limit: 0 } };
    const err = await createGitLabClient(opts).currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabError);
    expect((err as GitLabError).message).toMatch(/TLS certificate.*--ca-file/);
    const user = await createGitLabClient({ ...opts, caFile: join(fixtures, 'server-cert.pem') }).currentUser();
    expect(user.username).toBe('tls-user');
  });

  it('goes through HTTPS_PROXY with CONNECT, unless NO_PROXY excludes the host', async () => {
    const gl = await startTlsGitLab();
    const proxy = await startConnectProxy();
    const caFile = join(fixtures, 'server-cert.pem');
    const host = new URL(gl.url).host;
    await createGitLabClient({ gitlabUrl: gl.url, token: OWNER_TOKEN, caFile, env: { HTTPS_PROXY: proxy.url } }).currentUser();
    expect(proxy.targets).toEqual([host]);
    await createGitLabClient({ gitlabUrl: gl.url, token: OWNER_TOKEN, caFile, env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } }).currentUser();
    expect(proxy.targets).toEqual([host]);
  });
});

describe('progress line', () => {
  const sink = (isTTY: boolean) => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = isTTY;
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString()));
    return { s, out: () => out };
  };
  it('draws scopes and runners read on a TTY and clears the line at the end', () => {
    const { s, out } = sink(true);
    let t = 0;
    const p = createProgress(s, { now: () => (t += 1000) });
    p.update({ scopesDone: 3, scopesTotal: 5, runnersDone: 120, runnersTotal: 240 });
    p.update({ scopesDone: 5, scopesTotal: 5, runnersDone: 240, runnersTotal: 240 });
    p.done();
    expect(out()).toBe(
      '\r\x1b[2KReading GitLab: 3/5 scopes, 120/240 runners\r\x1b[2KReading GitLab: 5/5 scopes, 240/240 runners\r\x1b[2K',
    );
    expect(progressLine({ scopesDone: 1, scopesTotal: 2, runnersDone: 0, runnersTotal: 9 })).toBe('Reading GitLab: 1/2 scopes, 0/9 runners');
  });
  it('stays silent when stderr is not a terminal', () => {
    const { s, out } = sink(false);
    const p = createProgress(s);
    p.update({ scopesDone: 1, scopesTotal: 1, runnersDone: 1, runnersTotal: 1 });
    p.done();
    expect(out()).toBe('');
  });
});
