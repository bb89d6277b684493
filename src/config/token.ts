// The `token:` block and `renamed_from`: what the schema cannot check. Runs on
// documents that may still have shape errors, so every access is guarded.
import type { SourcePos, TokenDestination } from '../model.js';
import {
  ARGV_PLACEHOLDERS,
  KEY_PLACEHOLDERS,
  MAX_VARIABLE_KEY,
  PLACEHOLDER,
  expandKey,
  placeholdersOf,
  variableKeyOf,
} from '../plan/token-dest.js';
import { looksLikeToken } from '../secrets.js';
import { suggest } from './did-you-mean.js';
import { isRecord, rawRunners, rawScopes, type RawScope, type SourceDoc } from './document.js';
import type { Problem } from './problem.js';
import { show } from './schema.js';

type Path = (string | number)[];

const TOKEN_IN_FILE =
  'this looks like a GitLab token (glpat-…/glrt-…): never put tokens in the desired state; remove it and revoke or reset that token';

/**
 * A `token:` value as a TokenDestination (defaults filled in: protected true,
 * environment_scope "*"), or null when it is malformed (the schema reports why).
 */
export function destinationOf(raw: unknown): TokenDestination | null {
  if (!isRecord(raw)) return null;
  const variable = raw.gitlab_variable;
  const command = raw.command;
  if (isRecord(variable) && command === undefined) {
    const { project, group, key } = variable;
    const owner =
      typeof project === 'string' && group === undefined
        ? ({ type: 'project', path: project } as const)
        : typeof group === 'string' && project === undefined
          ? ({ type: 'group', path: group } as const)
          : null;
    if (!owner || typeof key !== 'string') return null;
    const env = variable.environment_scope ?? '*';
    const prot = variable.protected ?? true;
    if (typeof env !== 'string' || typeof prot !== 'boolean') return null;
    return { kind: 'gitlab_variable', owner, key, protected: prot, environment_scope: env };
  }
  if (Array.isArray(command) && variable === undefined && command.length > 0 && command.every((a) => typeof a === 'string')) {
    return { kind: 'command', argv: [...command] };
  }
  return null;
}

/** The runner's own `token:` wins over the file's `defaults.token` (replaced as a whole, never merged). */
export function effectiveToken(
  defaults: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
): { raw: unknown; from: 'runner' | 'defaults' } | null {
  if (Object.hasOwn(own, 'token')) return { raw: own.token, from: 'runner' };
  if (defaults && Object.hasOwn(defaults, 'token')) return { raw: defaults.token, from: 'defaults' };
  return null;
}

/** `renamed_from` as a list (a single string is a list of one); entries that are not text are left out. */
export function renamedFromOf(raw: unknown): { value: string; at: (number | null) }[] {
  if (typeof raw === 'string') return [{ value: raw, at: null }];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((v, i) => (typeof v === 'string' ? [{ value: v, at: i }] : []));
}

/** Per-file checks of token destinations and renamed_from. */
export function checkTokens(doc: SourceDoc): Problem[] {
  const value = doc.value;
  if (!isRecord(value)) return [];
  const problems: Problem[] = [];
  const defaults = isRecord(value.defaults) ? value.defaults : undefined;
  if (defaults && Object.hasOwn(defaults, 'token')) problems.push(...checkTemplates(doc, ['defaults', 'token'], defaults.token));
  for (const scope of rawScopes(value)) {
    for (const { index, body } of rawRunners(scope)) {
      const at = [...scope.segments, 'runners', index];
      if (Object.hasOwn(body, 'token')) problems.push(...checkTemplates(doc, [...at, 'token'], body.token));
      problems.push(...keyLength(doc, at, defaults, body));
    }
    problems.push(...checkRenamedFrom(doc, scope));
  }
  return problems;
}

