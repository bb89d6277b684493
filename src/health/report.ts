// What `runnerform health` found: findings (a rule, the runner's address, the
// manager's system_id where one is involved, what is wrong and the one-line
// remedy) and one row of numbers per declared runner for the metrics output.
// Plain data: health/rules.ts decides it, render/health-*.ts only render it.
import type { ManagerStatus, RunnerStatus } from '../model.js';
import type { UpgradeStatus } from './upgrade.js';

export const HEALTH_RULES = [
  'version_skew',
  'version_patch',
  'offline_manager',
  'stale',
  'never_contacted',
  'legacy_registration',
  'stale_pruning',
  'token_expiring',
  'token_expired',
  'token_self_rotated',
  'unknown',
] as const;
export type HealthRule = (typeof HEALTH_RULES)[number];

export interface HealthFinding {
  rule: HealthRule;
  /** The runner's address (plan/address.ts); the scope's or `gitlab` for a finding about more than one runner. */
  address: string;
  runner_id: number | null;
  /** The runner manager involved, if any. */
  system_id: string | null;
  /** false: a runner of a declared scope that the file does not declare (unmanaged). */
  declared: boolean;
  message: string;
  remedy: string;
}

export interface RunnerHealthRow {
  address: string;
  runner_id: number;
  status: RunnerStatus;
  /** Managers by status; null: GitLab did not say. */
  managers: Record<ManagerStatus, number> | null;
  /** The most minors any manager trails GitLab by; null: unknown (no version, no managers, or GitLab's version unknown). */
  version_skew_minors: number | null;
  /** Each manager's upgrade status (health/upgrade.ts), in GitLab's order; null: GitLab did not say the managers. */
  manager_upgrades: ManagerUpgradeRow[] | null;
  /** Seconds until the token expires (negative: expired); null: it never expires, or GitLab did not say. */
  token_expires_in_s: number | null;
}

export interface ManagerUpgradeRow {
  system_id: string;
  /** As the manager reported it; null: it did not say. */
  version: string | null;
  upgrade_status: UpgradeStatus;
  /** Minor releases it trails GitLab by; null: either version unknown. */
  minors_behind: number | null;
  /** With `recommended` for a newer patch: the release some manager runs (the finding names where). */
  newer_patch: string | null;
}

export interface HealthReport {
  gitlab_url: string;
  gitlab_version: string | null;
  /** The clock the rules used (ISO 8601). */
  checked_at: string;
  runners: RunnerHealthRow[];
  /** In scope order, then address, then rule. */
  findings: HealthFinding[];
}
