// Checks the schema cannot express. They run on documents that may still have
// shape errors, so every access is guarded; shape errors are reported elsewhere.
import { looksLikeToken } from '../secrets.js';
import type { SourcePos } from '../model.js';
import { effectiveAttrs, originOf } from './defaults.js';
import { isRecord, rawRunners, rawScopes, type RawScope, type SourceDoc } from './document.js';
import type { Problem } from './problem.js';
import { show } from './schema.js';

export const SUPPORTED_VERSIONS = [1] as const;

/** Per-file checks: version, unique descriptions, duplicate tags, run_untagged without tags. */
export function checkDocument(doc: SourceDoc): Problem[] {
  const value = doc.value;
  if (!isRecord(value)) return [];
  const problems: Problem[] = [];
  const version = value.version;
  if (typeof version === 'number' && Number.isInteger(version) && !(SUPPORTED_VERSIONS as readonly number[]).includes(version)) {
    problems.push(
      doc.problem(['version'], `unsupported version ${version}: this runnerform reads version ${SUPPORTED_VERSIONS.join(', ')}`),
    );
  }
  const defaults = isRecord(value.defaults) ? value.defaults : undefined;
  if (defaults) {
    problems.push(...duplicateTags(doc, ['defaults', 'tag_list'], defaults.tag_list));
    problems.push(...pastedTokens(doc, ['defaults'], defaults));
  }
  for (const scope of rawScopes(value)) {
    problems.push(...uniqueDescriptions(doc, scope));
    for (const { index, body } of rawRunners(scope)) {
      const at = [...scope.segments, 'runners', index];
      problems.push(...duplicateTags(doc, [...at, 'tag_list'], body.tag_list));
      problems.push(...pastedTokens(doc, at, body));
      const untagged = untaggedWithoutTags(doc, at, defaults, body);
      if (untagged) problems.push(untagged);
    }
  }
  return problems;
}

function uniqueDescriptions(doc: SourceDoc, scope: RawScope): Problem[] {
  // Where each description was first seen (a path; its position is looked up only for a problem).
  const first = new Map<string, (string | number)[]>();
  const problems: Problem[] = [];
  for (const { index, body } of rawRunners(scope)) {
    const d = body.description;
    if (typeof d !== 'string') continue;
    const at = [...scope.segments, 'runners', index, 'description'];
    const seen = first.get(d);
    if (seen) {
      problems.push(
        doc.problem(at, `duplicate runner description ${show(d)} in ${scopeLabel(scope)}; first declared at line ${doc.at(seen).line}`),
      );
    } else {
      first.set(d, at);
    }
  }
  return problems;
}

function duplicateTags(doc: SourceDoc, at: (string | number)[], tags: unknown): Problem[] {
  if (!Array.isArray(tags)) return [];
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string') return;
    const seen = first.get(tag);
    if (seen !== undefined) {
      const { line, column } = doc.at([...at, seen]);
      problems.push(doc.problem([...at, i], `duplicate tag ${show(tag)}; it is already listed at line ${line}, column ${column}`));
    } else {
      first.set(tag, i);
    }
  });
  return problems;
}

// A token pasted into the file would travel on into plans, plan files and GitLab:
// refuse it here, before anything is sent.
function pastedTokens(doc: SourceDoc, at: (string | number)[], body: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const check = (path: (string | number)[], value: unknown) => {
    if (typeof value === 'string' && looksLikeToken(value)) {
      problems.push(
        doc.problem(path, 'this looks like a GitLab token (glpat-…/glrt-…): never put tokens in the desired state; remove it and revoke or reset that token'),
      );
    }
  };
  check([...at, 'description'], body.description);
  check([...at, 'maintenance_note'], body.maintenance_note);
  if (Array.isArray(body.tag_list)) body.tag_list.forEach((tag, i) => check([...at, 'tag_list', i], tag));
  return problems;
}

// GitLab refuses a runner that may not run untagged jobs and has no tags.
function untaggedWithoutTags(
  doc: SourceDoc,
  at: (string | number)[],
  defaults: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
): Problem | null {
  const attrs = effectiveAttrs(defaults, own);
  if (attrs.run_untagged !== false || (Array.isArray(attrs.tag_list) && attrs.tag_list.length > 0)) return null;
  const fromDefaults = originOf('run_untagged', defaults, own) === 'defaults';
  const message =
    `run_untagged is false${fromDefaults ? ' (from `defaults`)' : ''} but this runner has no tags; ` +
    'GitLab refuses a runner that can pick up neither tagged nor untagged jobs: add a tag_list or set run_untagged: true';
  if (originOf('tag_list', defaults, own) === 'runner') return doc.problem([...at, 'tag_list'], message);
  if (!fromDefaults) return doc.problem([...at, 'run_untagged'], message);
  return doc.problem(at, message);
}

/** How messages name a scope: group `acme/platform`, project id 42, the instance. */
export function scopeLabel(scope: RawScope): string {
  if (scope.type === 'instance') return 'the instance scope';
  const { path, id } = scope.body;
  if (typeof path === 'string') return `${scope.type} \`${path}\``;
  if (typeof id === 'number') return `${scope.type} id ${id}`;
  return scope.type;
}

/** The identity of a scope across files; null when it is too malformed to tell. */
export function scopeKey(scope: RawScope): string | null {
  if (scope.type === 'instance') return 'instance';
  const { path, id } = scope.body;
  // GitLab full paths are case-insensitive.
  if (typeof path === 'string' && id === undefined) return `${scope.type}:path:${path.toLowerCase()}`;
  if (typeof id === 'number' && path === undefined) return `${scope.type}:id:${id}`;
  return null;
}

/** Each scope may be declared once, across all files. */
export function checkScopesDeclaredOnce(docs: SourceDoc[]): Problem[] {
  const first = new Map<string, SourcePos>();
  const problems: Problem[] = [];
  for (const doc of docs) {
    for (const scope of rawScopes(doc.value)) {
      const key = scopeKey(scope);
      if (!key) continue;
      const at = scopeIdentityPath(scope);
      const seen = first.get(key);
      if (!seen) {
        first.set(key, doc.at(at, scope.type === 'instance' ? 'key' : 'value'));
        continue;
      }
      const where = seen.file === doc.file ? `line ${seen.line}` : `${seen.file}:${seen.line}:${seen.column}`;
      problems.push(
        doc.problem(at, `${scopeLabel(scope)} is declared more than once; it is already declared at ${where}`, scope.type === 'instance' ? 'key' : 'value'),
      );
    }
  }
  return problems;
}

/** The path of the value that names a scope: its `path`/`id`, or the `instance` key. */
export function scopeIdentityPath(scope: RawScope): (string | number)[] {
  if (scope.type === 'instance') return scope.segments;
  return [...scope.segments, typeof scope.body.path === 'string' ? 'path' : 'id'];
}
