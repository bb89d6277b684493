// `health:` blocks of a desired-state file (file-wide, per scope, per runner),
// read into HealthSettings. The schema already checked their shape.
import type { HealthSettings } from '../model.js';
import { DEFAULT_HEALTH, durationMs, mergeHealth, type HealthBlock } from '../health/settings.js';
import { isRecord } from './document.js';

const DURATIONS = {
  stale_after: 'stale_after_ms',
  never_contacted_after: 'never_contacted_after_ms',
  offline_managers_after: 'offline_managers_after_ms',
  token_renew_before: 'token_renew_before_ms',
} as const;

function blockOf(raw: unknown): HealthBlock | undefined {
  if (!isRecord(raw)) return undefined;
  const out: HealthBlock = {};
  if (typeof raw.max_minor_skew === 'number') out.max_minor_skew = raw.max_minor_skew;
  for (const [key, field] of Object.entries(DURATIONS)) {
    const v = raw[key];
    if (typeof v === 'string') out[field] = durationMs(v) ?? undefined;
  }
  return out;
}

/** The settings of a scope: the defaults, then the file's `health:`, then the scope's. */
export function scopeHealth(fileValue: unknown, scopeBody: Record<string, unknown>): HealthSettings {
  const file = isRecord(fileValue) ? blockOf(fileValue.health) : undefined;
  return mergeHealth(mergeHealth({ ...DEFAULT_HEALTH }, file), blockOf(scopeBody.health));
}

/** A runner's settings: its scope's, then its own `health:`. */
export function runnerHealth(scope: HealthSettings, runnerBody: Record<string, unknown>): HealthSettings {
  return mergeHealth(scope, blockOf(runnerBody.health));
}
