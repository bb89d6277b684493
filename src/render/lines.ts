// The body of a plan as lines with a sign (+ ~ -) and an indent, Terraform
// style. Text output colours the signs; Markdown moves them to column 0 so a
// ```diff block highlights them. Only the layout lives here, no colour.
import { diffLines } from 'diff';
import { ATTRIBUTE_NAMES, onlyEnablements, type AttrName, type Change, type Delivery, type DeleteChange, type Plan, type RunnerAttrs, type RunnerStatus } from '../model.js';
import { escapeInvisible, quote } from '../plan/address.js';
import { refusalSentence } from '../plan/refusals.js';
import { compareStrings } from '../plan/attrs.js';
import { enablementHeader, enablementLines, enablementSigns, enablementSummary } from './enablements.js';
import { describeDestination } from '../plan/token-dest.js';
import type { Line, Sign } from './line.js';

export type { Line, Sign } from './line.js';

const SIGN: Record<Exclude<Change['action'], 'no-op'>, Sign> = { create: '+', update: '~', delete: '-', 'token-reset': '~' };

const ACTION_WORDS: Record<Sign, string> = { '+': 'create', '~': 'update in-place', '-': 'delete' };

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `Plan: 2 to create, 1 to update, 0 to delete, 1 token to reset, 1 stored token to deliver (3 unchanged, 1 unmanaged).`
 * (token resets and deliveries only when there are any)
 */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const resets = s.token_reset > 0 ? `, ${plural(s.token_reset, 'token')} to reset` : '';
  const deliveries = s.deliver > 0 ? `, ${plural(s.deliver, 'stored token')} to deliver` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete${resets}${deliveries}${enablementSummary(plan)} (${s.no_op} unchanged, ${s.unmanaged} unmanaged).${refusedSummary(plan)}`;
}

/** Why these runners are deleted, from their reasons: `Their scope has prune: true and runners.yaml does not declare them.` */
export function deletionReason(deletes: readonly DeleteChange[], source: string): string {
  const n = deletes.length;
  const duplicates = deletes.filter((c) => c.reason === 'duplicate').length;
  const undeclared = n - duplicates;
  if (duplicates === 0) return `${n === 1 ? 'Its' : 'Their'} scope has prune: true and ${source} does not declare ${n === 1 ? 'it' : 'them'}.`;
  if (undeclared === 0) {
    return n === 1
      ? 'It duplicates a declared runner (same description, higher id) and its scope has prune: true.'
      : 'They duplicate declared runners (same description, higher ids) and their scope has prune: true.';
  }
  return `Their scope has prune: true; ${source} does not declare ${undeclared}, and ${duplicates} duplicate${duplicates === 1 ? 's a declared runner' : ' declared runners'}.`;
}

export const LEGEND_TITLE = 'Runner actions are indicated with the following symbols:';

/** What `+` and `-` mean on an enable/disable line. */
const ENABLEMENT_WORDS: Partial<Record<Sign, string>> = { '+': 'enable in a project', '-': 'disable in a project' };

/** The symbol legend entries, only for the symbols the plan uses, and only for what it uses them for. */
export function legendLines(plan: Plan): Line[] {
  const forRunner = (sign: Sign) => plan.changes.some((c) => c.action !== 'no-op' && !onlyEnablements(c) && SIGN[c.action] === sign);
  const forProject = (sign: Sign) => plan.changes.some((c) => enablementSigns(c).includes(sign));
  return (['+', '~', '-'] as Sign[]).flatMap((sign): Line[] => {
    const words = [forRunner(sign) ? ACTION_WORDS[sign] : null, forProject(sign) ? ENABLEMENT_WORDS[sign] : null].filter((w) => w != null);
    return words.length > 0 ? [{ indent: 2, sign, text: words.join(', or ') }] : [];
  });
}

/** "id 17, status offline, last contact 2026-01-02T03:04:05Z" */
export function runnerInfo(id: number | null, status: RunnerStatus | null, contactedAt: string | null): string {
  return `id ${id}, status ${status ?? 'unknown'}, last contact ${contactedAt ? printable(contactedAt) : 'never'}`;
}

/** Why the engine chose this action (change.reason), as a reviewer reads it. */
const REASON_TEXT = {
  undeclared: 'not declared, and its scope has prune: true',
  duplicate: 'a duplicate: runnerform keeps the declared runner with the lowest id; its scope has prune: true',
  renamed: 'renamed in place: same id, same token',
  interrupted_create: 'created by an interrupted apply, its token was never stored',
  undelivered_token: 'its token never reached its destination and is not stored, and it has never contacted GitLab',
  dead_stored_token:
    'the token the tokens file holds no longer works (GitLab refuses it: most likely reset since without this tokens file), so it cannot be delivered or moved; ' +
    'it has never contacted GitLab, so a new token goes to its destination. Pass the tokens file (--tokens-out) to every apply and rotate so it keeps the working token',
  rotate: 'runnerform rotate asks for a new one',
  renew: 'renewal: its token expires within health.token_renew_before',
} as const satisfies Record<NonNullable<Change['reason']>, string>;

/** Why a stored token is delivered (delivery.reason). */
const DELIVERY_TEXT = {
  undelivered: 'the tokens file holds it; an earlier apply could not deliver it',
  destination_lost: 'the tokens file holds it and says it was delivered, but its CI/CD variable is absent or names another runner',
} as const satisfies Record<Delivery['reason'], string>;

/** The block for one create, update, token reset or delete (no-ops are not shown). */
export function changeLines(change: Change): Line[] {
  if (change.action === 'no-op') return [];
  const sign = SIGN[change.action];
  const verb = onlyEnablements(change)
    ? enablementHeader(change)
    : change.refused !== null
      ? // Refused (by GitLab, or by runnerform): the next line says why; "will be" would be untrue.
        `${{ create: 'would be created', update: 'would be updated in-place', delete: 'would be DELETED', 'token-reset': 'would get a new token' }[change.action]} (refused: apply skips it)`
      : { create: 'will be created', update: 'will be updated in-place', delete: 'will be DELETED', 'token-reset': 'will get a new token' }[change.action];
  const lines: Line[] = [{ indent: 0, text: `# ${change.address} ${verb}`, style: 'bold' }];
  if (change.reason !== null && change.action !== 'token-reset') lines.push({ indent: 0, text: `# (${reasonText(change)})` });
  if (change.runner_id !== null) {
    lines.push({ indent: 0, text: `# (${runnerInfo(change.runner_id, change.status, change.contacted_at)})` });
  }
  lines.push(...refusalLines(change));
  if (change.action === 'create' || change.action === 'token-reset') {
    lines.push({ indent: 0, text: `# token → ${tokenDestinationText(change)}` });
  }
  if (change.action === 'update' && change.token_move) {
    lines.push({ indent: 0, text: `# token → moves to ${tokenDestinationText(change)} (from ${movedFromText(change)})` });
  }
  const renamedFrom = change.action === 'update' || change.action === 'token-reset' ? (change.renamed_from ?? null) : null;
  if (change.action === 'token-reset') {
    lines.push({ indent: 2, sign, text: `token of ${change.address} ${change.refused === null ? 'will' : 'would'} be reset: ${REASON_TEXT[change.reason]}` });
    if (change.changed.length === 0 && renamedFrom === null) return [...lines, ...enablementLines(change)];
    lines.push({ indent: 0, text: renamedFrom === null ? '# and first updated in-place:' : `# and first renamed in place from ${quote(renamedFrom)}:` });
  }
  // Enabling in or disabling from other projects: no attribute block when that is all (render/enablements.ts).
  if (onlyEnablements(change)) return [...lines, ...enablementLines(change)];
  if (change.action === 'delete') lines.push(...enablementLines(change));
  lines.push({ indent: 2, sign, text: `${change.address} {` });

  const inPlace = change.action === 'update' || change.action === 'token-reset';
  const attrs = change.action === 'delete' ? change.before : change.after;
  const shown: AttrName[] = inPlace ? change.changed : ATTRIBUTE_NAMES.filter((n) => attrs[n] !== undefined);
  const width = Math.max(renamedFrom !== null ? 'description'.length : 0, ...shown.map((n) => n.length));
  if (renamedFrom !== null) {
    const label = 'description'.padEnd(width);
    lines.push({ indent: 6, sign: '~', text: `${label} = ${quote(renamedFrom)} -> ${quote(change.description)}` });
  }
  for (const name of shown) {
    const label = name.padEnd(width);
    if (inPlace) lines.push(...updatedAttr(label, name, change.before, change.after));
    else lines.push(...wholeAttr(sign, label, name, attrs[name]));
  }
  if (inPlace) {
    const hidden = ATTRIBUTE_NAMES.length - change.changed.length;
    if (hidden > 0) lines.push({ indent: 6, text: `# (${plural(hidden, 'unchanged attribute')} hidden)` });
  }
  lines.push({ indent: 2, text: '}' });
  if (change.action !== 'delete') lines.push(...enablementLines(change));
  return lines;
}

