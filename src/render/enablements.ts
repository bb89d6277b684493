// The enable/disable sub-changes of a project runner's change (the engine decided
// them in plan/project-enablement.ts; this only prints them).
import type { Change, Plan } from '../model.js';
import { escapeInvisible } from '../plan/address.js';
import type { Line, Sign } from './line.js';

/** `+ enable in acme/web`, `- disable in acme/legacy`, each with GitLab's refusal when there is one. */
export function enablementLines(change: Change): Line[] {
  const list = change.enablements ?? [];
  if (list.length === 0) return [];
  const head = change.action === 'delete' ? '# first disabled in the other projects it is enabled in:' : '# projects besides its owner project (also_in):';
  const lines: Line[] = [{ indent: 0, text: head }];
  for (const e of list) {
    const path = escapeInvisible(e.project.path);
    lines.push({ indent: 2, sign: e.action === 'enable' ? '+' : '-', text: `${e.action} in ${path}` });
    if (e.refused !== null) lines.push({ indent: 4, text: `# GitLab will refuse this: ${e.refused}`, style: 'danger' });
  }
  return lines;
}

/** The signs the change's enablement lines use (for the legend). */
export function enablementSigns(change: Change): Sign[] {
  return (change.enablements ?? []).map((e) => (e.action === 'enable' ? '+' : '-'));
}

/** The header of a change that only enables or disables: `will be enabled in 2 more projects`, `… and disabled in 1`. */
export function enablementHeader(change: Change): string {
  const list = change.enablements ?? [];
  const enable = list.filter((e) => e.action === 'enable').length;
  const disable = list.length - enable;
  const more = (n: number) => `${n} more project${n === 1 ? '' : 's'}`;
  if (disable === 0) return `will be enabled in ${more(enable)}`;
  const off = `disabled in ${disable} project${disable === 1 ? '' : 's'}`;
  return enable === 0 ? `will be ${off}` : `will be enabled in ${more(enable)} and ${off}`;
}

/** `, 2 to enable in projects, 1 to disable` for the summary line, or nothing. */
export function enablementSummary(plan: Plan): string {
  const { enable, disable } = plan.summary;
  if (enable === undefined && disable === undefined) return '';
  return `, ${enable ?? 0} to enable in projects, ${disable ?? 0} to disable`;
}
