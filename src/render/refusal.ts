// The mark under a change GitLab will refuse (the engine decided; this only prints).
import type { Change, Plan } from '../model.js';
import type { Line } from './lines.js';

/** `# GitLab will refuse this: …` under the change's header, or nothing. */
export function refusalLines(change: Change): Line[] {
  return change.refused === null ? [] : [{ indent: 0, text: `# GitLab will refuse this: ${change.refused}`, style: 'danger' }];
}

/** ` 1 refused by GitLab (not applied).` after the summary, or nothing. */
export function refusedSummary(plan: Plan): string {
  const n = plan.summary.refused;
  return n > 0 ? ` ${n} GitLab will refuse (apply skips ${n === 1 ? 'it' : 'them'}).` : '';
}
