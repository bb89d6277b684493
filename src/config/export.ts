// `runnerform export`'s pure half: live runners → a runners.yaml that plans no
// changes against the GitLab it was read from. Comments cannot be attached by
// js-yaml's dumper, so the document is assembled from dumped fragments.
import { COLLECTION_STYLE, dump, visit, type DumpOptions } from 'js-yaml';
import { ATTRIBUTE_NAMES, type LiveRunner, type LiveScope, type LiveState, type RunnerAttrs, type Scope } from '../model.js';
import { attrEqual, compareStrings, sortedTags } from '../plan/attrs.js';
import { looksLikeToken } from '../secrets.js';

// Relative to the exported file: `runnerform schema > runners.schema.json` puts the schema there.
export const SCHEMA_COMMENT = '# yaml-language-server: $schema=./runners.schema.json';

/** GitLab's own limits, repeated from the schema so an export never fails validation. */
const MIN_TIMEOUT = 600;
const MAX_TEXT = 1024;

/** A live runner the export leaves out of the file (it stays unmanaged). */
export interface SkippedRunner {
  scope: Scope;
  id: number;
  reason: string;
}

export interface ExportResult {
  /** The runners.yaml text. */
  text: string;
  /** Scopes written. */
  scopes: number;
  /** Runners written. */
  runners: number;
  skipped: SkippedRunner[];
}

interface ExportedRunner {
  description: string;
  attrs: RunnerAttrs;
  /** The other projects a project runner is enabled in (config/also-in.ts); absent: not written. */
  alsoIn?: string[];
  /** Comment lines written above the runner. */
  notes: string[];
}

interface ExportedScope {
  scope: Scope;
  runners: ExportedRunner[];
  /** Comment lines written above the scope's `runners:` key. */
  notes: string[];
}

/** The runners.yaml text for the owned runners of `live`. */
export function exportDesiredState(live: LiveState): string {
  return buildExport(live).text;
}

export function buildExport(live: LiveState): ExportResult {
  const skipped: SkippedRunner[] = [];
  const scopes = uniqueScopes(live.scopes).map((s) => exportScope(s, skipped));
  const all = scopes.flatMap((s) => s.runners);
  const defaults = commonAttrs(all.map((r) => r.attrs));
  for (const r of all) r.attrs = withoutDefaults(r.attrs, defaults);

  const text = [
    SCHEMA_COMMENT + '\n',
    comment(`Exported by \`runnerform export\` from ${safeUrl(live.gitlabUrl)}.`, 0),
    comment('prune is false everywhere: runners this file does not declare are reported as unmanaged, never deleted.', 0),
    fragment({ version: 1, ...(Object.keys(defaults).length > 0 ? { defaults } : {}) }, 0),
    section('groups', scopes.filter((s) => s.scope.type === 'group')),
    section('projects', scopes.filter((s) => s.scope.type === 'project')),
    instanceSection(scopes.find((s) => s.scope.type === 'instance')),
  ].join('');
  return { text, scopes: scopes.length, runners: all.length, skipped };
}

// ---------------------------------------------------------------- choosing what to write

