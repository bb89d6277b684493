// Runner addresses, Terraform style:
//   group["acme/platform"].runner["docker-amd64"]
//   project["acme/platform/api"].runner["api-e2e"]
//   instance.runner["shared-large"]
// Strings inside the brackets are JSON strings, so any description round-trips.
// A target (--target) is a runner address or a scope address: group["acme/platform"],
// project[42] (by id) or instance. A runner sharing the description of the runner an
// address names is marked with its id, Terraform's deposed key: runner["x"]#25.
import { UserError } from '../errors.js';
import type { Scope, ScopeType } from '../model.js';

/** A parsed --target: a whole scope, or one runner (by description, and by id after `#`) in it. */
export type Target = (
  | { type: 'group' | 'project'; path: string; id?: undefined }
  | { type: 'group' | 'project'; id: number; path?: undefined }
  | { type: 'instance'; path?: undefined; id?: undefined }
) & { description?: string; runner_id?: number };

/**
 * JSON.stringify, plus escapes for the characters it lets through that a
 * terminal or a line-based reader could act on (C1 controls, DEL, line/paragraph
 * separators). The result is still a valid JSON string.
 */
export function quote(s: string): string {
  // Printable ASCII without `"` or `\`: JSON.stringify would only add the quotes.
  if (PLAIN.test(s)) return `"${s}"`;
  return escapeInvisible(JSON.stringify(s));
}

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

// Control and format characters (C0/C1, bidi overrides, zero-width, line/paragraph
// separators) would hide or reorder what a reviewer reads: show them as escapes.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `text` with invisible characters escaped as JSON \uXXXX units (so addresses still parse); `keep` is left alone. */
export function escapeInvisible(text: string, keep: string = ''): string {
  return text.replace(INVISIBLE, (c) =>
    keep.includes(c) ? c : [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

/** `group["acme/platform"]`, `project[42]` when the path is unknown, or `instance`. */
export function formatScopeAddress(scope: Scope): string {
  if (scope.type === 'instance') return 'instance';
  const key = scope.path !== null ? quote(scope.path) : String(scope.id);
  return `${scope.type}[${key}]`;
}

export function formatAddress(scope: Scope, description: string): string {
  return `${formatScopeAddress(scope)}.runner[${quote(description)}]`;
}

const EXAMPLES =
  'expected a runner address like group["acme/platform"].runner["docker-amd64"], ' +
  'project["acme/platform/api"].runner["api-e2e"] or instance.runner["shared-large"], ' +
  'or a scope address like group["acme/platform"], project[42] or instance';

/** Parses a --target; throws a UserError saying what is wrong and what is expected. */
export function parseTarget(input: string): Target {
  const s = input.trim();
  const fail = (why: string): never => {
    throw new UserError(`invalid target ${quote(input)}: ${why}; ${EXAMPLES}`);
  };
  const scopeMatch = /^(group|project|instance)\b/.exec(s);
  if (!scopeMatch) fail('it must start with group, project or instance');
  const type = scopeMatch![1] as ScopeType;
  let pos = type.length;

  let target: Target;
  if (type === 'instance') {
    if (s[pos] === '[') fail('instance takes no path or id');
    target = { type };
  } else {
    if (s[pos] !== '[') fail(`${type} needs a path or id in brackets, e.g. ${type}["acme/platform"] or ${type}[42]`);
    const key = readKey(s, pos + 1, fail);
    pos = key.end;
    if (typeof key.value === 'number') target = { type, id: key.value };
    else {
      if (key.value === '') fail(`the ${type} path is empty`);
      target = { type, path: key.value };
    }
  }

  if (pos === s.length) return target;
  const runnerPrefix = '.runner[';
  if (!s.startsWith(runnerPrefix, pos)) fail(`unexpected ${quote(s.slice(pos))} after the scope`);
  const key = readKey(s, pos + runnerPrefix.length, fail);
  if (typeof key.value !== 'string') fail('a runner is named by its description in quotes, e.g. runner["docker-amd64"]');
  const runner = { ...target, description: key.value as string };
  if (key.end === s.length) return runner;
  const deposed = /^#(\d+)$/.exec(s.slice(key.end));
  const runner_id = deposed ? Number(deposed[1]) : NaN;
  if (!Number.isSafeInteger(runner_id) || runner_id <= 0) fail(`unexpected ${quote(s.slice(key.end))} after the runner (a runner id is written #25)`);
  return { ...runner, runner_id };
}

/** Reads `"json string"]` or `123]` starting at `start`; `end` is just past the `]`. */
function readKey(s: string, start: number, fail: (why: string) => never): { value: string | number; end: number } {
  if (s[start] === '"') {
    let i = start + 1;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) fail('a quoted string is not closed');
    let value: unknown;
    try {
      value = JSON.parse(s.slice(start, i + 1));
    } catch {
      fail(`${s.slice(start, i + 1)} is not a valid JSON string`);
    }
    if (s[i + 1] !== ']') fail('a closing ] is missing after the quoted string');
    return { value: value as string, end: i + 2 };
  }
  const m = /^(\d+)\]/.exec(s.slice(start));
  if (!m) fail('brackets must hold a "quoted string" or a numeric id');
  const id = Number(m[1]);
  if (!Number.isSafeInteger(id) || id <= 0) fail(`${m[1]} is not a valid id`);
  return { value: id, end: start + m[0].length };
}

/**
 * Does this target select the runner `description` (id `runner_id`, null when GitLab has none yet) of `scope`?
 * Paths compare case-insensitively, like GitLab's. A target with `#id` selects only the runner with that id.
 */
export function matchesTarget(target: Target, scope: Scope, description: string, runner_id: number | null = null): boolean {
  if (target.type !== scope.type) return false;
  if (target.path !== undefined && (scope.path === null || target.path.toLowerCase() !== scope.path.toLowerCase())) return false;
  if (target.id !== undefined && target.id !== scope.id) return false;
  if (target.runner_id !== undefined && target.runner_id !== runner_id) return false;
  return target.description === undefined || target.description === description;
}
