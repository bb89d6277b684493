// A runner manager's upgrade status, GitLab's RunnerManager.upgradeStatus computed
// from the data alone. GitLab's (EE only: ee/app/graphql/ee/types/ci/runner_manager_type.rb)
// asks lib/gitlab/ci/runner_upgrade_check.rb, which compares the manager's version with
// the list of every gitlab-runner release: `recommended` when a newer release of the
// manager's own minor exists or the manager is outside the backport window (more than 2
// minors behind), `available` when a newer release of GitLab's own minor exists,
// `not_available` otherwise. Without that list, a newer patch is "known" only when some
// manager in the read runs it: the status here is a lower bound of GitLab's.
import type { Version } from './version.js';
import { minorsBehind, parseVersion } from './version.js';

/** The values of GitLab's CiRunnerUpgradeStatus enum (app/graphql/types/ci/runner_upgrade_status_enum.rb), lower-cased. */
export const UPGRADE_STATUSES = ['recommended', 'available', 'not_available', 'unknown'] as const;
export type UpgradeStatus = (typeof UPGRADE_STATUSES)[number];

/** A manager that runs a newer patch release: the proof it exists. */
export interface PatchWitness {
  version: string;
  system_id: string;
  /** The runner it registered with, as a message names it. */
  runner: string;
}

/** `major.minor` → the newest release any manager in the read runs. */
export type NewestPatches = ReadonlyMap<string, PatchWitness & { parsed: Version }>;

export interface UpgradeCheck {
  status: UpgradeStatus;
  /** Minors behind GitLab; null when either version is unknown. */
  behind: number | null;
  /** The newer patch of the manager's own minor someone runs; null: none known. */
  newer_patch: PatchWitness | null;
}

const minorKey = (v: Version) => `${v.major}.${v.minor}`;

/**
 * A published release: `18.5.3`, not `18.6.0~pre.1.g1234abcd` (a build from the main branch).
 * GitLab orders a suffixed version before its release (lib/gitlab/version_info.rb#<=>) and
 * lists only published releases, so only a release proves a newer patch exists.
 */
export function parseRelease(text: string | null): Version | null {
  return text !== null && /^v?\d+\.\d+\.\d+$/.test(text.trim()) ? parseVersion(text) : null;
}

/** Is `release` newer than `running`, in GitLab's order (a suffixed build comes before its release)? */
function newer(release: Version, running: Version, runningText: string): boolean {
  if (release.patch !== running.patch) return release.patch > running.patch;
  return parseRelease(runningText) === null;
}

/** The newest release per minor among `managers`; the first seen wins a tie, so the same read gives the same witness. */
export function newestPatches(managers: Iterable<{ version: string | null; system_id: string; runner: string }>): NewestPatches {
  const out = new Map<string, PatchWitness & { parsed: Version }>();
  for (const m of managers) {
    const parsed = parseRelease(m.version);
    if (parsed === null) continue;
    const best = out.get(minorKey(parsed));
    if (!best || parsed.patch > best.parsed.patch) out.set(minorKey(parsed), { version: m.version!.trim(), system_id: m.system_id, runner: m.runner, parsed });
  }
  return out;
}

/** The upgrade status of a manager running `version` (as it reported it) against GitLab's version. */
export function upgradeStatus(version: string | null, gitlab: Version | null, maxMinorSkew: number, newest: NewestPatches): UpgradeCheck {
  const running = parseVersion(version);
  if (running === null || version === null) return { status: 'unknown', behind: null, newer_patch: null };
  const best = newest.get(minorKey(running));
  const witness = best && newer(best.parsed, running, version) ? { version: best.version, system_id: best.system_id, runner: best.runner } : null;
  const behind = gitlab === null ? null : minorsBehind(running, gitlab);
  // A newer patch of its own minor is recommended whatever GitLab's version (runner_upgrade_check.rb asks no more).
  if (witness !== null || (behind !== null && behind > maxMinorSkew)) return { status: 'recommended', behind, newer_patch: witness };
  if (behind === null) return { status: 'unknown', behind, newer_patch: null };
  return { status: behind > 0 ? 'available' : 'not_available', behind, newer_patch: null };
}
