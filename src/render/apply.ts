// Lines printed while applying, and the closing summary. Model in, string out.
import type { ApplyEvent, ApplyReport } from '../apply/executor.js';
import type { Change } from '../model.js';

const VERB = {
  create: ['Creating', 'Creation complete'],
  update: ['Modifying', 'Modifications complete'],
  delete: ['Destroying', 'Destruction complete'],
  'no-op': ['Checking', 'Checked'],
  'token-reset': ['Resetting token', 'Token reset complete'],
} as const satisfies Record<Change['action'], readonly [string, string]>;

export function renderApplyEvent(event: ApplyEvent): string {
  if (event.type === 'redelivered') return `${event.address}: stored token delivered to ${event.where} [id=${event.runnerId}]\n`;
  if (event.type === 'redelivery-failed') return `${event.address}: FAILED: ${event.error.message}\n`;
  const { change } = event;
  const [starting, finished] = VERB[change.action];
  switch (event.type) {
    case 'start':
      return `${change.address}: ${starting}...\n`;
    case 'done':
      return `${change.address}: ${finished} [id=${event.runnerId}]${event.note ? ` (${event.note})` : ''}\n`;
    case 'failed':
      return `${change.address}: FAILED: ${event.error.message}\n`;
  }
}

export function renderApplySummary(report: ApplyReport, how: { signal?: string } = {}): string {
  const resets = report.reset > 0 ? `, ${report.reset} token${report.reset === 1 ? '' : 's'} reset` : '';
  const counts = `${report.created} created, ${report.updated} updated, ${report.deleted} deleted${resets}`;
  const redeliveryFailed = report.redelivered.filter((r) => r.error);
  if (report.failed === 0 && report.notStarted === 0 && redeliveryFailed.length === 0) return `\nApply complete: ${counts}.\n`;
  // A change GitLab carried out whose token did not arrive is counted as done above and named here.
  const undelivered = report.deliveryFailed + redeliveryFailed.length;
  const changesFailed = report.failed - report.deliveryFailed;
  // Only the parts that are not zero (the same wording as the plan-truth branch's summary).
  const failures = [
    undelivered > 0 ? `${undelivered} ${undelivered === 1 ? 'delivery' : 'deliveries'} failed` : null,
    changesFailed > 0 ? `${changesFailed} failed` : null,
    report.notStarted > 0 ? `${report.notStarted} not started` : null,
  ]
    .filter((p) => p !== null)
    .join(', ');
  const lines = report.interrupted
    ? [
        `\nApply interrupted${how.signal ? ` by ${how.signal}` : ''}: ${counts}; ${failures}. Changes in flight finished and their tokens were stored${undelivered > 0 ? '' : ' and delivered'}.`,
      ]
    : [`\nApply failed: ${counts}; ${failures}.`];
  if (redeliveryFailed.length) lines.push('Stored tokens not delivered:', ...redeliveryFailed.map((r) => `  ${r.address}: ${r.error!.message}`));
  const failed = report.outcomes.filter((o) => o.status === 'failed');
  const notStarted = report.outcomes.filter((o) => o.status === 'not-started');
  if (failed.length) lines.push('Failed:', ...failed.map((o) => `  ${o.change.address}: ${o.error?.message ?? 'unknown error'}`));
  if (notStarted.length) lines.push('Not started:', ...notStarted.map((o) => `  ${o.change.address} (${o.change.action})`));
  lines.push(
    report.interrupted
      ? 'Nothing else was changed. Run apply again to make the changes that were not started.'
      : 'Nothing else was changed. Fix the cause and run apply again: it converges from where it stopped.',
  );
  return lines.join('\n') + '\n';
}
