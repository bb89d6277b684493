// A GitLab that accepts the connection, reads the request and never answers: the
// request timeout ends each attempt. A create is never sent twice and counts as
// "maybe applied" (GitLab may have made the runner); a read is retried, then fails.
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { caught } from './caught.js';
import { listenLocal } from '../support/local-server.js';

const PAT = 'glpat-RequestTimeoutTest0123456789';
const TIMEOUT_MS = 300;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A server on 127.0.0.1 that reads every request to its end and answers none; `seen` lists them. */
async function silentServer(): Promise<{ url: string; seen: string[] }> {
  const local = await listenLocal(() => undefined);
  closers.push(() => local.close());
  return {
    url: local.url,
    get seen() {
      return local.seen.map((r) => `${r.method} ${r.url}`);
    },
  };
}

function client(url: string) {
  return createGitLabClient({ gitlabUrl: url, token: PAT, env: {}, retry: { limit: 2, baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: TIMEOUT_MS });
}

describe('a request whose answer never comes', () => {
  it('a create fails after the request timeout, sent once, counted as maybe applied', async () => {
    const gl = await silentServer();
    const started = Date.now();
    const err = await caught(client(gl.url).createRunner({ runner_type: 'group_type', group_id: 11, description: 'docker' }));
    expect(Date.now() - started).toBeLessThan(10 * TIMEOUT_MS);
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.status).toBeNull();
    expect(err.maybeApplied).toBe(true);
    expect(err.message).toContain(`GitLab at ${gl.url} did not answer the request`);
    expect(err.message).toContain('GitLab may have applied the change');
    expect(err.message).not.toContain(PAT);
    expect(gl.seen).toEqual(['POST /api/v4/user/runners']);
  });

  it('a read is retried after each timeout, then fails naming the URL; nothing was changed', async () => {
    const gl = await silentServer();
    const err = await caught(client(gl.url).getRunner(5));
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.maybeApplied).toBe(false);
    expect(err.attempts).toBe(3);
    expect(err.message).toContain(`GitLab at ${gl.url} did not answer the request`);
    expect(gl.seen).toEqual(['GET /api/v4/runners/5', 'GET /api/v4/runners/5', 'GET /api/v4/runners/5']);
  });
});
