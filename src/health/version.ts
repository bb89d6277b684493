// Version skew between a runner manager and GitLab, from the versions alone
// (GitLab's own check, lib/gitlab/ci/runner_upgrade_check.rb, is EE-only and
// needs its release list). Minors are counted across majors the way GitLab
// releases them: x.11 is followed by (x+1).0.

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** `17.11.2`, `v18.0.0`, `18.1.0~pre.1` → its numbers; null when it is not a version. */
export function parseVersion(text: string | null): Version | null {
  const m = text === null ? null : /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : null;
}

const MINORS_PER_MAJOR = 12;

/** How many minor releases `runner` trails `gitlab` by (0 when it is as new or newer). */
export function minorsBehind(runner: Version, gitlab: Version): number {
  const index = (v: Version) => v.major * MINORS_PER_MAJOR + v.minor;
  return Math.max(0, index(gitlab) - index(runner));
}
