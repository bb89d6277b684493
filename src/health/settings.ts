// The health rules' defaults and the merge of `health:` blocks (file, scope,
// runner: the nearer one wins, key by key). Pure: config/ hands in the values.
import type { HealthSettings } from '../model.js';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

/**
 * GitLab's own numbers where it has one: `lib/gitlab/ci/runner_upgrade_check.rb` recommends an
 * upgrade more than 2 minors behind; `app/models/ci/runner.rb` STALE_TIMEOUT = 7.days and
 * ONLINE_CONTACT_TIMEOUT = 2.hours (a manager silent longer is offline).
 */
export const DEFAULT_HEALTH: Readonly<HealthSettings> = Object.freeze({
  max_minor_skew: 2,
  stale_after_ms: 7 * DAY,
  never_contacted_after_ms: HOUR,
  offline_managers_after_ms: 2 * HOUR,
  token_renew_before_ms: null,
});

/** Without `token_renew_before`, tokens expiring within this window are still reported. */
export const TOKEN_WARN_WINDOW_MS = 7 * DAY;

/** One `health:` block as written, durations already in milliseconds. */
export type HealthBlock = Partial<HealthSettings>;

/** `base` with the keys `block` sets replaced. */
export function mergeHealth(base: HealthSettings, block: HealthBlock | undefined): HealthSettings {
  if (!block) return base;
  const out = { ...base };
  for (const [k, v] of Object.entries(block) as [keyof HealthSettings, number | null | undefined][]) {
    if (v !== undefined) (out as Record<string, number | null>)[k] = v;
  }
  return out;
}

const UNIT_MS = { s: 1000, m: 60_000, h: HOUR, d: DAY, w: 7 * DAY } as const;

/** `30m`, `2h`, `7d`, `2w` → milliseconds; null for anything else (the schema's pattern rejects it first). */
export function durationMs(text: string): number | null {
  const m = /^(\d+)([smhdw])$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

/** The inverse of durationMs for messages: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['w', UNIT_MS.w], ['d', DAY], ['h', HOUR], ['m', 60_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
