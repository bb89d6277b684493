// `runnerform health` as text: one block per finding (rule, address, manager,
// what is wrong, the remedy), then a one-line summary. Server text is escaped.
import { escapeInvisible } from '../plan/address.js';
import { redactTokens } from '../secrets.js';
import type { HealthReport } from '../health/report.js';
import { UPGRADE_STATUSES } from '../health/upgrade.js';

export function renderHealthText(report: HealthReport, source: string): string {
  const lines: string[] = [];
  const n = report.runners.length;
  const head = `Checked ${n} declared runner${n === 1 ? '' : 's'} of ${source} against ${report.gitlab_url} (GitLab ${report.gitlab_version ?? 'version unknown'}).`;
  lines.push(head, '');
  if (report.findings.length === 0) {
    lines.push('Healthy: no findings.', ...upgrades(report));
    return clean(lines);
  }
  for (const f of report.findings) {
    const who = f.system_id === null ? f.address : `${f.address} manager ${f.system_id}`;
    lines.push(`! ${f.rule}: ${who}${f.declared ? '' : ' (unmanaged)'}`);
    lines.push(`    ${f.message}`);
    lines.push(`    fix: ${f.remedy}`);
  }
  const byRule = new Map<string, number>();
  for (const f of report.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const counts = [...byRule.entries()].map(([rule, k]) => `${k} ${rule}`).join(', ');
  lines.push('', `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}: ${counts}.`, ...upgrades(report));
  return clean(lines);
}

/**
 * The managers' upgrade statuses counted, and each `available` one named: GitLab shows that as a
 * hint, not a problem, so it is no finding (`recommended` ones are, as version_skew or version_patch).
 */
/** How many `available` managers the text names; JSON and openmetrics carry all. */
const AVAILABLE_SHOWN = 10;

function upgrades(report: HealthReport): string[] {
  const rows = report.runners.flatMap((r) => (r.manager_upgrades ?? []).map((m) => ({ ...m, address: r.address })));
  if (rows.length === 0) return [];
  const counts = UPGRADE_STATUSES.map((s) => [s, rows.filter((m) => m.upgrade_status === s).length] as const).filter(([, k]) => k > 0);
  const out = ['', `Upgrade status of ${rows.length} runner manager${rows.length === 1 ? '' : 's'}: ${counts.map(([s, k]) => `${k} ${s}`).join(', ')}.`];
  const available = rows.filter((x) => x.upgrade_status === 'available');
  // A hint, not a finding: a fleet a minor behind would otherwise fill the screen.
  for (const m of available.slice(0, AVAILABLE_SHOWN)) {
    const behind = `${m.minors_behind} minor release${m.minors_behind === 1 ? '' : 's'}`;
    out.push(`  available: ${m.address} manager ${m.system_id} runs ${m.version}, ${behind} behind GitLab ${report.gitlab_version}: an upgrade is available, not yet recommended`);
  }
  const more = available.length - AVAILABLE_SHOWN;
  if (more > 0) out.push(`  … and ${more} more with an upgrade available (--format json lists every manager)`);
  return out;
}

function clean(lines: string[]): string {
  return `${redactTokens(escapeInvisible(lines.join('\n'), '\n'))}\n`;
}