/** Placeholders, key characters and pasted tokens in one `token:` block (own or defaults). */
function checkTemplates(doc: SourceDoc, at: Path, token: unknown): Problem[] {
  if (!isRecord(token)) return [];
  const problems: Problem[] = [];
  const variable = token.gitlab_variable;
  if (isRecord(variable)) {
    const keyAt = [...at, 'gitlab_variable', 'key'];
    if (typeof variable.key === 'string') {
      const key = variable.key;
      if (looksLikeToken(key)) problems.push(doc.problem(keyAt, TOKEN_IN_FILE));
      else {
        problems.push(...unknownPlaceholders(doc, keyAt, key, KEY_PLACEHOLDERS, 'a variable key'));
        const literal = key.replace(PLACEHOLDER, '');
        const bad = [...new Set(literal.replace(/[A-Za-z0-9_]/g, ''))];
        if (bad.length > 0 && unknownOnly(key).length === 0) {
          problems.push(
            doc.problem(
              keyAt,
              `\`key\` ${show(key)} has ${bad.map((c) => show(c)).join(', ')}: GitLab allows only A-Z, a-z, 0-9 and _ in a variable key`,
            ),
          );
        }
      }
    }
    for (const field of ['project', 'group', 'environment_scope']) {
      const v = variable[field];
      if (typeof v === 'string' && looksLikeToken(v)) problems.push(doc.problem([...at, 'gitlab_variable', field], TOKEN_IN_FILE));
    }
  }
  if (Array.isArray(token.command)) {
    token.command.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      const argAt = [...at, 'command', i];
      if (looksLikeToken(arg)) problems.push(doc.problem(argAt, TOKEN_IN_FILE));
      else problems.push(...unknownPlaceholders(doc, argAt, arg, ARGV_PLACEHOLDERS, 'a command argument'));
    });
  }
  return problems;
}

function unknownOnly(key: string): string[] {
  return placeholdersOf(key).filter((n) => !(KEY_PLACEHOLDERS as readonly string[]).includes(n));
}

function unknownPlaceholders(doc: SourceDoc, at: Path, text: string, known: readonly string[], what: string): Problem[] {
  const unknown = [...new Set(placeholdersOf(text).filter((n) => !known.includes(n)))];
  return unknown.map((name) => {
    // {desc} is a shortening, not a typo the edit distance would catch.
    const hint = suggest(name, known) ?? (name.length >= 3 ? (known.find((k) => k.startsWith(name.toLowerCase())) ?? null) : null);
    const list = known.map((k) => `{${k}}`).join(', ');
    const why = known.length === 1 ? ' (the key must be known before GitLab creates the runner)' : '';
    return doc.problem(
      at,
      `unknown placeholder {${name}} in ${what}${hint ? ` (did you mean {${hint}}?)` : ''}; ${what} may use ${list}${why}`,
    );
  });
}

/** The expanded key must fit GitLab's 255 characters for every runner that uses it. */
function keyLength(doc: SourceDoc, at: Path, defaults: Record<string, unknown> | undefined, body: Record<string, unknown>): Problem[] {
  const eff = effectiveToken(defaults, body);
  const dest = eff ? destinationOf(eff.raw) : null;
  if (!eff || !dest || dest.kind !== 'gitlab_variable' || typeof body.description !== 'string') return [];
  if (unknownOnly(dest.key).length > 0) return []; // reported at the key already
  const key = expandKey(dest.key, body.description);
  if ([...key].length <= MAX_VARIABLE_KEY) return [];
  const message =
    `the token's variable key ${show(key)} is ${[...key].length} characters long for this runner; GitLab allows at most ${MAX_VARIABLE_KEY}` +
    (eff.from === 'defaults' ? ' (the key comes from `defaults.token`)' : '');
  return [
    eff.from === 'runner'
      ? doc.problem([...at, 'token', 'gitlab_variable', 'key'], message)
      : doc.problem([...at, 'description'], message),
  ];
}

