// The soak's `also_in:` edits: each cycle some project runners are enabled in
// more of the soak's projects or disabled from some (plan/project-enablement.ts).
// A runner with also_in is kept unlocked: GitLab refuses a locked runner's enable
// and disable to the soak's non-administrator token, and the soak checks convergence.
import type { Rng } from './rng.js';
import type { SoakScope } from './desired.js';

/** The projects a runner of `owner` may be enabled in: the soak's other projects. */
function others(owner: string, projects: string[]): string[] {
  return projects.filter((p) => p !== owner);
}

/** One cycle's also_in edits; returns a note like "also_in~2" (empty when none). */
export function mutateAlsoIn(scopes: SoakScope[], projects: string[], rng: Rng): string {
  let edits = 0;
  for (const s of scopes.filter((x) => x.kind === 'project')) {
    for (const r of s.runners) {
      if (r.alsoIn === undefined ? rng.chance(0.5) : rng.chance(0.3)) {
        r.alsoIn = others(s.path, projects).filter(() => rng.chance(0.5));
        edits++;
      }
      if (r.alsoIn !== undefined) r.attrs = { ...r.attrs, locked: false };
    }
  }
  return edits > 0 ? `also_in~${edits}` : '';
}
