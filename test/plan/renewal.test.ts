// Token renewal and its guard against a window no shorter than the token lifetime (plan/renewal.ts).
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/model.js';
import { DEFAULT_HEALTH } from '../../src/health/settings.js';
import { renewal } from '../../src/plan/renewal.js';
import { GROUP, liveRunner, want } from './fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-06-10T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const ADDRESS = 'group["acme/platform"].runner["docker"]';

const declared = (windowMs: number) => ({ ...want('docker'), health: { ...DEFAULT_HEALTH, token_renew_before_ms: windowMs } });
const live = (createdAt: string, expiresAt: string) => liveRunner(GROUP, 5, 'docker', {}, { created_at: createdAt, token_expires_at: expiresAt });
const stored = (expiresAt: string, issuedAfter: string): JournalRecord => ({
  scope: GROUP,
  description: 'docker',
  intent_at: issuedAfter,
  runner_id: 5,
  stored: true,
  delivered: true,
  token_issue: { expires_at: expiresAt, issued_after: issuedAfter },
});

describe('renewal', () => {
  it('renews a token expiring within the window when its lifetime is longer than the window', () => {
    // Created 27 days ago with a 30-day token: renewing gives another 30 days.
    expect(renewal(ADDRESS, declared(7 * DAY), live(at(-27 * DAY), at(3 * DAY)), NOW)).toEqual({ kind: 'reset', reason: 'renew' });
    expect(renewal(ADDRESS, declared(2 * DAY), live(at(-27 * DAY), at(3 * DAY)), NOW)).toBeNull(); // not due yet
  });

  it('withholds it when created_at bounds the lifetime within the window (every token is issued at or after creation)', () => {
    const r = renewal(ADDRESS, declared(7 * DAY), live(at(-HOUR), at(3 * DAY - HOUR)), NOW);
    expect(r?.kind).toBe('withheld');
    expect(r?.kind === 'withheld' && r.message).toContain('at most 3 days: a renewed token would be due again at once');
    expect(r?.kind === 'withheld' && r.message).toContain('(e.g. 2d)');
    expect(r?.kind === 'withheld' && r.message).toContain(`runnerform rotate '${ADDRESS}'`);
  });

  it('withholds it when the journal issued the live token with a lifetime within the window, however old the runner', () => {
    const runner = live(at(-400 * DAY), at(3 * DAY - HOUR));
    expect(renewal(ADDRESS, declared(7 * DAY), runner, NOW)).toEqual({ kind: 'reset', reason: 'renew' }); // no journal: unknown
    const issued = stored(at(3 * DAY - HOUR), at(-HOUR - 5_000));
    expect(renewal(ADDRESS, declared(7 * DAY), runner, NOW, issued)?.kind).toBe('withheld');
    // The journal keeps REST's answer (milliseconds); GraphQL's Time has none: the same second is the same token.
    const fromRest = stored(at(3 * DAY - HOUR + 175), at(-HOUR - 5_000));
    const graphqlStyle = live(at(-400 * DAY), at(3 * DAY - HOUR).replace('.000Z', 'Z'));
    expect(fromRest.token_issue!.expires_at).toMatch(/\.175Z$/);
    expect(renewal(ADDRESS, declared(7 * DAY), graphqlStyle, NOW, fromRest)?.kind).toBe('withheld');
    // Another second is another token (GitLab issued a new one since).
    expect(renewal(ADDRESS, declared(7 * DAY), graphqlStyle, NOW, stored(at(3 * DAY - HOUR + 1_000), at(-HOUR)))).toEqual({ kind: 'reset', reason: 'renew' });
  });

  it('does not take the journal for evidence about a token GitLab rotated since (another expiry)', () => {
    const runner = live(at(-400 * DAY), at(3 * DAY - HOUR));
    expect(renewal(ADDRESS, declared(7 * DAY), runner, NOW, stored(at(-HOUR * 60), at(-4 * DAY)))).toEqual({ kind: 'reset', reason: 'renew' });
  });

  it('still renews an expired token: a new one works for a while', () => {
    expect(renewal(ADDRESS, declared(7 * DAY), live(at(-3 * DAY - HOUR), at(-HOUR)), NOW)).toEqual({ kind: 'reset', reason: 'renew' });
  });

  it('does nothing without a window or a clock', () => {
    expect(renewal(ADDRESS, want('docker'), live(at(-HOUR), at(HOUR)), NOW)).toBeNull();
    expect(renewal(ADDRESS, declared(7 * DAY), live(at(-HOUR), at(HOUR)), undefined)).toBeNull();
  });
});
