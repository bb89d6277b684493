// Connection problems as a user meets them: the spawned CLI names the GitLab
// it talks to first, and every connection error names the URL and the cause.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, e2eSeed, runCli, secretsIn, tempDir, writeFile } from './harness.js';

const DESIRED = `version: 1
groups:
  - path: acme/platform
    runners: []
projects:
  - path: acme/platform/api
    runners: []
`;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await startFakeGitLab(e2eSeed());
  dir = tempDir();
  writeFile(dir, 'runners.yaml', DESIRED);
});
afterEach(async () => {
  await fake.close();
});

const cli = (args: string[], env: Record<string, string>) => runCli(args, { cwd: dir, env: { GITLAB_TOKEN: OWNER_TOKEN, ...env } });
const firstLine = (text: string) => text.split('\n')[0];

describe('the GitLab a command talks to', () => {
  it('is the first line on stderr of plan, apply and export, with where the URL came from', async () => {
    const plan = await cli(['plan'], { GITLAB_URL: fake.url });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toBe(`GitLab: ${fake.url} (from GITLAB_URL)\n`);
    const apply = await cli(['apply', '--auto-approve', '--gitlab-url', fake.url], { CI_SERVER_URL: 'http://127.0.0.1:1' });
    expect(firstLine(apply.stderr)).toBe(`GitLab: ${fake.url} (from --gitlab-url)`);
    const exp = await cli(['export', '--group', 'acme/platform'], { CI_SERVER_URL: fake.url });
    expect(exp.code, exp.stderr).toBe(0);
    expect(firstLine(exp.stderr)).toBe(`GitLab: ${fake.url} (from CI_SERVER_URL)`);
  }, 60_000);

  it('says that it defaulted to gitlab.com when no URL was given (reached here only through a dead local proxy)', async () => {
    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const r = await cli(['plan'], { HTTPS_PROXY: proxy, NO_PROXY: '' });
    expect(r.code).toBe(1);
    expect(firstLine(r.stderr)).toBe('GitLab: https://gitlab.com (the default: no --gitlab-url, GITLAB_URL or CI_SERVER_URL was given)');
    expect(r.stderr).toContain(`Could not reach the proxy ${proxy}/`);
  });

  it('--debug prints the API and GraphQL URLs before the first request', async () => {
    const r = await cli(['plan', '--debug'], { GITLAB_URL: fake.url });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.slice(0, 2)).toEqual([`GitLab: ${fake.url} (from GITLAB_URL)`, `[debug] API ${fake.url}/api/v4, GraphQL ${fake.url}/api/graphql`]);
    // The GraphQL read (the default): what each request asks and its estimated complexity, then the request.
    expect(lines[2]).toMatch(/^\[debug\] graphql group acme\/platform.*\(complexity ≈ \d+, \d+ chars\)$/);
    expect(lines[3]).toMatch(/^\[debug\] POST \/api\/graphql 200 \d+ms$/);
    expect(secretsIn(r.stderr)).toEqual([]);
  });
});

describe('connection errors', () => {
  it('a refused port: names the URL, fails after one retry', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await cli(['plan', '--debug'], { GITLAB_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Error: Could not connect to GitLab at ${url} to read the runners of the declared scopes.*ECONNREFUSED.* after 2 attempts: nothing accepts connections on 127\\.0\\.0\\.1:\\d+\\. Check --gitlab-url`));
    // The scopes are read in parallel: each request is retried once at most (not 4 times).
    const retries = r.stderr.match(/\[debug\] +retry \d\/\d of POST \/api\/graphql\b/g) ?? [];
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((l) => l.includes('retry 1/'))).toBe(true);
  });

  it('a wrong URL root: "not a GitLab API", not "group not found"', async () => {
    const url = `${fake.url}/gitlab`;
    const r = await cli(['plan'], { GITLAB_URL: url });
    expect(r.code).toBe(1);
    // Scopes are read in parallel: whichever 404 comes first is reported.
    expect(r.stderr).toMatch(
      /Error: http:\/\/127\.0\.0\.1:\d+\/gitlab is not a GitLab API: its API root answered 404 \(trying to read (group acme\/platform|project acme\/platform\/api): GET \/(groups|projects)\/acme%2Fplatform(%2Fapi)? → 404\)\. Check --gitlab-url/,
    );
    expect(r.stderr).toContain(`Error: ${url} is not a GitLab API`);
    expect(r.stderr).not.toMatch(/not found or not visible/);
    // Reads only (GraphQL queries at the wrong root are reads too).
    expect(fake.requests.filter((q) => q.method !== 'GET' && !q.path.endsWith('/api/graphql'))).toEqual([]);
  });

  // The REST API answers, so this is a GitLab without GraphQL: the read falls back to REST, which
  // still needs GraphQL for a project runner's owner — that is what the error must say, with the URL.
  it('a 404 on /api/graphql: one line, REST, then project runners\' owners unreadable (with the URL) — not "runner not found"', async () => {
    fake.inject({ method: 'POST', path: '/api/graphql', times: 10, fault: { kind: 'status', status: 404 } });
    const r = await cli(['plan'], { GITLAB_URL: fake.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('runnerform: GitLab answered 404 to /api/graphql; reading the runners through the REST API instead (--api rest).');
    expect(r.stderr).toContain(`Error: Cannot read the project runners of the GitLab at ${fake.url}: GitLab answered 404 to /api/graphql`);
    expect(r.stderr).not.toMatch(/Runner #\d+ not found/i);
  });

  it('https on an http port: "is this an http port?"', async () => {
    const url = fake.url.replace('http://', 'https://');
    const r = await cli(['plan'], { GITLAB_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Could not speak TLS with GitLab at ${url}`);
    expect(r.stderr).toContain('is this an http port?');
  });
});
