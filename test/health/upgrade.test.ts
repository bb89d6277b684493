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
