// The pure parts of the health rules: versions, minor skew across majors, durations and the merge of health: blocks.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH, durationMs, formatDuration, mergeHealth } from '../../src/health/settings.js';
import { minorsBehind, parseVersion } from '../../src/health/version.js';

describe('versions', () => {
  it('reads gitlab-runner and GitLab version strings, and nothing else', () => {
    expect(parseVersion('17.11.2')).toEqual({ major: 17, minor: 11, patch: 2 });
    expect(parseVersion('v18.0.0~pre.1')).toEqual({ major: 18, minor: 0, patch: 0 });
    expect(parseVersion('18.6')).toEqual({ major: 18, minor: 6, patch: 0 });
    expect(parseVersion('development')).toBeNull();
    expect(parseVersion(null)).toBeNull();
  });

  it('counts minors across a major the way GitLab releases them (x.11, then x+1.0)', () => {
    const v = (s: string) => parseVersion(s)!;
    expect(minorsBehind(v('18.2.3'), v('18.6.1'))).toBe(4);
    expect(minorsBehind(v('17.11.0'), v('18.1.0'))).toBe(2);
    expect(minorsBehind(v('17.9.0'), v('18.1.0'))).toBe(4);
    expect(minorsBehind(v('18.7.0'), v('18.6.0'))).toBe(0);
  });
});

describe('health settings', () => {
  it('reads durations in s, m, h, d and w, and prints them back in the largest exact unit', () => {
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('30m')).toBe(1_800_000);
    expect(durationMs('7d')).toBe(7 * 86_400_000);
    expect(durationMs('2w')).toBe(14 * 86_400_000);
    expect(durationMs('7 days')).toBeNull();
    expect(formatDuration(7 * 86_400_000)).toBe('1w');
    expect(formatDuration(74 * 3_600_000)).toBe('74h');
  });

  it('lets the nearer block win key by key, and keeps GitLab\'s defaults otherwise', () => {
    const file = mergeHealth({ ...DEFAULT_HEALTH }, { max_minor_skew: 1, token_renew_before_ms: 86_400_000 });
    const runner = mergeHealth(file, { max_minor_skew: 4 });
    expect(runner).toEqual({ ...DEFAULT_HEALTH, max_minor_skew: 4, token_renew_before_ms: 86_400_000 });
    expect(DEFAULT_HEALTH).toMatchObject({ max_minor_skew: 2, stale_after_ms: 7 * 86_400_000, offline_managers_after_ms: 2 * 3_600_000, token_renew_before_ms: null });
  });
});
