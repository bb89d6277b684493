// A runner manager's upgrade status from the data alone (health/upgrade.ts), against
// GitLab's rule in lib/gitlab/ci/runner_upgrade_check.rb.
import { describe, expect, it } from 'vitest';
import { newestPatches, parseRelease, upgradeStatus } from '../../src/health/upgrade.js';
import { parseVersion } from '../../src/health/version.js';

const gitlab = (s: string) => parseVersion(s)!;
/** The fleet as the read returned it: each entry one manager of runner `r<i>`. */
const fleet = (...versions: (string | null)[]) => newestPatches(versions.map((version, i) => ({ version, system_id: `s_${i}`, runner: `r${i}` })));
const NONE = fleet();

describe('upgradeStatus', () => {
  it('is not_available at GitLab\'s minor or newer, available behind it within max_minor_skew, recommended beyond', () => {
    const gl = gitlab('18.6.1-ee');
    expect(upgradeStatus('18.6.0', gl, 2, NONE)).toEqual({ status: 'not_available', behind: 0, newer_patch: null });
    expect(upgradeStatus('18.7.2', gl, 2, NONE)).toEqual({ status: 'not_available', behind: 0, newer_patch: null });
    expect(upgradeStatus('18.5.3', gl, 2, NONE)).toEqual({ status: 'available', behind: 1, newer_patch: null });
    expect(upgradeStatus('18.4.0', gl, 2, NONE)).toEqual({ status: 'available', behind: 2, newer_patch: null });
    expect(upgradeStatus('18.3.9', gl, 2, NONE)).toEqual({ status: 'recommended', behind: 3, newer_patch: null });
    // max_minor_skew moves the line between available and recommended.
    expect(upgradeStatus('18.5.3', gl, 0, NONE).status).toBe('recommended');
    expect(upgradeStatus('18.3.9', gl, 3, NONE).status).toBe('available');
  });

  it('counts minors across a major the way GitLab releases them: x.11, then (x+1).0', () => {
    expect(upgradeStatus('17.11.4', gitlab('18.0.0'), 2, NONE)).toEqual({ status: 'available', behind: 1, newer_patch: null });
    expect(upgradeStatus('17.11.0', gitlab('18.1.2'), 2, NONE)).toEqual({ status: 'available', behind: 2, newer_patch: null });
    expect(upgradeStatus('17.10.0', gitlab('18.1.2'), 2, NONE)).toEqual({ status: 'recommended', behind: 3, newer_patch: null });
    expect(upgradeStatus('18.0.0', gitlab('17.11.0'), 2, NONE).status).toBe('not_available');
  });

  it('recommends a newer patch of the manager\'s own minor that some manager runs, naming it, even at GitLab\'s minor', () => {
    const known = fleet('18.6.0', '18.6.2', '18.6.1', '18.5.1');
    expect(upgradeStatus('18.6.0', gitlab('18.6.1'), 2, known)).toEqual({ status: 'recommended', behind: 0, newer_patch: { version: '18.6.2', system_id: 's_1', runner: 'r1' } });
    expect(upgradeStatus('18.6.2', gitlab('18.6.1'), 2, known)).toEqual({ status: 'not_available', behind: 0, newer_patch: null });
    // Another minor's newer release is no patch of this one: 18.5.1 behind 18.6 is only available.
    expect(upgradeStatus('18.5.1', gitlab('18.6.1'), 2, known)).toEqual({ status: 'available', behind: 1, newer_patch: null });
  });

  it('the first manager seen with the newest patch is the one named (the same read, the same message)', () => {
    const known = fleet('18.6.2', '18.6.2');
    expect(upgradeStatus('18.6.0', gitlab('18.6.1'), 2, known).newer_patch?.system_id).toBe('s_0');
  });

  it('orders a prerelease build before its release (lib/gitlab/version_info.rb), and a prerelease proves no release', () => {
    const gl = gitlab('18.1.0');
    // 18.1.0 is published: 18.1.0~pre.1 (a build of the main branch) trails it.
    expect(upgradeStatus('18.1.0~pre.1', gl, 2, fleet('18.1.0'))).toEqual({ status: 'recommended', behind: 0, newer_patch: { version: '18.1.0', system_id: 's_0', runner: 'r0' } });
    expect(upgradeStatus('18.1.0~pre.1', gl, 2, NONE)).toEqual({ status: 'not_available', behind: 0, newer_patch: null });
    // Someone running 18.1.1~pre.2 does not show that 18.1.1 was released.
    expect(upgradeStatus('18.1.0', gl, 2, fleet('18.1.1~pre.2.g1234abcd'))).toEqual({ status: 'not_available', behind: 0, newer_patch: null });
    expect(parseRelease('18.1.1~pre.2.g1234abcd')).toBeNull();
    expect(parseRelease(' v18.1.1 ')).toEqual({ major: 18, minor: 1, patch: 1 });
  });

  it('is unknown without a version, or without GitLab\'s, unless a newer patch is known (recommended whatever GitLab runs)', () => {
    const known = fleet('18.6.2');
    expect(upgradeStatus(null, gitlab('18.6.1'), 2, known)).toEqual({ status: 'unknown', behind: null, newer_patch: null });
    expect(upgradeStatus('development', gitlab('18.6.1'), 2, known)).toEqual({ status: 'unknown', behind: null, newer_patch: null });
    expect(upgradeStatus('18.2.0', null, 2, known)).toEqual({ status: 'unknown', behind: null, newer_patch: null });
    expect(upgradeStatus('18.6.0', null, 2, known)).toEqual({ status: 'recommended', behind: null, newer_patch: { version: '18.6.2', system_id: 's_0', runner: 'r0' } });
  });

  it('ignores managers that reported no version, or no release, when looking for a newer patch', () => {
    const known = fleet(null, 'development', '18.6');
    expect([...known.keys()]).toEqual([]);
  });
});

