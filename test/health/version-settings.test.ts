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

describe('checkHealth', () => {
  it('says when a runner had more managers than one page: unknown, not healthy', async () => {
    const { checkHealth } = await import('../../src/health/rules.js');
    const scope = { type: 'group' as const, id: 11, path: 'acme/platform' };
    const runner = {
      id: 5, description: 'big', runner_type: 'group_type' as const, status: 'online' as const, contacted_at: '2026-12-01T00:00:00Z', ownership: 'owned' as const,
      created_at: '2026-11-01T00:00:00Z', token_expires_at: null,
      attrs: { paused: false, locked: false, run_untagged: true, tag_list: [], access_level: 'not_protected' as const, maximum_timeout: null, maintenance_note: null },
      health: { managers: [{ system_id: 's', version: '18.6.0', revision: null, platform: null, architecture: null, status: 'online' as const, contacted_at: '2026-12-01T00:00:00Z', job_execution_status: null }], managers_truncated: true, creation_method: 'authenticated_user' as const },
    };
    const report = checkHealth({
      desired: { files: [], scopes: [{ ref: { type: 'group', path: 'acme/platform' }, prune: false, source: { file: 'f', line: 1, column: 1 }, runners: [{ description: 'big', attrs: {}, source: { file: 'f', line: 1, column: 1 }, token: null, renamed_from: [] }] }] },
      live: { gitlabUrl: 'https://gitlab.example.com', scopes: [{ ref: { type: 'group', path: 'acme/platform' }, scope, owned: [runner], visible: [] }] },
      gitlab_version: '18.6.0',
      pruning: { 11: false },
      stored: {},
      now: new Date('2026-12-01T00:10:00Z'),
    });
    expect(report.findings.map((f) => [f.rule, f.message])).toEqual([['unknown', '1 runner has more managers than one page: only the first page of each (50) was checked']]);
    expect(report.runners).toEqual([{ address: 'group["acme/platform"].runner["big"]', runner_id: 5, status: 'online', managers: { online: 1, offline: 0, stale: 0, never_contacted: 0 }, version_skew_minors: 0, manager_upgrades: [{ system_id: 's', version: '18.6.0', upgrade_status: 'not_available', minors_behind: 0, newer_patch: null }], token_expires_in_s: null }]);
  });
});

describe('checkHealth and the <legacy> manager of a token check', () => {
  it('a manager that never contacted GitLab (made by POST /runners/verify) is no contact, no unknown version', async () => {
    const { checkHealth } = await import('../../src/health/rules.js');
    const scope = { type: 'group' as const, id: 11, path: 'acme/platform' };
    const runner = {
      id: 5, description: 'fresh', runner_type: 'group_type' as const, status: 'never_contacted' as const, contacted_at: null, ownership: 'owned' as const,
      created_at: '2026-12-01T00:00:00Z', token_expires_at: '2026-12-31T00:00:00Z',
      attrs: { paused: false, locked: false, run_untagged: true, tag_list: [], access_level: 'not_protected' as const, maximum_timeout: null, maintenance_note: null },
      health: { managers: [{ system_id: '<legacy>', version: null, revision: null, platform: null, architecture: null, status: 'never_contacted' as const, contacted_at: null, job_execution_status: null }], managers_truncated: false, creation_method: 'authenticated_user' as const },
    };
    const report = checkHealth({
      desired: { files: [], scopes: [{ ref: { type: 'group', path: 'acme/platform' }, prune: false, source: { file: 'f', line: 1, column: 1 }, runners: [{ description: 'fresh', attrs: {}, source: { file: 'f', line: 1, column: 1 }, token: null, renamed_from: [] }] }] },
      live: { gitlabUrl: 'https://gitlab.example.com', scopes: [{ ref: { type: 'group', path: 'acme/platform' }, scope, owned: [runner], visible: [] }] },
      gitlab_version: '18.6.0',
      pruning: { 11: false },
      // The tokens file holds an older token (reset since without it): not a self-rotation of a runner that never ran.
      stored: { 5: { expires_at: '2026-12-20T00:00:00Z', issued_after: null } },
      now: new Date('2026-12-01T00:10:00Z'),
    });
    expect(report.findings).toEqual([]);
  });
});

describe('plan warnings with health: thresholds', () => {
  it('warns stale after health.stale_after and never-contacted after health.never_contacted_after, GitLab\'s numbers otherwise', async () => {
    const { healthWarnings } = await import('../../src/plan/health.js');
    const base = {
      id: 5, description: 'r', runner_type: 'group_type' as const, ownership: 'owned' as const, token_expires_at: null,
      attrs: { paused: false, locked: false, run_untagged: true, tag_list: [], access_level: 'not_protected' as const, maximum_timeout: null, maintenance_note: null },
    };
    const now = new Date('2026-12-10T00:00:00Z');
    const quiet = { ...base, status: 'offline' as const, contacted_at: '2026-12-06T00:00:00Z', created_at: '2026-11-01T00:00:00Z' };
    expect(healthWarnings('a', quiet, now, false)).toEqual([]);
    const rules = mergeHealth({ ...DEFAULT_HEALTH }, { stale_after_ms: 3 * 86_400_000, never_contacted_after_ms: 10 * 60_000 });
    expect(healthWarnings('a', quiet, now, false, rules).map((w) => [w.kind, w.message])).toEqual([
      ['stale', 'no contact since 2026-12-06T00:00:00Z, longer than health.stale_after (3d): its host may be gone or no longer hold a working token'],
    ]);
    const fresh = { ...base, status: 'never_contacted' as const, contacted_at: null, created_at: '2026-12-09T23:30:00Z' };
    expect(healthWarnings('a', fresh, now, false)).toEqual([]);
    expect(healthWarnings('a', fresh, now, false, rules).map((w) => w.kind)).toEqual(['never_contacted']);
  });
});
