// What a hostile or broken server can send the client, over real HTTP on 127.0.0.1:
// redirects of writes (to another host or not), huge answers, and text that would
// drive a terminal or echo a secret back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreateRunnerBody, CreateVariableBody } from '../../src/gitlab/api.js';
import { createGitLabClient, type ClientOptions } from '../../src/gitlab/client.js';
import { readLiveStateGraphQL } from '../../src/gitlab/live-graphql.js';
import { MAX_RESPONSE_BYTES } from '../../src/gitlab/response-size.js';
import { redact } from '../../src/secrets.js';
import { caught } from './caught.js';
import { listenLocal, type LocalServer, type SeenRequest } from '../support/local-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A PAT without any GitLab prefix (an OAuth token): only its value identifies it. */
const PAT = 'oauth2-7f3a9c1be04d5a6f8e2b7c9d0a1f3e5b';
const RUNNER_TOKEN = 'glrt-t1_RedirectedRunnerToken01234';

/** A local server (test/support/local-server.ts) that also counts the bytes it wrote, closed after the test. */
async function server(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LocalServer & { written: () => number }> {
  let written = 0;
  const local = await listenLocal((req, res, body) => {
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: never[]) => {
      written += chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    handler(req, res, body.toString());
  });
  closers.push(() => local.close());
  return { ...local, written: () => written };
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function client(url: string, extra: Partial<ClientOptions> = {}) {
  return createGitLabClient({ gitlabUrl: url, token: PAT, env: {}, retry: { limit: 2, baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 10_000, ...extra });
}

const variable: CreateVariableBody = {
  key: 'RUNNER_TOKEN',
  value: RUNNER_TOKEN,
  masked: true,
  masked_and_hidden: true,
  protected: true,
  raw: true,
  environment_scope: '*',
  description: 'runnerform',
};
const runner: CreateRunnerBody = { runner_type: 'group_type', group_id: 11, description: 'docker' };

/** Nothing of the PAT or the runner token in what `other` received. */
function nothingSecretIn(seen: SeenRequest[]): void {
  const all = JSON.stringify(seen);
  expect(all).not.toContain(PAT);
  expect(all).not.toContain(RUNNER_TOKEN);
}

describe('a redirect on a write', () => {
  for (const status of [301, 302, 307, 308]) {
    it(`${status} on POST …/variables to another host: refused, nothing sent there, not maybe-applied`, async () => {
      const other = await server((_req, res) => json(res, 201, { key: 'RUNNER_TOKEN', value: null }));
      const gl = await server((_req, res) => res.writeHead(status, { location: `${other.url}/api/v4/projects/100/variables` }).end());
      const err = await caught(client(gl.url).createVariable({ type: 'project', idOrPath: 'acme/platform/api' }, variable));
      expect(err.kind).toBe('redirect');
      expect(err.maybeApplied).toBe(false);
      expect(err.message).toContain(`answered POST /projects/acme%2Fplatform%2Fapi/variables (to create CI/CD variable RUNNER_TOKEN of project acme/platform/api) with a redirect (${status}) to ${other.url}/api/v4/projects/100/variables`);
      expect(err.message).toMatch(/never follows a redirect on a write/);
      expect(other.seen).toHaveLength(0);
      expect(gl.seen).toHaveLength(1);
      nothingSecretIn(other.seen);
    });

    it(`${status} on POST /user/runners to another host: refused, nothing sent there`, async () => {
      const other = await server((_req, res) => json(res, 201, { id: 99, token: 'glrt-t1_FromTheOtherHost0123456789' }));
      const gl = await server((_req, res) => res.writeHead(status, { location: `${other.url}/api/v4/user/runners` }).end());
      const err = await caught(client(gl.url).createRunner(runner));
      expect(err.kind).toBe('redirect');
      expect(err.message).toContain(`with a redirect (${status}) to ${other.url}/api/v4/user/runners`);
      expect(other.seen).toHaveLength(0);
    });
  }

  it('is refused on the same GitLab too (the body would be sent again)', async () => {
    const gl = await server((req, res) => {
      if (req.url === '/api/v4/runners/5') res.writeHead(307, { location: '/api/v4/runners/6' }).end();
      else json(res, 200, { id: 6 });
    });
    const err = await caught(client(gl.url).updateRunner(5, { paused: true }));
    expect(err.kind).toBe('redirect');
    expect(err.message).toContain(`answered PUT /runners/5 (to update runner #5) with a redirect (307) to ${gl.url}/api/v4/runners/6`);
    expect(gl.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['PUT /api/v4/runners/5']);
  });

  it('on the GraphQL endpoint to another host: refused, the Bearer token stays home', async () => {
    const other = await server((_req, res) => json(res, 200, { data: { runner: null } }));
    const gl = await server((_req, res) => res.writeHead(308, { location: `${other.url}/api/graphql` }).end());
    const err = await caught(client(gl.url).runnerOwnerProject(3));
    expect(err.kind).toBe('redirect');
    expect(other.seen).toHaveLength(0);
  });
});

describe('an answer larger than any GitLab sends', () => {
  /** Streams `[{"id":1,…},…` forever in 64 kB chunks, never closing the array, until the client goes away. */
  function endless(res: ServerResponse): void {
    const chunk = Buffer.from(`${JSON.stringify({ id: 1, description: 'x'.repeat(200) })},`.repeat(300));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  }

  it('stops reading at the cap, with an error naming the URL; memory stays bounded', async () => {
    const gl = await server((_req, res) => endless(res));
    const before = process.memoryUsage().rss;
    const err = await caught(client(gl.url).getRunner(7));
    const grown = process.memoryUsage().rss - before;
    expect(err.message).toMatch(new RegExp(`^GitLab at ${gl.url} answered GET /runners/7 \\(to read runner #7\\) with more than 64\\.0 MiB`));
    expect(err.message).toMatch(/\(runnerform stopped reading after 64\.\d MiB\)/);
    expect(err.maybeApplied).toBe(false);
    // The server could push little more than the cap (socket buffers) before the client hung up.
    expect(gl.written()).toBeLessThan(MAX_RESPONSE_BYTES + 16 * 1024 * 1024);
    expect(grown).toBeLessThan(512 * 1024 * 1024);
  });

  it('refuses an announced Content-Length over the cap before reading the body', async () => {
    const gl = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024 * 1024) });
      res.write('[');
    });
    const err = await caught(client(gl.url).listInstanceRunners());
    expect(err.message).toMatch(/answered GET \/runners\/all \(to list the instance runners\) with more than 64\.0 MiB \(Content-Length 3072\.0 MiB; runnerform did not read it\)/);
  });

  it('on a write, says GitLab may have applied it (its answer is lost)', async () => {
    const gl = await server((_req, res) => endless(res));
    const err = await caught(client(gl.url, { maxResponseBytes: 1024 * 1024 }).createRunner(runner));
    expect(err.message).toMatch(/with more than 1\.0 MiB/);
    expect(err.maybeApplied).toBe(true);
    expect(gl.seen).toHaveLength(1); // a POST is not retried
  });

  it('on a GraphQL read too', async () => {
    const gl = await server((_req, res) => endless(res));
    const err = await caught(client(gl.url, { maxResponseBytes: 1024 * 1024 }).runnerOwnerProject(3));
    expect(err.message).toMatch(/answered POST \/api\/graphql \(to read the owner project of runner #3\) with more than 1\.0 MiB/);
  });
});

