// POST /runners/verify against the rules test/fake-gitlab/handlers-runner-verify.ts cites
// (lib/api/ci/runner.rb `post '/verify'`, lib/api/ci/helpers/runner.rb `authenticate_runner!`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call } from './helpers.js';

let fake: FakeGitLab;
let id: number;
beforeEach(async () => {
  const s = baseSeed();
  s.runners!.push({ id: 30, runner_type: 'group_type', group: 'acme/platform', description: 'verify-me' });
  fake = await startFakeGitLab(s);
  id = 30;
});
afterEach(async () => {
  await fake.close();
});

const verify = (json: unknown) => call(fake, 'POST', '/runners/verify', { token: null, json });

describe('POST /runners/verify', () => {
  it('answers 200 with the runner\'s registration details for its current token, without touching contacted_at; ensures the <legacy> manager', async () => {
    const r = await verify({ token: fake.runnerToken(id) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id, token: fake.runnerToken(id), token_expires_at: null });
    const details = await call(fake, 'GET', `/runners/${id}`);
    expect(details.body.contacted_at).toBeNull();
    const managers = await call(fake, 'GET', `/runners/${id}/managers`);
    expect(managers.body.map((m: { system_id: string; contacted_at: string | null }) => [m.system_id, m.contacted_at])).toEqual([['<legacy>', null]]);
    // Again: the same manager, not a second one.
    expect((await verify({ token: fake.runnerToken(id) })).status).toBe(200);
    expect((await call(fake, 'GET', `/runners/${id}/managers`)).body).toHaveLength(1);
  });

  it('answers 403 for a token reset since, and changes nothing; 400 without a token', async () => {
    const old = fake.runnerToken(id)!;
    expect((await call(fake, 'POST', `/runners/${id}/reset_authentication_token`)).status).toBe(201);
    const dead = await verify({ token: old });
    expect(dead.status).toBe(403);
    expect(dead.body).toEqual({ message: '403 Forbidden' });
    expect((await call(fake, 'GET', `/runners/${id}/managers`)).body).toEqual([]);
    const none = await verify({});
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'token is missing' });
  });
});