/** renamed_from names earlier descriptions: not this runner's own, not another declared runner's, each once in the scope. */
function checkRenamedFrom(doc: SourceDoc, scope: RawScope): Problem[] {
  const problems: Problem[] = [];
  const runners = rawRunners(scope);
  // Paths, not positions: a position is looked up only for a problem.
  const declared = new Map<string, (string | number)[]>();
  for (const { index, body } of runners) {
    if (typeof body.description === 'string' && !declared.has(body.description)) {
      declared.set(body.description, [...scope.segments, 'runners', index]);
    }
  }
  const claimed = new Map<string, (string | number)[]>();
  for (const { index, body } of runners) {
    const base = [...scope.segments, 'runners', index, 'renamed_from'];
    const own = new Set<string>();
    for (const { value, at } of renamedFromOf(body.renamed_from)) {
      const path = at === null ? base : [...base, at];
      if (looksLikeToken(value)) {
        problems.push(doc.problem(path, TOKEN_IN_FILE));
        continue;
      }
      if (value === body.description) {
        problems.push(doc.problem(path, `\`renamed_from\` names this runner's own description ${show(value)}; list only earlier descriptions`));
        continue;
      }
      if (own.has(value)) {
        problems.push(doc.problem(path, `\`renamed_from\` lists ${show(value)} twice`));
        continue;
      }
      own.add(value);
      const other = declared.get(value);
      if (other) {
        problems.push(
          doc.problem(
            path,
            `\`renamed_from\` ${show(value)} is the description of another runner of this scope, declared at line ${doc.at(other).line}; a runner cannot be renamed from a runner that is still declared`,
          ),
        );
        continue;
      }
      const first = claimed.get(value);
      if (first) {
        problems.push(
          doc.problem(
            path,
            `${show(value)} is also in \`renamed_from\` of the runner at line ${doc.at(first).line}; only one runner can be renamed from it`,
          ),
        );
        continue;
      }
      claimed.set(value, path);
    }
  }
  return problems;
}

/** Two runners whose tokens would land in the same CI/CD variable (same owner, key and environment scope), across all files. */
export function checkVariablesWrittenOnce(docs: SourceDoc[]): Problem[] {
  const first = new Map<string, { pos: SourcePos; who: string }>();
  const problems: Problem[] = [];
  for (const doc of docs) {
    const value = doc.value;
    if (!isRecord(value)) continue;
    const defaults = isRecord(value.defaults) ? value.defaults : undefined;
    for (const scope of rawScopes(value)) {
      for (const { index, body } of rawRunners(scope)) {
        if (typeof body.description !== 'string') continue;
        const eff = effectiveToken(defaults, body);
        const dest = eff ? destinationOf(eff.raw) : null;
        if (!dest || dest.kind !== 'gitlab_variable') continue;
        const at = [...scope.segments, 'runners', index, 'description'];
        const id = variableKeyOf(dest, body.description);
        const who = `runner ${show(body.description)} of ${scopeName(scope)}`;
        const seen = first.get(id);
        if (!seen) {
          first.set(id, { pos: doc.at(at), who });
          continue;
        }
        const where = seen.pos.file === doc.file ? `line ${seen.pos.line}` : `${seen.pos.file}:${seen.pos.line}:${seen.pos.column}`;
        const variable = `${expandKey(dest.key, body.description)} of ${dest.owner.type} ${dest.owner.path}` +
          (dest.environment_scope === '*' ? '' : ` (environment scope ${show(dest.environment_scope)})`);
        problems.push(
          doc.problem(
            at,
            `this runner's token would go to the same CI/CD variable ${variable} as the ${seen.who} at ${where}; ` +
              'each runner needs its own variable: give one of them its own `token.gitlab_variable.key`',
          ),
        );
      }
    }
  }
  return problems;
}

function scopeName(scope: RawScope): string {
  if (scope.type === 'instance') return 'the instance';
  const { path, id } = scope.body;
  return typeof path === 'string' ? `${scope.type} ${path}` : `${scope.type} id ${String(id)}`;
}
