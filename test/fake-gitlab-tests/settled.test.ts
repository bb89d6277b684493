// fake.settled(): tests wait for it, not for a sleep, before they check that nothing else happened.
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());
beforeEach(() => fake.setLatencyMs(0));

const CREATE = { runner_type: 'group_type', group_id: 11 };
const named = (d: string) => fake.runners().filter((r) => r.description === d);

describe('settled()', () => {
  it('waits for a late apply (504 first, the runner made afterwards)', async () => {
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'late-apply', afterMs: 150 } });
    expect((await call(fake, 'POST', '/user/runners', { json: { ...CREATE, description: 'settled-late' } })).status).toBe(504);
    expect(named('settled-late')).toHaveLength(0);
    await fake.settled();
    expect(named('settled-late')).toHaveLength(1);
  });

  it('waits for the work of a request whose client went away (GitLab finishes it)', async () => {
    fake.setLatencyMs(200);
    const body = JSON.stringify({ ...CREATE, description: 'settled-gone' });
    const req = request(`${fake.url}/api/v4/user/runners`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': TOKENS.admin, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', () => undefined);
    req.end(body);
    // Once GitLab has read the body the client dies; the create goes on.
    while (!fake.requests.some((r) => r.method === 'POST' && r.body !== undefined && JSON.stringify(r.body).includes('settled-gone'))) {
      await new Promise((r) => setImmediate(r));
    }
    req.destroy();
    expect(named('settled-gone')).toHaveLength(0);
    await fake.settled();
    expect(named('settled-gone')).toHaveLength(1);
  });

  it('resolves at once when nothing is pending', async () => {
    await fake.settled();
  });
});
