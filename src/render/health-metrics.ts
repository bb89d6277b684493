// `runnerform health --format openmetrics`: gauges for Prometheus' textfile
// collector (node_exporter) or any OpenMetrics scraper. Gauges only, no
// timestamps, `# EOF` last: valid OpenMetrics text, and valid Prometheus text
// 0.0.4 too (where `# EOF` is a comment).
import { HEALTH_RULES, type HealthReport } from '../health/report.js';
import { MANAGER_STATUSES } from '../model.js';
import { redactTokens } from '../secrets.js';

type Labels = Record<string, string>;

/** OpenMetrics label value escaping: backslash, double quote, line feed. */
function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function sample(name: string, labels: Labels, value: number): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
  return `${name}${l ? `{${l}}` : ''} ${Number.isInteger(value) ? value : value.toFixed(3)}`;
}

function family(name: string, help: string, samples: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples];
}

export function renderHealthMetrics(report: HealthReport): string {
  const rows = report.runners;
  const lines = [
    ...family(
      'runnerform_runner_managers',
      'Runner managers (gitlab-runner hosts registered with the token) by status.',
      rows.flatMap((r) => (r.managers === null ? [] : MANAGER_STATUSES.map((s) => sample('runnerform_runner_managers', { address: r.address, status: s }, r.managers![s])))),
    ),
    ...family(
      'runnerform_runner_version_skew_minors',
      'Most minor releases any manager of the runner trails GitLab by.',
      rows.flatMap((r) => (r.version_skew_minors === null ? [] : [sample('runnerform_runner_version_skew_minors', { address: r.address }, r.version_skew_minors)])),
    ),
    ...family(
      'runnerform_runner_manager_upgrade_status',
      "Each runner manager's upgrade status (GitLab's rule, from the versions the read returned) as a label; always 1.",
      // One sample per manager, not one per status: a fleet of 2,000 managers stays 2,000 series.
      rows.flatMap((r) =>
        (r.manager_upgrades ?? []).map((m) => sample('runnerform_runner_manager_upgrade_status', { address: r.address, system_id: m.system_id, version: m.version ?? '', status: m.upgrade_status }, 1)),
      ),
    ),
    ...family(
      'runnerform_runner_token_expires_seconds',
      'Seconds until the runner token expires (negative: expired); absent when it never expires or is not known (an unknown finding then says so).',
      rows.flatMap((r) => (r.token_expires_in_s === null ? [] : [sample('runnerform_runner_token_expires_seconds', { address: r.address }, r.token_expires_in_s)])),
    ),
    ...family(
      'runnerform_health_findings',
      'Health findings by rule.',
      HEALTH_RULES.map((rule) => sample('runnerform_health_findings', { rule }, report.findings.filter((f) => f.rule === rule).length)),
    ),
    '# EOF',
  ];
  return redactTokens(`${lines.join('\n')}\n`);
}
