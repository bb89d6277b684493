import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setLatencyMs(0);
  fake.resetStats();
});

describe('injected faults', () => {
  it('answers 429 Retry later (plain text) with Retry-After for the next N matching requests only', async () => {
    fake.inject({ method: 'GET', path: /^\/groups\/[^/]+\/runners$/, times: 2, fault: { kind: 'status', status: 429, retryAfter: 3 } });
    const first = await call(fake, 'GET', '/groups/11/runners');
    expect(first.status).toBe(429);
    expect(first.text).toBe('Retry later');
    expect(first.headers.get('content-type')).toBe('text/plain');
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.headers.get('ratelimit-limit')).not.toBeNull();
    expect((await call(fake, 'GET', '/groups/11')).status).toBe(200); // not matching
    expect((await call(fake, 'GET', '/groups/11/runners')).status).toBe(429);
    expect((await call(fake, 'GET', '/groups/11/runners')).status).toBe(200);
  });

  it('matches a string path exactly and honours the method', async () => {
    fake.inject({ method: 'PUT', path: '/runners/3', times: 1, fault: { kind: 'status', status: 502, body: 'bad gateway' } });
    expect((await call(fake, 'GET', '/runners/3')).status).toBe(200);
    const put = await call(fake, 'PUT', '/runners/3', { json: { locked: true } });
    expect(put.status).toBe(502);
    expect(put.text).toBe('bad gateway');
    expect(fake.runners().find((r) => r.id === 3)?.locked).toBe(false);
  });

  it('lost-response performs the action and drops the connection', async () => {
    fake.inject({ method: 'POST', path: '/user/runners', times: 1, fault: { kind: 'lost-response' } });
    const before = fake.runners().length;
    await expect(call(fake, 'POST', '/user/runners', { json: { runner_type: 'group_type', group_id: 11, description: 'lost' } })).rejects.toThrow();
    expect(fake.runners().length).toBe(before + 1);
    expect(fake.runners().some((r) => r.description === 'lost')).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/user/runners', status: 201 });
  });

  it('reset drops the connection without acting', async () => {
    fake.inject({ path: /^\/runners\/\d+$/, times: 1, fault: { kind: 'reset' } });
    await expect(call(fake, 'DELETE', '/runners/2')).rejects.toThrow();
    expect(fake.runners().some((r) => r.id === 2)).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 0 });
  });
});

describe('recording and statistics', () => {
  it('records method, raw path, query, parsed body, status and the headers as sent', async () => {
    await call(fake, 'GET', '/groups/acme%2Fplatform/runners?type=group_type&per_page=100', { token: TOKENS.owner });
    await call(fake, 'POST', '/user/runners', { token: TOKENS.owner, form: { runner_type: 'group_type', group_id: '11', tag_list: 'a,b' } });
    expect(fake.requests).toHaveLength(2);
    const [list, post] = fake.requests;
    expect(list).toMatchObject({ method: 'GET', path: '/groups/acme%2Fplatform/runners', query: { type: 'group_type', per_page: '100' }, status: 200 });
    expect(list?.headers['private-token']).toBe(TOKENS.owner);
    expect(post).toMatchObject({ status: 201, body: { runner_type: 'group_type', group_id: '11', tag_list: 'a,b' } });
  });

  it('measures peak concurrency under latency', async () => {
    fake.setLatencyMs(100);
    await Promise.all(Array.from({ length: 5 }, () => call(fake, 'GET', '/user')));
    expect(fake.peakConcurrency()).toBe(5);
    fake.resetStats();
    for (let i = 0; i < 3; i++) await call(fake, 'GET', '/user');
    expect(fake.peakConcurrency()).toBe(1);
    expect(fake.requests).toHaveLength(3);
  });
});
