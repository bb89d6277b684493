import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(baseSeed());
});
afterAll(() => fake.close());

const NOTES = '/projects/acme%2Fplatform%2Fapi/merge_requests/1/notes';

describe('merge-request notes', () => {
  it('creates, lists (newest first by default) and updates notes', async () => {
    const a = await call(fake, 'POST', NOTES, { token: TOKENS.maintainer, json: { body: 'first' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ body: 'first', system: false, noteable_type: 'MergeRequest', noteable_iid: 1, author: { username: 'maint' } });
    const b = await call(fake, 'POST', '/projects/100/merge_requests/1/notes', { token: TOKENS.developer, form: { body: 'second' } });
    expect(b.status).toBe(201);

    const list = await call(fake, 'GET', NOTES, { token: TOKENS.developer });
    expect(list.body.map((n: { body: string }) => n.body)).toEqual(['second', 'first']);
    expect(list.headers.get('x-total')).toBe('2');
    const asc = await call(fake, 'GET', `${NOTES}?sort=asc`, { token: TOKENS.developer });
    expect(asc.body.map((n: { body: string }) => n.body)).toEqual(['first', 'second']);

    const put = await call(fake, 'PUT', `${NOTES}/${a.body.id}`, { token: TOKENS.maintainer, json: { body: 'first, edited' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: a.body.id, body: 'first, edited' });
    expect(fake.notes('acme/platform/api', 1)).toEqual([
      { id: a.body.id, body: 'first, edited' },
      { id: b.body.id, body: 'second' },
    ]);
  });

  it('lets only the author edit a note', async () => {
    const a = await call(fake, 'POST', NOTES, { token: TOKENS.maintainer, json: { body: 'mine' } });
    const other = await call(fake, 'PUT', `${NOTES}/${a.body.id}`, { token: TOKENS.developer, json: { body: 'hijack' } });
    expect(other.status).toBe(403);
    expect((await call(fake, 'PUT', `${NOTES}/99999`, { token: TOKENS.maintainer, json: { body: 'x' } })).body).toEqual({
      message: '404 Note Not Found',
    });
  });

  it('enforces the 1,000,000-character limit', async () => {
    expect((await call(fake, 'POST', NOTES, { json: { body: 'x'.repeat(1_000_000) } })).status).toBe(201);
    const tooLong = await call(fake, 'POST', NOTES, { json: { body: 'x'.repeat(1_000_001) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({ message: { note: ['is too long (maximum is 1000000 characters)'] } });
  });

  it('answers 404 for an unknown merge request or an invisible project', async () => {
    const a = await call(fake, 'GET', '/projects/100/merge_requests/42/notes');
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ message: '404 Merge Request Not Found' });
    expect((await call(fake, 'POST', NOTES, { token: TOKENS.outsider, json: { body: 'x' } })).body).toEqual({
      message: '404 Project Not Found',
    });
  });

  it('needs the api scope to write', async () => {
    const a = await call(fake, 'POST', NOTES, { token: TOKENS.readApi, json: { body: 'x' } });
    expect(a.status).toBe(403);
    expect(a.body.error).toBe('insufficient_scope');
  });
});
