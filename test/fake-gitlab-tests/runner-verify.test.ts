// POST /runners/verify against the rules test/fake-gitlab/handlers-runner-verify.ts cites
// (lib/api/ci/runner.rb `post '/verify'`, lib/api/ci/helpers/runner.rb `authenticate_runner!`,
// app/models/ci/runner.rb and runner_manager.rb `heartbeat`, app/models/concerns/ci/has_runner_status.rb).
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
  it('answers 200 with the runner\'s registration details; a heartbeat: contacted_at set, status still never_contacted, the <legacy> manager online', async () => {
    const r = await verify({ token: fake.runnerToken(id) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id, token: fake.runnerToken(id), token_expires_at: null });
    const details = await call(fake, 'GET', `/runners/${id}`);
    // Ci::Runner#heartbeat sets contacted_at; creation_state stays `started`, so status stays never_contacted.
    expect(details.body.contacted_at).not.toBeNull();
    expect(details.body.status).toBe('never_contacted');
    expect(details.body.online).toBe(true);
    const managers = await call(fake, 'GET', `/runners/${id}/managers`);
    expect(managers.body.map((m: { system_id: string; status: string }) => [m.system_id, m.status])).toEqual([['<legacy>', 'online']]);
    expect(managers.body[0].contacted_at).not.toBeNull();
    // Again: the same manager, not a second one.
    expect((await verify({ token: fake.runnerToken(id) })).status).toBe(200);
    expect((await call(fake, 'GET', `/runners/${id}/managers`)).body).toHaveLength(1);
  });

  it('with a system_id: that manager, not <legacy>', async () => {
    expect((await verify({ token: fake.runnerToken(id), system_id: 'runnerform-verify' })).status).toBe(200);
    const managers = await call(fake, 'GET', `/runners/${id}/managers`);
    expect(managers.body.map((m: { system_id: string }) => m.system_id)).toEqual(['runnerform-verify']);
  });

  it('answers 403 for a token reset since, and changes nothing; 400 without a token', async () => {
    const old = fake.runnerToken(id)!;
    expect((await call(fake, 'POST', `/runners/${id}/reset_authentication_token`)).status).toBe(201);
    const dead = await verify({ token: old });
    expect(dead.status).toBe(403);
    expect(dead.body).toEqual({ message: '403 Forbidden' });
    expect((await call(fake, 'GET', `/runners/${id}/managers`)).body).toEqual([]);
    expect((await call(fake, 'GET', `/runners/${id}`)).body.contacted_at).toBeNull();
    const none = await verify({});
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'token is missing' });
  });
});