describe('server text on its way to a terminal', () => {
  const HOSTILE = 'nope \u001b[2J\u001b]0;owned\u0007 \u009b31m done';

  const noControl = (text: string) => expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);

  it('escapes control characters (CSI, OSC title, C1) of a REST error message', async () => {
    const gl = await server((_req, res) => json(res, 403, { message: HOSTILE }));
    const err = await caught(client(gl.url).getRunner(7));
    noControl(err.message);
    noControl(err.gitlabMessage ?? '');
    expect(err.message).toContain('nope \\u001b[2J\\u001b]0;owned\\u0007 \\u009b31m done');
  });

  it('escapes control characters of validation fields and GraphQL errors', async () => {
    const gl = await server((req, res) => {
      if (req.url === '/api/graphql') json(res, 200, { errors: [{ message: HOSTILE }] });
      else json(res, 400, { message: { [`tag\u001b[2J`]: [HOSTILE] } });
    });
    const api = client(gl.url);
    for (const err of [await caught(api.createRunner(runner)), await caught(api.runnerOwnerProject(3)), await caught(readLiveStateGraphQL(api, api.graphql, [{ type: 'instance' }]))]) {
      noControl(err.message);
      expect(err.message).toContain('\\u001b[2J');
    }
  });

  it('cuts a 200 kB message, saying how many bytes were cut', async () => {
    const gl = await server((_req, res) => json(res, 500, { message: `${'A'.repeat(200_000)}END` }));
    const err = await caught(client(gl.url, { retry: { limit: 0 } }).getRunner(7));
    expect(err.message.length).toBeLessThan(3_000);
    expect(err.message).toContain('… [198003 more bytes cut]');
    expect(err.message).not.toContain('END');
  });

  it('never prints a PAT without a GitLab prefix that the server echoes, on REST or GraphQL', async () => {
    const echo = `cannot parse header Bearer ${PAT}`;
    const gl = await server((req, res) => {
      if (req.url === '/api/graphql') json(res, 200, { errors: [{ message: echo }] });
      else json(res, 401, { message: echo });
    });
    const api = client(gl.url);
    const errors = [await caught(api.currentUser()), await caught(api.runnerOwnerProject(3)), await caught(readLiveStateGraphQL(api, api.graphql, [{ type: 'instance' }]))];
    for (const err of errors) {
      expect(err.message).not.toContain(PAT);
      expect(err.gitlabMessage ?? '').not.toContain(PAT);
    }
    // The last guard of the CLI (plain `redact`) knows the PAT too, once a client was made with it.
    expect(redact(`Error: ${echo}`)).toBe('Error: cannot parse header Bearer [REDACTED]');
  });

  it('masks a runner token GitLab issued in this run, whatever its shape, when a later answer echoes it', async () => {
    const issued = 'rt-4e1d9a7c03b25f68e9d1c7a2b4f60e83';
    const gl = await server((req, res) => {
      if (req.url === '/api/v4/user/runners') json(res, 201, { id: 9, token: issued });
      else json(res, 400, { message: { token: [`${issued} is not accepted here`] } });
    });
    const api = client(gl.url);
    expect((await api.createRunner(runner)).token).toBe(issued);
    const err = await caught(api.updateRunner(9, { paused: true }));
    expect(err.message).toContain('[REDACTED] is not accepted here');
    expect(err.message).not.toContain(issued);
    expect(redact(`journal: ${issued}`)).toBe('journal: [REDACTED]');
  });

  it('masks a token in a redirect\'s Location', async () => {
    const gl = await server((_req, res) => res.writeHead(302, { location: `http://127.0.0.2:1/?t=${PAT}` }).end());
    const lines: string[] = [];
    const err = await caught(client(gl.url, { log: (l) => lines.push(l) }).currentUser());
    noControl(err.message);
    expect(err.message).not.toContain(PAT);
    for (const l of lines) noControl(l);
  });
});
