// Lines printed while applying, and the closing summary. Model in, string out.
import { isDeliveryFailure, type ApplyEvent, type ApplyReport } from '../apply/executor.js';
import { onlyEnablements, type Change } from '../model.js';
import { plural } from './lines.js';

const VERB = {
  create: ['Creating', 'Creation complete'],
  update: ['Modifying', 'Modifications complete'],
  delete: ['Destroying', 'Destruction complete'],
  'no-op': ['Checking', 'Checked'],
  'token-reset': ['Resetting token', 'Token reset complete'],
} as const satisfies Record<Change['action'], readonly [string, string]>;

/** A change that only enables or disables the runner in projects modifies nothing of the runner itself. */
const PROJECTS_VERB = ['Changing the projects it is enabled in', 'Projects changed'] as const;

export function renderApplyEvent(event: ApplyEvent): string {
  if (event.type === 'redelivered') return `${event.address}: stored token delivered to ${event.where} [id=${event.runner_id}]\n`;
  if (event.type === 'redelivery-failed') return `${event.address}: FAILED: ${event.error.message}\n`;
  const { change } = event;
  const [starting, finished] = onlyEnablements(change) ? PROJECTS_VERB : VERB[change.action];
  switch (event.type) {
    case 'start':
      return `${change.address}: ${starting}...\n`;
    case 'done':
      return `${change.address}: ${finished} [id=${event.runner_id}]${event.note ? ` (${event.note})` : ''}\n`;
    case 'failed':
      return `${change.address}: FAILED: ${event.error.message}\n`;
  }
}

/**
 * `1 created, 0 updated, 0 deleted, 1 token reset, 1 stored token delivered, 2 enabled in projects, 0 disabled`:
 * what happened, whatever failed after it, counted as the plan counts (render/lines.ts summaryLine).
 */
function doneCounts(report: ApplyReport): string {
  const delivered = report.redelivered.filter((r) => !r.error).length;
  const resets = report.reset > 0 ? `, ${plural(report.reset, 'token')} reset` : '';
  const deliveries = delivered > 0 ? `, ${plural(delivered, 'stored token')} delivered` : '';
  const projects = report.enabled !== undefined || report.disabled !== undefined ? `, ${report.enabled ?? 0} enabled in projects, ${report.disabled ?? 0} disabled` : '';
  return `${report.created} created, ${report.updated} updated, ${report.deleted} deleted${resets}${deliveries}${projects}`;
}

/** `1 delivery failed, 1 failed, 2 not started`: only the parts that are not zero. */
function failureCounts(report: ApplyReport): string {
  const parts = [
    report.deliveryFailed > 0 ? `${report.deliveryFailed} ${report.deliveryFailed === 1 ? 'delivery' : 'deliveries'} failed` : null,
    report.failed > 0 ? `${report.failed} failed` : null,
    report.notStarted > 0 ? `${report.notStarted} not started` : null,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

export function renderApplySummary(report: ApplyReport, how: { signal?: string } = {}): string {
  const counts = doneCounts(report);
  const failures = failureCounts(report);
  if (failures === '') return `\nApply complete: ${counts}.\n`;
  const inFlight = report.deliveryFailed === 0 ? 'Changes in flight finished and their tokens were stored and delivered.' : 'Changes in flight finished.';
  const lines = report.interrupted
    ? [`\nApply interrupted${how.signal ? ` by ${how.signal}` : ''}: ${counts}; ${failures}. ${inFlight}`]
    : [`\nApply failed: ${counts}; ${failures}.`];
  const redeliveryFailed = report.redelivered.filter((r) => r.error);
  if (redeliveryFailed.length) lines.push('Stored tokens not delivered:', ...redeliveryFailed.map((r) => `  ${r.address}: ${r.error!.message}`));
  const undelivered = report.outcomes.filter(isDeliveryFailure);
  const failed = report.outcomes.filter((o) => o.status === 'failed' && !isDeliveryFailure(o));
  const notStarted = report.outcomes.filter((o) => o.status === 'not-started');
  const why = (o: (typeof failed)[number]) => `  ${o.change.address}: ${o.error?.message ?? 'unknown error'}`;
  if (undelivered.length) lines.push('Tokens not delivered:', ...undelivered.map(why));
  if (failed.length) lines.push('Failed:', ...failed.map(why));
  if (notStarted.length) lines.push('Not started:', ...notStarted.map((o) => `  ${o.change.address} (${o.change.action})`));
  lines.push(
    report.interrupted
      ? 'Nothing else was changed. Run apply again to make the changes that were not started.'
      : 'Nothing else was changed. Fix the cause and run apply again: it converges from where it stopped.',
  );
  return lines.join('\n') + '\n';
}

/** True when anything failed or was not started: apply exits 1. */
export function applyFailed(report: ApplyReport): boolean {
  return failureCounts(report) !== '';
}
