// The health report as text: the upgrade hint stays short on a large fleet.
import { describe, expect, it } from 'vitest';
import type { HealthReport, RunnerHealthRow } from '../../src/health/report.js';
import { renderHealthText } from '../../src/render/health-text.js';

const row = (i: number): RunnerHealthRow => ({
  address: `group["acme/platform"].runner["r${i}"]`,
  runner_id: i,
  status: 'online',
  managers: { online: 1, offline: 0, stale: 0, never_contacted: 0 },
  version_skew_minors: 1,
  manager_upgrades: [{ system_id: `s_${i}`, version: '18.5.2', upgrade_status: 'available', minors_behind: 1, newer_patch: null }],
  token_expires_in_s: null,
});

const report = (n: number): HealthReport => ({
  gitlab_url: 'https://gitlab.example.com',
  gitlab_version: '18.6.1',
  checked_at: '2026-06-01T00:00:00.000Z',
  runners: Array.from({ length: n }, (_, i) => row(i + 1)),
  findings: [],
});

describe('health text', () => {
  it('names at most 10 managers with an upgrade available, and says how many more JSON lists', () => {
    const text = renderHealthText(report(13), 'runners.yaml');
    expect(text).toContain('Upgrade status of 13 runner managers: 13 available.');
    const named = text.split('\n').filter((l) => l.startsWith('  available: '));
    expect(named).toHaveLength(10);
    expect(named[0]).toBe('  available: group["acme/platform"].runner["r1"] manager s_1 runs 18.5.2, 1 minor release behind GitLab 18.6.1: an upgrade is available, not yet recommended');
    expect(text).toContain('  … and 3 more with an upgrade available (--format json lists every manager)');
    const few = renderHealthText(report(10), 'runners.yaml');
    expect(few.split('\n').filter((l) => l.startsWith('  available: '))).toHaveLength(10);
    expect(few).not.toContain('more with an upgrade available');
  });
});
