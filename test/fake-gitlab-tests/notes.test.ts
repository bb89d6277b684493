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

  it('lets the author, a project Maintainer or an admin edit a note, not another developer', async () => {
    const a = await call(fake, 'POST', NOTES, { token: TOKENS.developer, json: { body: 'mine' } });
    const other = await call(fake, 'PUT', `${NOTES}/${a.body.id}`, { token: TOKENS.outsider, json: { body: 'hijack' } });
    expect(other.status).toBe(404); // the outsider cannot see the project
    const b = await call(fake, 'POST', NOTES, { token: TOKENS.maintainer, json: { body: 'maintainer note' } });
    const dev = await call(fake, 'PUT', `${NOTES}/${b.body.id}`, { token: TOKENS.developer, json: { body: 'hijack' } });
    expect(dev.status).toBe(403);
    expect(dev.body).toEqual({ message: '403 Forbidden' });
    const byMaintainer = await call(fake, 'PUT', `${NOTES}/${a.body.id}`, { token: TOKENS.maintainer, json: { body: 'fixed typo' } });
    expect(byMaintainer.status).toBe(200);
    expect(byMaintainer.body.author.username).toBe('dev');
    // a missing note is ActiveRecord's RecordNotFound, not "404 Note Not Found"
    const missing = await call(fake, 'PUT', `${NOTES}/99999`, { token: TOKENS.maintainer, json: { body: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: '404 Not found' });
  });

  it('enforces the 1,000,000-character limit with GitLab\'s error text (Ruby 3.3 Hash#inspect), on create and update', async () => {
    const max = await call(fake, 'POST', NOTES, { json: { body: 'x'.repeat(1_000_000) } });
    expect(max.status).toBe(201);
    const tooLongBody = {
      message: '400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}',
    };
    const tooLong = await call(fake, 'POST', NOTES, { json: { body: 'x'.repeat(1_000_001) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual(tooLongBody);
    const put = await call(fake, 'PUT', `${NOTES}/${max.body.id}`, { json: { body: 'y'.repeat(1_000_001) } });
    expect(put.status).toBe(400);
    expect(put.body).toEqual(tooLongBody);
    expect((await call(fake, 'GET', `${NOTES}/${max.body.id}`)).body.body).toBe('x'.repeat(1_000_000));
    const blank = await call(fake, 'POST', NOTES, { json: { body: '   ' } });
    expect(blank.body).toEqual({ message: '400 Bad request - Note {:note=>["can\'t be blank"]}' });
  });

  it('deletes a note (204); it then answers 404 "Not found" and leaves the list', async () => {
    const a = await call(fake, 'POST', NOTES, { token: TOKENS.developer, json: { body: 'to delete' } });
    const b = await call(fake, 'POST', NOTES, { token: TOKENS.maintainer, json: { body: 'maintainer keeps' } });
    const forbidden = await call(fake, 'DELETE', `${NOTES}/${b.body.id}`, { token: TOKENS.developer });
    expect(forbidden.status).toBe(403);
    const del = await call(fake, 'DELETE', `${NOTES}/${a.body.id}`, { token: TOKENS.developer });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const again = await call(fake, 'GET', `${NOTES}/${a.body.id}`, { token: TOKENS.developer });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: '404 Not found' });
    expect((await call(fake, 'DELETE', `${NOTES}/${a.body.id}`)).status).toBe(404);
    expect(fake.notes('acme/platform/api', 1).map((n) => n.id)).not.toContain(a.body.id);
    expect(fake.notes('acme/platform/api', 1).map((n) => n.id)).toContain(b.body.id);
    // a Maintainer may delete another member's note (admin_note through the project)
    const c = await call(fake, 'POST', NOTES, { token: TOKENS.developer, json: { body: 'moderated' } });
    expect((await call(fake, 'DELETE', `${NOTES}/${c.body.id}`, { token: TOKENS.maintainer })).status).toBe(204);
  });

  it('orders created_at by id and updated_at newest first; updated_at never goes back', async () => {
    const ids: number[] = [];
    for (const body of ['o1', 'o2', 'o3']) ids.push((await call(fake, 'POST', NOTES, { json: { body } })).body.id);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later millisecond than the creates
    const edited = await call(fake, 'PUT', `${NOTES}/${ids[0]}`, { json: { body: 'o1 edited' } });
    const created = await call(fake, 'GET', `${NOTES}/${ids[0]}`);
    expect(edited.body.updated_at >= created.body.created_at).toBe(true);
    const asc = await call(fake, 'GET', `${NOTES}?sort=asc&order_by=created_at&per_page=100`);
    const ascIds = asc.body.map((n: { id: number }) => n.id);
    expect(ascIds).toEqual([...ascIds].sort((x: number, y: number) => x - y));
    const desc = await call(fake, 'GET', `${NOTES}?sort=desc&order_by=updated_at&per_page=100`);
    expect(desc.body[0].id).toBe(ids[0]); // the last edited note
    const times = desc.body.map((n: { updated_at: string }) => n.updated_at);
    expect(times).toEqual([...times].sort().reverse());
    const bad = await call(fake, 'GET', `${NOTES}?order_by=id`);
    expect(bad.body).toEqual({ error: 'order_by does not have a valid value' });
  });

  it('GET /projects/:id/merge_requests/:iid gives the merge request; an unknown iid is "404 Not found"', async () => {
    const mr = await call(fake, 'GET', '/projects/acme%2Fplatform%2Fapi/merge_requests/1', { token: TOKENS.developer });
    expect(mr.status).toBe(200);
    expect(mr.body).toMatchObject({ iid: 1, project_id: 100, state: 'opened', target_branch: 'main', references: { full: 'acme/platform/api!1' } });
    expect(typeof mr.body.id).toBe('number');
    const missing = await call(fake, 'GET', '/projects/100/merge_requests/42');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: '404 Not found' });
    const hidden = await call(fake, 'GET', '/projects/100/merge_requests/1', { token: TOKENS.outsider });
    expect(hidden.body).toEqual({ message: '404 Project Not Found' });
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
