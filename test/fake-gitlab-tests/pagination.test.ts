import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

let fake: FakeGitLab;
const MANY = 250;
beforeAll(async () => {
  const seed = baseSeed();
  seed.groups!.push({ id: 50, full_path: 'big' });
  seed.users[1]!.groups!.big = 'owner';
  for (let i = 0; i < MANY; i++) seed.runners!.push({ runner_type: 'group_type', group: 'big', description: `r${i}` });
  fake = await startFakeGitLab(seed);
});
afterAll(() => fake.close());

function links(header: string | null): Record<string, URL> {
  const out: Record<string, URL> = {};
  for (const part of (header ?? '').split(',')) {
    const [, href, rel] = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim()) ?? [];
    if (href !== undefined && rel !== undefined) out[rel] = new URL(href);
  }
  return out;
}

describe('pagination', () => {
  it('defaults to 20 per page with totals', async () => {
    const a = await call(fake, 'GET', '/groups/big/runners?type=group_type', { token: TOKENS.owner });
    expect(a.body).toHaveLength(20);
    expect(a.headers.get('x-per-page')).toBe('20');
    expect(a.headers.get('x-total')).toBe(String(MANY)); // a root group: no ancestor runners
  });

  it('walks every page of 100 with x-* headers and Link rels', async () => {
    const seen: number[] = [];
    let url: string | null = `/groups/big/runners?type=group_type&per_page=100`;
    let page = 0;
    while (url) {
      page++;
      const a = await call(fake, 'GET', url, { token: TOKENS.owner });
      const h = a.headers;
      expect(h.get('x-page')).toBe(String(page));
      expect(h.get('x-per-page')).toBe('100');
      expect(h.get('x-total-pages')).toBe('3');
      expect(h.get('x-prev-page')).toBe(page === 1 ? '' : String(page - 1));
      const l = links(h.get('link'));
      expect(l.first?.searchParams.get('page')).toBe('1');
      expect(l.last?.searchParams.get('page')).toBe('3');
      expect(l.first?.searchParams.get('type')).toBe('group_type');
      if (page > 1) expect(l.prev?.searchParams.get('page')).toBe(String(page - 1));
      seen.push(...a.body.map((r: { id: number }) => r.id));
      if (h.get('x-next-page') === '') {
        expect(l.next).toBeUndefined();
        url = null;
      } else {
        const next = l.next;
        expect(next?.searchParams.get('page')).toBe(h.get('x-next-page'));
        if (!next) throw new Error('x-next-page without a Link rel="next"');
        url = next.pathname.replace('/api/v4', '') + next.search;
      }
    }
    expect(page).toBe(3);
    expect(new Set(seen).size).toBe(MANY);
  });

  it('caps per_page at 100 and answers an empty page past the end', async () => {
    const big = await call(fake, 'GET', '/groups/big/runners?per_page=500', { token: TOKENS.owner });
    expect(big.body).toHaveLength(100);
    expect(big.headers.get('x-per-page')).toBe('100');
    const past = await call(fake, 'GET', '/groups/big/runners?per_page=100&page=9', { token: TOKENS.owner });
    expect(past.body).toEqual([]);
    expect(past.headers.get('x-next-page')).toBe('');
  });
});