/** The engine's reason, with the facts the engine put in the change (the kept runner of a duplicate, a rename's old name). */
function reasonText(change: Change): string {
  if (change.action === 'delete' && change.reason === 'duplicate' && change.duplicate_of !== null) {
    return `a duplicate: the declared runner is the one with the lowest id, ${change.duplicate_of}; its scope has prune: true`;
  }
  if (change.action === 'update' && change.reason === 'renamed') {
    return `renamed in place from ${quote(change.renamed_from ?? '')}: same id, same token`;
  }
  return REASON_TEXT[change.reason!];
}

/** The block for one stored token apply delivers (same token, no reset). */
export function deliveryLines(delivery: Delivery): Line[] {
  const where = describeDestination(delivery.token, { description: delivery.description, scope: delivery.scope, id: delivery.runner_id });
  const lines: Line[] = [
    { indent: 0, text: `# ${delivery.address} will get its stored token delivered (same token, no reset)`, style: 'bold' },
    { indent: 0, text: `# (id ${delivery.runner_id}: ${DELIVERY_TEXT[delivery.reason]})` },
  ];
  lines.push(...refusalLines(delivery));
  lines.push({ indent: 0, text: `# token → ${where}` });
  return lines;
}

/** Where the new token goes, as the plan shows it (never the token itself). */
function tokenDestinationText(change: Change): string {
  if (change.token === null) return 'the --tokens-out file (no token: destination declared)';
  return describeDestination(change.token, { description: change.description, scope: change.scope, id: change.runner_id });
}