/** One entry per scope (the loader rejects a scope declared twice), in file order. */
function uniqueScopes(scopes: LiveScope[]): LiveScope[] {
  const seen = new Set<string>();
  const out = scopes.filter((s) => {
    const key = `${s.scope.type}:${s.scope.id ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = { group: 0, project: 1, instance: 2 } as const;
  return out.sort((a, b) => rank[a.scope.type] - rank[b.scope.type] || compareStrings(scopeName(a.scope), scopeName(b.scope)));
}

function exportScope(live: LiveScope, skipped: SkippedRunner[]): ExportedScope {
  const notes: string[] = [];
  const byDescription = new Map<string, [LiveRunner, ...LiveRunner[]]>();
  for (const r of [...live.owned].sort((a, b) => a.id - b.id)) {
    if (!/\S/.test(r.description) || r.description.length > MAX_TEXT || looksLikeToken(r.description)) {
      const reason = looksLikeToken(r.description)
        ? 'its description looks like a GitLab token, which never goes into a file: rename the runner in GitLab'
        : 'its description is empty or too long, and runnerform keys runners by description';
      notes.push(`Runner ${r.id} is not exported: ${reason}. It stays unmanaged.`);
      skipped.push({ scope: live.scope, id: r.id, reason });
      continue;
    }
    const same = byDescription.get(r.description);
    if (same) same.push(r);
    else byDescription.set(r.description, [r]);
  }

  const runners: ExportedRunner[] = [];
  for (const [description, [first, ...others]] of byDescription) {
    const { attrs, notes: attrNotes } = exportAttrs(first);
    const runnerNotes = [...attrNotes];
    if (others.length > 0) {
      const ids = others.map((o) => o.id).join(', ');
      runnerNotes.unshift(
        `Runner ${first.id}; this scope also owns runner${others.length === 1 ? '' : 's'} ${ids} with this description. ` +
          'Descriptions are keys in this file, so only the lowest id is exported; the others stay unmanaged.',
      );
      for (const o of others) skipped.push({ scope: live.scope, id: o.id, reason: `same description as runner ${first.id}` });
    }
    const alsoIn = exportAlsoIn(live, first);
    runners.push({ description, attrs, notes: runnerNotes, ...(alsoIn ? { alsoIn } : {}) });
  }
  runners.sort((a, b) => compareStrings(a.description, b.description));
  return { scope: live.scope, runners, notes };
}

/**
 * Every live attribute the file can state, so a round trip plans no changes.
 * Values GitLab itself would refuse on the next update are left unmanaged
 * rather than written into a file that would not validate.
 */
function exportAttrs(runner: LiveRunner): { attrs: RunnerAttrs; notes: string[] } {
  const live = runner.attrs;
  const notes: string[] = [];
  const tags = sortedTags(live.tag_list);
  const attrs: RunnerAttrs = {
    paused: live.paused,
    locked: live.locked,
    run_untagged: live.run_untagged,
    tag_list: tags,
    access_level: live.access_level,
  };
  if (tags.some(looksLikeToken)) {
    // A token never goes into a file; without tag_list, run_untagged: false would not validate either.
    delete attrs.tag_list;
    if (!live.run_untagged) delete attrs.run_untagged;
    notes.push('a tag looks like a GitLab token, which never goes into a file: tag_list is left unmanaged.');
  } else if (!live.run_untagged && tags.length === 0) {
    delete attrs.run_untagged;
    notes.push('run_untagged is false in GitLab but the runner has no tags, which GitLab refuses on change: run_untagged is left unmanaged.');
  }
  if (live.maximum_timeout !== null) {
    if (Number.isInteger(live.maximum_timeout) && live.maximum_timeout >= MIN_TIMEOUT) attrs.maximum_timeout = live.maximum_timeout;
    else notes.push(`maximum_timeout ${live.maximum_timeout} is below GitLab's minimum of ${MIN_TIMEOUT}: left unmanaged.`);
  }
  if (live.maintenance_note) {
    if (looksLikeToken(live.maintenance_note)) notes.push('maintenance_note looks like it holds a GitLab token, which never goes into a file: left unmanaged.');
    else if (live.maintenance_note.length <= MAX_TEXT) attrs.maintenance_note = live.maintenance_note;
    else notes.push(`maintenance_note is longer than ${MAX_TEXT} characters: left unmanaged.`);
  }
  return { attrs, notes };
}

/** Attributes every runner sets to the same value; none for fewer than two runners. */
export function commonAttrs(all: RunnerAttrs[]): RunnerAttrs {
  const common: Record<string, unknown> = {};
  const [head] = all;
  if (head === undefined || all.length < 2) return common;
  for (const name of ATTRIBUTE_NAMES) {
    const first = head[name];
    if (first === undefined) continue;
    if (all.every((a) => a[name] !== undefined && attrEqual(name, a[name], first))) common[name] = first;
  }
  return common;
}

function withoutDefaults(attrs: RunnerAttrs, defaults: RunnerAttrs): RunnerAttrs {
  const out: Record<string, unknown> = {};
  for (const name of ATTRIBUTE_NAMES) {
    if (attrs[name] !== undefined && defaults[name] === undefined) out[name] = attrs[name];
  }
  return out;
}

// ---------------------------------------------------------------- rendering

function section(key: 'groups' | 'projects', scopes: ExportedScope[]): string {
  if (scopes.length === 0) return '';
  return `${key}:\n` + scopes.map((s) => namedScope(s)).join('');
}

function namedScope(s: ExportedScope): string {
  const ref = s.scope.path !== null ? { path: s.scope.path } : { id: s.scope.id };
  return fragment([{ ...ref, prune: false }], 2) + runnersBlock(s, 4);
}

function instanceSection(s: ExportedScope | undefined): string {
  if (!s) return '';
  return 'instance:\n' + fragment({ prune: false }, 2) + runnersBlock(s, 2);
}

function runnersBlock(s: ExportedScope, indent: number): string {
  const head = s.notes.map((n) => comment(n, indent)).join('');
  if (s.runners.length === 0) return head + `${pad(indent)}runners: []\n`;
  const items = s.runners.map(
    (r) => r.notes.map((n) => comment(n, indent + 2)).join('') + fragment([runnerObject(r)], indent + 2),
  );
  return head + `${pad(indent)}runners:\n` + items.join('');
}

/** description first, then the attributes in ATTRIBUTE_NAMES order, then also_in. */
function runnerObject(r: ExportedRunner): Record<string, unknown> {
  const out: Record<string, unknown> = { description: r.description };
  for (const name of ATTRIBUTE_NAMES) if (r.attrs[name] !== undefined) out[name] = r.attrs[name];
  if (r.alsoIn) out.also_in = r.alsoIn;
  return out;
}

/** `also_in:` for a project runner enabled in other projects the token can see (read by gitlab/enabled-projects.ts). */
function exportAlsoIn(scope: LiveScope, runner: LiveRunner): string[] | undefined {
  if (scope.scope.type !== 'project' || !runner.projects) return undefined;
  const others = runner.projects.filter((p) => p.id !== scope.scope.id).map((p) => p.path);
  return others.length > 0 ? others : undefined;
}

const DUMP_OPTIONS: DumpOptions = {
  lineWidth: -1,
  noRefs: true,
  // Tag lists read best on one line, as in the format's documentation.
  transform: (docs) =>
    visit(docs, (node) => {
      if (node.kind !== 'mapping') return;
      for (const item of node.items) {
        if (item.key.kind === 'scalar' && (item.key.value === 'tag_list' || item.key.value === 'also_in') && item.value.kind === 'sequence') {
          item.value.style = COLLECTION_STYLE.FLOW;
        }
      }
    }),
};

/**
 * `value` dumped and shifted right by `indent` spaces. Shifting every non-empty
 * line by the same amount keeps block scalars intact: their relative
 * indentation is unchanged and empty lines stay empty.
 */
function fragment(value: unknown, indent: number): string {
  const text = dump(value, DUMP_OPTIONS);
  if (indent === 0) return text;
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad(indent) + line))
    .join('\n');
}

function comment(text: string, indent: number): string {
  return `${pad(indent)}# ${text.replace(/[\r\n]+/g, ' ')}\n`;
}

function pad(n: number): string {
  return ' '.repeat(n);
}

function scopeName(scope: Scope): string {
  return scope.path ?? String(scope.id ?? '');
}

/** The URL without any user:password part, for the header comment. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unknown GitLab)';
  }
}
