// Network and secret faults through the built CLI: a GitLab that redirects writes to
// another host, a server that echoes the token or sends terminal escapes, and a
// command destination whose environment holds the PAT under another name.
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { e2eSeed, freshFakeAndDir, OWNER_TOKEN, runCli, writeFile } from './harness.js';
import { listenLocal, type LocalServer, type SeenRequest } from '../support/local-server.js';

const RECORDER = fileURLToPath(new URL('../fixtures/sinks/record-sink.mjs', import.meta.url));
/** A PAT without a GitLab prefix (an OAuth token, a custom prefix): only its value identifies it. */
const CUSTOM_PAT = 'oauth2-5c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A local server (test/support/local-server.ts), closed after the test. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LocalServer> {
  const local = await listenLocal(handler);
  closers.push(() => local.close());
  return local;
}

/** Another host: answers every request as GitLab would answer a successful write. */
const otherHost = () => listen((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":999,"token":"glrt-t1_OtherHostToken0123456789","key":"X","value":null}'));

/** The fake GitLab behind a front that answers `redirect(req)` instead of forwarding when it returns a status. */
function front(redirect: (req: IncomingMessage) => number | null, location: string) {
  return listen((req, res, body) => {
    const status = redirect(req);
    if (status !== null) return void res.writeHead(status, { location: `${location}${req.url ?? ''}` }).end();
    const target = new URL(req.url ?? '/', fake.url);
    const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.end(body);
  });
}

const secretOf = (seen: SeenRequest[]) => JSON.stringify(seen);

describe('a GitLab that redirects a write to another host', () => {
  const yaml = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: docker
        token:
          gitlab_variable:
            project: acme/platform/api
            key: RUNNER_TOKEN_DOCKER
`;

  for (const status of [301, 302, 307, 308]) {
    it(`${status} on POST …/variables: the other host receives nothing, the token is kept, not marked delivered`, async () => {
      const other = await otherHost();
      const gl = await front((req) => (req.method === 'POST' && /\/variables$/.test(req.url ?? '') ? status : null), other.url);
      writeFile(dir, 'runners.yaml', yaml);
      const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: gl.url, GITLAB_TOKEN: OWNER_TOKEN } });
      expect(apply.code, apply.stdout + apply.stderr).toBe(1);
      const runner = fake.runners().find((r) => r.description === 'docker')!;
      const token = fake.runnerToken(runner.id);
      expect(other.seen).toEqual([]);
      expect(secretOf(other.seen)).not.toContain(token);
      expect(apply.stdout).toContain(`with a redirect (${status}) to ${other.url}/api/v4/projects/acme%2Fplatform%2Fapi/variables`);
      expect(apply.stdout).toContain('The token is kept in tokens.json');
      expect(apply.stdout + apply.stderr).not.toContain(token);
      const kept = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { id: number; token?: string; delivered?: boolean }[];
      expect(kept.find((t) => t.id === runner.id)).toMatchObject({ token, delivered: false });
      expect(fake.variable({ project: 'acme/platform/api' }, 'RUNNER_TOKEN_DOCKER')).toBeUndefined();
    });
  }

  for (const status of [301, 302, 307, 308]) {
    it(`${status} on POST /user/runners: nothing reaches the other host, no runner is created, apply fails`, async () => {
      const other = await otherHost();
      const gl = await front((req) => (req.method === 'POST' && req.url === '/api/v4/user/runners' ? status : null), other.url);
      writeFile(dir, 'runners.yaml', yaml);
      const before = fake.runners().length;
      const apply = await runCli(['apply', '--auto-approve', '--tokens-out', 'tokens.json'], { cwd: dir, env: { GITLAB_URL: gl.url, GITLAB_TOKEN: OWNER_TOKEN } });
      expect(apply.code, apply.stdout + apply.stderr).toBe(1);
      expect(other.seen).toEqual([]);
      expect(fake.runners()).toHaveLength(before);
      expect(apply.stdout + apply.stderr).toContain(`with a redirect (${status}) to ${other.url}/api/v4/user/runners`);
      expect(apply.stdout + apply.stderr).not.toContain('glrt-t1_OtherHostToken');
    });
  }
});

describe('text a server sends back', () => {
  const yaml = 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: docker\n';

  it('never prints a PAT without a GitLab prefix that GraphQL echoes in an error', async () => {
    const gl = await listen((req, res) => {
      const echo = `cannot parse header Bearer ${CUSTOM_PAT}`;
      if (req.url === '/api/graphql') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: echo }] }));
      else res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `401 Unauthorized: ${echo}` }));
    });
    writeFile(dir, 'runners.yaml', yaml);
    const plan = await runCli(['plan', '--debug'], { cwd: dir, env: { GITLAB_URL: gl.url, GITLAB_TOKEN: CUSTOM_PAT } });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('cannot parse header Bearer [REDACTED]');
    expect(plan.stdout + plan.stderr).not.toContain(CUSTOM_PAT);
  });

  it('shows terminal escapes of an error message as text and cuts a huge one', async () => {
    const hostile = `\u001b[2J\u001b]0;owned\u0007\u009b31m${'x'.repeat(200_000)}`;
    const gl = await listen((_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: hostile, errors: [{ message: hostile }] })));
    writeFile(dir, 'runners.yaml', yaml);
    const plan = await runCli(['plan'], { cwd: dir, env: { GITLAB_URL: gl.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(plan.stderr).toContain('\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m');
    expect(plan.stderr).toMatch(/more bytes cut\]/);
    expect(plan.stderr.length).toBeLessThan(20_000);
  });
});

describe('text GitLab sent inside an error of runnerform\'s own', () => {
  it('is shown with its control characters escaped (a GraphQL id that is not an id)', async () => {
    const hostile = '\u001b]0;owned\u0007\u001b[2J';
    // Answers every alias of every GraphQL query with a group whose id is terminal escapes.
    const gl = await listen((req, res, body) => {
      if (req.url !== '/api/graphql') return res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"404 Not found"}');
      const query = (JSON.parse(body.toString()) as { query: string }).query;
      const aliases = [...query.matchAll(/\b(a\d+):/g)].map((m) => m[1] ?? '');
      const group = { id: hostile, fullPath: 'acme/platform', runners: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } };
      const data = Object.fromEntries(aliases.map((a) => [a, { ...group, nodes: [group] }]));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
    writeFile(dir, 'runners.yaml', 'version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: r\n');
    const plan = await runCli(['plan'], { cwd: dir, env: { GITLAB_URL: gl.url, GITLAB_TOKEN: OWNER_TOKEN } });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('\\u001b]0;owned\\u0007\\u001b[2J');
    expect(plan.stdout + plan.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('a command destination', () => {
  it('never sees the PAT in its environment, whatever the variable is called', async () => {
    const seed = e2eSeed();
    seed.tokens.push({ token: CUSTOM_PAT, user: 'owner', scopes: ['api'] });
    const gl = await startFakeGitLab(seed);
    closers.push(() => gl.close());
    writeFile(
      dir,
      'runners.yaml',
      `version: 1\ngroups:\n  - path: acme/platform\n    runners:\n      - description: cmd\n        token:\n          command: ${JSON.stringify([process.execPath, RECORDER, 'received.jsonl'])}\n`,
    );
    const apply = await runCli(['apply', '--auto-approve'], {
      cwd: dir,
      env: { GITLAB_URL: gl.url, GITLAB_TOKEN: CUSTOM_PAT, DEPLOY_CREDENTIAL: CUSTOM_PAT, WRAPPED: `Bearer ${CUSTOM_PAT}` },
    });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const got = JSON.parse(readFileSync(join(dir, 'received.jsonl'), 'utf8').trim()) as { env: Record<string, string> };
    expect(JSON.stringify(got.env)).not.toContain(CUSTOM_PAT);
    expect(got.env.DEPLOY_CREDENTIAL).toBeUndefined();
    expect(got.env.WRAPPED).toBeUndefined();
    expect(got.env.RUNNERFORM_SCOPE).toBe('acme/platform');
  });
});
