// `runnerform health --format json`: the report with a fixed key order.
import { redactTokens } from '../secrets.js';
import type { HealthReport } from '../health/report.js';

export function renderHealthJson(report: HealthReport): string {
  const value = {
    format_version: 1,
    gitlab_url: report.gitlab_url,
    gitlab_version: report.gitlab_version,
    checked_at: report.checked_at,
    healthy: report.findings.length === 0,
    findings: report.findings.map((f) => ({
      rule: f.rule,
      address: f.address,
      runner_id: f.runner_id,
      system_id: f.system_id,
      declared: f.declared,
      message: f.message,
      remedy: f.remedy,
    })),
    runners: report.runners.map((r) => ({
      address: r.address,
      runner_id: r.runner_id,
      status: r.status,
      managers: r.managers,
      version_skew_minors: r.version_skew_minors,
      manager_upgrades: r.manager_upgrades?.map((m) => ({ system_id: m.system_id, version: m.version, upgrade_status: m.upgrade_status, minors_behind: m.minors_behind, newer_patch: m.newer_patch })) ?? null,
      token_expires_in_s: r.token_expires_in_s,
    })),
  };
  return redactTokens(`${JSON.stringify(value, null, 2)}\n`);
}
