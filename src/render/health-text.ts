// `runnerform health` as text: one block per finding (rule, address, manager,
// what is wrong, the remedy), then a one-line summary. Server text is escaped.
import { escapeInvisible } from '../plan/address.js';
import { redactTokens } from '../secrets.js';
import type { HealthReport } from '../health/report.js';

export function renderHealthText(report: HealthReport, source: string): string {
  const lines: string[] = [];
  const n = report.runners.length;
  const head = `Checked ${n} declared runner${n === 1 ? '' : 's'} of ${source} against ${report.gitlab_url} (GitLab ${report.gitlab_version ?? 'version unknown'}).`;
  lines.push(head, '');
  if (report.findings.length === 0) {
    lines.push('Healthy: no findings.');
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
  lines.push('', `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}: ${counts}.`);
  return clean(lines);
}

function clean(lines: string[]): string {
  return `${redactTokens(escapeInvisible(lines.join('\n'), '\n'))}\n`;
}
