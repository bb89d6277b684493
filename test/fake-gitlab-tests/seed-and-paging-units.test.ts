// Pure pieces of the fake: seed loading errors and the pagination headers past 10,000 records.
import { describe, expect, it } from 'vitest';
import { paginate } from '../fake-gitlab/pagination.js';
import { FakeState, SeedError } from '../fake-gitlab/state.js';
import { baseSeed } from './helpers.js';

describe('seed loading', () => {
  it('assigns ids, resolves parents given in any order and keeps explicit ids', () => {
    const state = new FakeState({
      users: [],
      tokens: [],
      groups: [{ full_path: 'a/b' }, { id: 10, full_path: 'a' }],
      projects: [{ path_with_namespace: 'a/b/p' }],
    });
    const b = state.findGroup('A/B')!;
    expect(b.parent?.id).toBe(10);
    expect(b.id).not.toBe(10);
    expect(state.findProject('a/b/p')?.namespace).toBe(b);
  });

  it.each([
    ['a group without its parent', { groups: [{ full_path: 'x/y' }] }],
    ['a project outside any group', { projects: [{ path_with_namespace: 'nowhere/p' }] }],
    ['a token of an unknown user', { tokens: [{ token: 'glpat-x', user: 'ghost', scopes: ['api'] as const }] }],
    ['a group runner without a group', { runners: [{ runner_type: 'group_type' as const, group: 'nope' }] }],
  ])('refuses %s', (_what, patch) => {
    const seed = { ...baseSeed(), ...patch } as ReturnType<typeof baseSeed>;
    expect(() => new FakeState(seed)).toThrow(SeedError);
  });
});

describe('paginate', () => {
  const url = new URL('http://127.0.0.1:1/api/v4/runners/all?type=group_type');

  it('omits x-total, x-total-pages and rel="last" past 10,000 records, as GitLab does', () => {
    const all = Array.from({ length: 10_001 }, (_, i) => i);
    const { items, headers } = paginate(all, { per_page: '100', page: '2' }, url);
    expect(items[0]).toBe(100);
    expect(headers['x-total']).toBeUndefined();
    expect(headers['x-total-pages']).toBeUndefined();
    expect(headers['x-next-page']).toBe('3');
    expect(headers.link).not.toContain('rel="last"');
    expect(headers.link).toContain('rel="next"');
  });

  it('answers one empty page with totals for an empty list', () => {
    const { items, headers } = paginate([], {}, url);
    expect(items).toEqual([]);
    expect(headers).toMatchObject({ 'x-total': '0', 'x-total-pages': '1', 'x-page': '1', 'x-per-page': '20', 'x-next-page': '' });
  });
});