/** Where a moved token was: the old destination is left as it is (never deleted silently). */
function movedFromText(change: Change & { action: 'update' }): string {
  const move = change.token_move!;
  if (move.from === null) return 'the --tokens-out file only';
  const where = describeDestination(move.from, { description: move.from_description, scope: change.scope, id: change.runner_id });
  return move.from.kind === 'gitlab_variable' ? `${where}, which is left in place` : where;
}

/** `# GitLab will refuse this: …` (or runnerform's own refusal) under a change's or delivery's header (the engine decided), or nothing. */
function refusalLines(item: { refused: string | null; refused_by?: 'runnerform' }): Line[] {
  return item.refused === null ? [] : [{ indent: 0, text: `# ${refusalSentence({ refused: item.refused, refused_by: item.refused_by })}`, style: 'danger' }];
}

/** ` 1 GitLab will refuse, 1 refused by runnerform (apply skips them).` after the summary, or nothing. */
function refusedSummary(plan: Plan): string {
  const n = plan.summary.refused;
  if (n === 0) return '';
  const own = plan.changes.filter((c) => c.refused !== null && c.refused_by === 'runnerform').length;
  const parts = [n - own > 0 ? `${n - own} GitLab will refuse` : null, own > 0 ? `${own} refused by runnerform` : null].filter((p) => p !== null);
  return ` ${parts.join(', ')} (apply skips ${n === 1 ? 'it' : 'them'}).`;
}

/** `ADDRESS: message` lines of the plan's warnings (already sorted by the engine). */
export function warningLines(plan: Plan): string[] {
  return plan.warnings.map((w) => `${w.address}: ${printable(w.message)}`);
}

/** An attribute created or deleted as a whole: `+ tag_list = ["a", "b"]`. */
function wholeAttr(sign: Sign, label: string, name: AttrName, value: RunnerAttrs[AttrName]): Line[] {
  if (name === 'maintenance_note' && typeof value === 'string' && value.includes('\n')) {
    return heredoc(sign, label, splitLines(value).map((text) => ({ sign, text })));
  }
  return [{ indent: 6, sign, text: `${label} = ${formatValue(value)}` }];
}

function updatedAttr(label: string, name: AttrName, before: RunnerAttrs, after: RunnerAttrs): Line[] {
  const old = before[name];
  const now = after[name];
  if (name === 'tag_list') return tagLines(label, (old as string[] | undefined) ?? [], (now as string[] | undefined) ?? []);
  if (name === 'maintenance_note') {
    const was = (old as string | null | undefined) ?? '';
    const will = (now as string | null | undefined) ?? '';
    if (was.includes('\n') || will.includes('\n')) return heredoc('~', label, noteDiff(was, will));
  }
  return [{ indent: 6, sign: '~', text: `${label} = ${formatValue(old)} -> ${formatValue(now)}` }];
}

/** Tags are a set: one line per added or removed tag, unchanged ones counted. */
function tagLines(label: string, before: string[], after: string[]): Line[] {
  const was = new Set(before);
  const will = new Set(after);
  const all = [...new Set([...before, ...after])].sort(compareStrings);
  const lines: Line[] = [{ indent: 6, sign: '~', text: `${label} = [` }];
  let unchanged = 0;
  for (const tag of all) {
    if (was.has(tag) && will.has(tag)) unchanged++;
    else lines.push({ indent: 10, sign: will.has(tag) ? '+' : '-', text: `${quote(tag)},` });
  }
  if (unchanged > 0) lines.push({ indent: 10, text: `# (${plural(unchanged, 'unchanged tag')} hidden)` });
  lines.push({ indent: 6, text: ']' });
  return lines;
}

/** A multi-line note as a line diff (unchanged lines shown as context). */
function noteDiff(before: string, after: string): { sign?: Sign; text: string }[] {
  const out: { sign?: Sign; text: string }[] = [];
  for (const part of diffLines(before, after)) {
    const sign: Sign | undefined = part.added ? '+' : part.removed ? '-' : undefined;
    for (const text of splitLines(part.value)) out.push({ sign, text });
  }
  return out;
}

function heredoc(sign: Sign, label: string, body: { sign?: Sign; text: string }[]): Line[] {
  return [
    { indent: 6, sign, text: `${label} = <<-EOT` },
    ...body.map((l): Line => ({ indent: 10, sign: l.sign, text: printable(l.text) })),
    { indent: 6, text: 'EOT' },
  ];
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v)).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A mapping as JSON, not `[object Object]`.
  return typeof value === 'object' ? JSON.stringify(value) : typeof value;
}

/** Free text shown raw (note lines) with control characters made visible, so it cannot drive the terminal. */
export function printable(text: string): string {
  return escapeInvisible(text, '\t\n');
}

