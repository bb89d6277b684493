// The terminal rendering of a plan, after Terraform: a symbol legend, deletions
// first under a banner (saying why: undeclared or duplicate), then the stored
// tokens to deliver, creates and updates showing only what changes, the unmanaged
// runners, and one summary line. Colour only when asked.
import { hasChanges, type Change, type DeleteChange, type Plan } from '../model.js';
import {
  LEGEND_TITLE,
  changeLines,
  deletionReason,
  deliveryLines,
  legendLines,
  plural,
  printable,
  runnerInfo,
  summaryLine,
  warningLines,
  type Line,
  type Sign,
} from './lines.js';
import { redactTokens } from '../secrets.js';

export interface TextOptions {
  color: boolean;
  /** How the desired state is named in messages, e.g. "runners.yaml". */
  source: string;
}

/** Plain functions (not methods): they are passed unbound, as in `.map(paint.danger)`. */
interface Paint {
  readonly bold: (s: string) => string;
  readonly danger: (s: string) => string;
  readonly warning: (s: string) => string;
  readonly sign: (sign: Sign) => string;
}

function palette(color: boolean): Paint {
  const wrap = (codes: string, s: string) => (color ? `\x1b[${codes}m${s}\x1b[0m` : s);
  const signColour: Record<Sign, string> = { '+': '32', '~': '33', '-': '31' };
  return {
    bold: (s) => wrap('1', s),
    danger: (s) => wrap('1;31', s),
    warning: (s) => wrap('1;33', s),
    sign: (sign) => wrap(signColour[sign], sign),
  };
}

export function renderText(plan: Plan, options: TextOptions): string {
  const paint = palette(options.color);
  const opts = { ...options, source: printable(options.source) };
  const out: string[] = [];

  if (!hasChanges(plan)) {
    out.push(`${paint.bold('No changes.')} GitLab matches ${opts.source}.`);
    out.push(...unmanagedSection(plan, opts.source), ...warningSection(plan, paint), ...targetNote(plan, paint));
    out.push('', summaryText(plan, paint));
    return redactTokens(`${out.join('\n')}\n`);
  }

  const legend = legendLines(plan);
  // A plan of deliveries only has no symbols to explain.
  if (legend.length > 0) out.push(LEGEND_TITLE, ...legend.map((l) => renderLine(l, paint)), '');
  out.push('runnerform will perform the following actions:');

  const deletes = plan.changes.filter((c): c is DeleteChange => c.action === 'delete');
  // A delete GitLab will refuse is not a runner that goes: the banner counts the others; its block says why.
  const going = deletes.filter((c) => c.refused === null);
  const others = plan.changes.filter((c) => c.action !== 'delete' && c.action !== 'no-op');
  if (deletes.length > 0) {
    if (going.length > 0) out.push('', ...deletionBanner(going, opts.source).map(paint.danger));
    for (const change of deletes) out.push('', ...blockText(change, paint));
  }
  if ((others.length > 0 || plan.deliveries.length > 0) && deletes.length > 0) out.push('', '  ' + paint.bold('# Other changes:'));
  // Apply delivers stored tokens before any change.
  for (const delivery of plan.deliveries) out.push('', ...deliveryLines(delivery).map((l) => renderLine(l, paint)));
  for (const change of others) out.push('', ...blockText(change, paint));

  out.push(...unmanagedSection(plan, opts.source), ...warningSection(plan, paint), ...targetNote(plan, paint));
  out.push('', summaryText(plan, paint));
  return redactTokens(`${out.join('\n')}\n`);
}

/** The summary is always the last line, so scripts and people find it in one place. */
function summaryText(plan: Plan, paint: Paint): string {
  return paint.bold('Plan:') + summaryLine(plan).slice('Plan:'.length);
}

function blockText(change: Change, paint: Paint): string[] {
  return changeLines(change).map((l) => renderLine(l, paint));
}

function renderLine(line: Line, paint: Paint): string {
  const text = line.style === 'bold' ? paint.bold(line.text) : line.style === 'danger' ? paint.danger(line.text) : line.text;
  return `${' '.repeat(line.indent)}${line.sign ? `${paint.sign(line.sign)} ` : '  '}${text}`;
}

/** A box nobody scrolls past: how many runners go, why (their reasons), and that it cannot be undone. */
function deletionBanner(deletes: DeleteChange[], source: string): string[] {
  const n = deletes.length;
  const messages = [
    `WARNING: ${plural(n, 'runner')} will be DELETED from GitLab.`,
    deletionReason(deletes, source),
    "A deleted runner stops taking jobs and its token stops working: this cannot be undone.",
  ];
  const width = Math.max(...messages.map((m) => m.length));
  const border = '!'.repeat(width + 6);
  return [border, ...messages.map((m) => `!! ${m.padEnd(width)} !!`), border];
}

function unmanagedSection(plan: Plan, source: string): string[] {
  if (plan.unmanaged.length === 0) return [];
  return [
    '',
    `Unmanaged runners (kept: owned by a declared scope but not declared in ${source}; prune: true on the scope would delete them):`,
    ...plan.unmanaged.map((u) => `  ${u.address} (${runnerInfo(u.runner_id, u.status, u.contacted_at)})`),
  ];
}

/** What a reviewer should know that is not a change (health, tokens that cannot be reset automatically). */
function warningSection(plan: Plan, paint: Paint): string[] {
  if (plan.warnings.length === 0) return [];
  return ['', paint.warning('Warnings:'), ...warningLines(plan).map((l) => `  ${l}`)];
}

function targetNote(plan: Plan, paint: Paint): string[] {
  if (plan.targets.length === 0) return [];
  return [
    '',
    `${paint.bold('Note:')} the plan is limited to --target ${plan.targets.map(printable).join(', ')}.`,
    'Changes to other runners are not shown and would not be applied; use --target only as an escape hatch.',
  ];
}
