// The plan as a merge-request comment: the summary first, deletions called out,
// the details folded in a ```diff block. Everything that comes from users or
// GitLab (descriptions, notes, paths, file names) sits inside code spans or
// the code block, whose fences are longer than any backtick run in the text,
// so it cannot close them, inject HTML, @mention people or reference issues.
import { hasChanges, type DeleteChange, type Plan, type PlanWarning, type WarningKind } from '../model.js';
import { LEGEND_TITLE, changeLines, deletionReason, deliveryLines, legendLines, plural, printable, runnerInfo, summaryLine, type Line } from './lines.js';
import { redactTokens } from '../secrets.js';

export interface MarkdownOptions {
  /** How the desired state is named, e.g. "runners.yaml". */
  source: string;
}

export function renderMarkdown(plan: Plan, opts: MarkdownOptions): string {
  const source = code(printable(opts.source));
  const out: string[] = ['#### runnerform plan', ''];

  if (!hasChanges(plan)) {
    out.push(`**No changes.** GitLab matches ${source}.`, '', summaryLine(plan), ...warningSection(plan));
  } else {
    out.push(`**${summaryLine(plan)}**`);
    // A delete GitLab will refuse is not a runner that goes: its block says so.
    const deletes = plan.changes.filter((c): c is DeleteChange => c.action === 'delete' && c.refused === null);
    if (deletes.length > 0) {
      // The reason sentence is fixed text around the source's code span: nothing in it needs escaping.
      out.push(
        '',
        `:warning: **${plural(deletes.length, 'runner')} will be DELETED.** ${deletionReason(deletes, source)}`,
        '',
        ...deletes.map((c) => {
          const duplicate = c.duplicate_of !== null ? `, a duplicate of runner ${c.duplicate_of}` : '';
          return `- ${code(c.address)} (${escapeText(runnerInfo(c.runner_id, c.status, c.contacted_at) + duplicate)})`;
        }),
      );
    }
    out.push(...warningSection(plan));
    const shown = plan.changes.filter((c) => c.action !== 'no-op');
    const n = plan.deliveries.length;
    const deliveries = n > 0 ? `, ${n} stored token ${n === 1 ? 'delivery' : 'deliveries'}` : '';
    out.push('', `<details><summary>Show plan (${plural(shown.length, 'change')}${deliveries})</summary>`, '');
    const legend = legendLines(plan);
    const body = legend.length > 0 ? [LEGEND_TITLE, ...legend.map(diffLine)] : [];
    for (const block of [...plan.deliveries.map(deliveryLines), ...shown.map(changeLines)]) {
      if (body.length > 0) body.push('');
      body.push(...block.map(diffLine));
    }
    const fence = fenceFor(body.join('\n'));
    out.push(`${fence}diff`, ...body, fence, '', '</details>');
  }

  if (plan.unmanaged.length > 0) {
    out.push('', `**Unmanaged runners** (kept: not declared in ${source}; \`prune: true\` on the scope would delete them):`, '');
    out.push(...plan.unmanaged.map((u) => `- ${code(u.address)} (${escapeText(runnerInfo(u.runner_id, u.status, u.contacted_at))})`));
  }
  if (plan.targets.length > 0) {
    out.push('', `**Note:** the plan is limited to --target ${plan.targets.map((t) => code(printable(t))).join(', ')}.`);
  }
  return redactTokens(`${out.join('\n')}\n`);
}

/** Health findings (contact, expiry): folded, so the warnings about this change stay in view. */
const HEALTH_KINDS: ReadonlySet<WarningKind> = new Set(['never_contacted', 'stale', 'token_expiring', 'token_expired']);

/** Warnings stay outside the folded details: a reviewer must see them without clicking; health findings fold on their own. */
function warningSection(plan: Plan): string[] {
  const item = (w: PlanWarning) => `- ${code(printable(w.address))}: ${escapeText(printable(w.message))}`;
  const health = plan.warnings.filter((w) => HEALTH_KINDS.has(w.kind));
  const others = plan.warnings.filter((w) => !HEALTH_KINDS.has(w.kind));
  const out: string[] = [];
  if (others.length > 0) out.push('', `:warning: **${plural(others.length, 'warning')}:**`, '', ...others.map(item));
  if (health.length > 0) {
    out.push('', `<details><summary>:warning: Health: ${plural(health.length, 'finding')} (runnerform health tells more)</summary>`, '', ...health.map(item), '', '</details>');
  }
  return out;
}

/**
 * GitLab's terraform report artifact, which the merge request widget shows (it knows no token resets, deliveries,
 * enablements or disablements in projects: each counts as an update).
 */
export function renderGitlabReport(plan: Plan): string {
  const s = plan.summary;
  return JSON.stringify({ create: s.create, update: s.update + s.token_reset + s.deliver + (s.enable ?? 0) + (s.disable ?? 0), delete: s.delete });
}

/** Sign in column 0 so ```diff highlights it; `~` becomes `!`, which diff highlighters mark as a change. */
function diffLine(line: Line): string {
  const sign = line.sign === '~' ? '!' : (line.sign ?? ' ');
  return `${sign}${' '.repeat(line.indent)} ${line.text}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/** A code fence longer than any backtick run in the text, so the text cannot close it. */
function fenceFor(text: string): string {
  return '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
}

/** Plain text that Markdown, HTML and GitLab references (@user, #1, !1, ~label) leave alone. */
export function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]#!~|@$%]/g, (c) => `\\${c}`);
}

/** An inline code span that no backtick in `text` can close (CommonMark §6.1). */
export function code(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}
