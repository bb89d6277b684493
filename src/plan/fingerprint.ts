// A fingerprint of the live runners a plan was computed from. apply re-reads
// the same scopes and refuses a saved plan whose fingerprint no longer matches
// ("plan is stale"). GitLab is the state, so this stands in for Terraform's
// state serial. Empty scopes count, so a plan made against nothing is not
// replayable once something appears. Status and last contact are left out:
// they change all the time without anyone touching the runner.
import { createHash } from 'node:crypto';
import type { LiveRunner, LiveScope } from '../model.js';
import { normalizeLive } from './attrs.js';

const TYPE_ORDER = { group: 0, project: 1, instance: 2 } as const;

function canonicalRunner(r: LiveRunner): unknown[] {
  const a = normalizeLive(r.attrs);
  return [
    r.id,
    r.description,
    a.paused,
    a.locked,
    a.run_untagged,
    a.tag_list,
    a.access_level,
    a.maximum_timeout,
    a.maintenance_note,
  ];
}

/** sha256 (hex) over every scope (type, id) and its owned runners; scope order does not matter. */
export function fingerprintLive(scopes: readonly LiveScope[]): string {
  const canonical = scopes
    .map((s) => ({
      type: s.scope.type,
      id: s.scope.id,
      runners: [...s.owned].sort((a, b) => a.id - b.id).map(canonicalRunner),
    }))
    .sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.id ?? 0) - (b.id ?? 0))
    // The same scope read twice (declared by path and by id) counts once.
    .filter((s, i, all) => {
      const prev = all[i - 1];
      return prev === undefined || s.type !== prev.type || s.id !== prev.id;
    });
  const text = JSON.stringify(['runnerform-live-v1', canonical]);
  return createHash('sha256').update(text).digest('hex');
}