describe('checkHealth without GitLab\'s version', () => {
  it('still reports a newer patch (version_patch) and says the rest is unknown, never healthy', async () => {
    const { checkHealth } = await import('../../src/health/rules.js');
    const scope = { type: 'group' as const, id: 11, path: 'acme/platform' };
    const contacted = '2026-12-01T00:00:00Z';
    const manager = (system_id: string, version: string) => ({ system_id, version, revision: null, platform: null, architecture: null, status: 'online' as const, contacted_at: contacted, job_execution_status: null });
    const runner = {
      id: 5, description: 'docker', runner_type: 'group_type' as const, status: 'online' as const, contacted_at: contacted, ownership: 'owned' as const, created_at: '2026-11-01T00:00:00Z', token_expires_at: null,
      attrs: { paused: false, locked: false, run_untagged: true, tag_list: [], access_level: 'not_protected' as const, maximum_timeout: null, maintenance_note: null },
      health: { managers: [manager('s_old', '18.6.0'), manager('s_new', '18.6.2')], managers_truncated: false, creation_method: 'authenticated_user' as const },
    };
    const report = checkHealth({
      desired: { files: [], scopes: [{ ref: { type: 'group', path: 'acme/platform' }, prune: false, source: { file: 'f', line: 1, column: 1 }, runners: [{ description: 'docker', attrs: {}, source: { file: 'f', line: 1, column: 1 }, token: null, renamed_from: [] }] }] },
      live: { gitlabUrl: 'https://gitlab.example.com', scopes: [{ ref: { type: 'group', path: 'acme/platform' }, scope, owned: [runner], visible: [] }] },
      gitlab_version: null,
      pruning: { 11: false },
      stored: {},
      now: new Date('2026-12-01T00:10:00Z'),
    });
    expect(report.findings.map((f) => [f.rule, f.system_id, f.message])).toEqual([
      ['version_patch', 's_old', 'manager s_old runs gitlab-runner 18.6.0; 18.6.2, a newer patch release of 18.6, runs on manager s_new of runner group["acme/platform"].runner["docker"]'],
      ['unknown', null, 'GitLab did not say its version: version skew not checked, and upgrade status unknown but for a newer patch some manager runs'],
    ]);
    expect(report.runners[0]?.manager_upgrades).toEqual([
      { system_id: 's_old', version: '18.6.0', upgrade_status: 'recommended', minors_behind: null, newer_patch: '18.6.2' },
      { system_id: 's_new', version: '18.6.2', upgrade_status: 'unknown', minors_behind: null, newer_patch: null },
    ]);
  });
});
