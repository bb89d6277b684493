// Shape validation with ajv against schemas/runners.schema.json (the single
// source of truth for shape), turned into human messages with JSON paths.
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../schemas/runners.schema.json' with { type: 'json' };
import { ATTRIBUTE_NAMES } from '../model.js';
import { validate as generatedValidate } from '../generated/runners-validator.js';
import { suggest } from './did-you-mean.js';
import { fromPointer, redactSecrets } from './problem.js';

export { schema };

export interface SchemaIssue {
  /** JSON path of the offending value. */
  segments: string[];
  /** Point at the key naming the value, or at the value itself. */
  want: 'key' | 'value';
  message: string;
}

// Compiled at build time (scripts/validators.mjs) with the options recorded there: compiling
// the schema at run time cost every command ~40 ms.
const compiled = (): ValidateFunction => generatedValidate as ValidateFunction;

/** Validates one parsed document; an empty list means the shape is right. */
export function checkShape(value: unknown): SchemaIssue[] {
  const validate = compiled();
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // Errors inside a failed oneOf branch only explain why that branch did not match.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  // An empty string also fails its pattern; "must not be empty" says it better.
  const emptyAt = new Set(errors.filter((e) => e.keyword === 'minLength').map((e) => e.instancePath));
  const { branchNoise, explained } = anyOfNoise(errors);
  const issues = errors
    .filter((e) => !oneOfPaths.some((p) => e.schemaPath.startsWith(p)))
    .filter((e) => !branchNoise.has(e) && !explained.has(e))
    .filter((e) => !(e.keyword === 'pattern' && emptyAt.has(e.instancePath)))
    .map(toIssue);
  return dedupe(issues);
}

/**
 * anyOf (`renamed_from`: text or a list of texts): the branch whose type does not fit
 * only says "must be …"; drop those. When the fitting branch explains the problem,
 * the anyOf error itself adds nothing; when no branch fits, it is the message.
 */
function anyOfNoise(errors: ErrorObject[]): { branchNoise: Set<ErrorObject>; explained: Set<ErrorObject> } {
  const branchNoise = new Set<ErrorObject>();
  const explained = new Set<ErrorObject>();
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const at = anyOf.instancePath;
    const inside = errors.filter(
      (e) => e.schemaPath.startsWith(anyOf.schemaPath + '/') && (e.instancePath === at || e.instancePath.startsWith(at + '/')),
    );
    const mismatch = inside.filter((e) => e.keyword === 'type' && e.instancePath === anyOf.instancePath);
    for (const e of mismatch) branchNoise.add(e);
    if (inside.length > mismatch.length) explained.add(anyOf);
  }
  return { branchNoise, explained };
}

function dedupe(issues: SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = i.segments.join('/') + '\0' + i.message;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toIssue(e: ErrorObject): SchemaIssue {
  const segments = fromPointer(e.instancePath);
  const label = labelOf(segments);
  const data: unknown = e.data;
  const params = e.params as Record<string, unknown>;
  const say = (message: string, want: SchemaIssue['want'] = 'value', at = segments): SchemaIssue => ({
    segments: at,
    want,
    message: redactSecrets(message),
  });

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return say(unknownKey(key, allowed, segments), 'key', [...segments, key]);
    }
    case 'required':
      return say(`${ownerLabel(segments)} is missing the required key \`${String(params.missingProperty)}\``, 'key');
    case 'oneOf': {
      const one = oneOfMessage(segments, data);
      if (one) return say(one, 'key');
      const both = isObject(data) && 'path' in data && 'id' in data;
      const noun = scopeNoun(segments);
      return say(
        both
          ? `${noun} has both \`path\` and \`id\`; give exactly one of them`
          : `${noun} needs \`path\` (its full path) or \`id\` (its numeric id)`,
        'key',
      );
    }
    case 'type':
      return say(typeMessage(label, String(params.type), data, segments));
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof data === 'string' ? suggest(data, allowed) : null;
      return say(
        `${label} must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, got ${show(data)}` +
          (hint ? ` (did you mean \`${hint}\`?)` : ''),
      );
    }
    case 'minimum':
      return say(`${label} must be at least ${String(params.limit)}${unitHint(segments)}, got ${show(data)}`);
    case 'anyOf':
      return say(`${label} must be a description (text) or a list of descriptions, got ${show(data)}`);
    case 'minItems':
      return say(
        segments[segments.length - 1] === 'command'
          ? `${label} must not be empty: give the program and its arguments, e.g. ["vault", "kv", "put", "secret/runners/{description}", "token=-"]`
          : `${label} must not be an empty list`,
      );
    case 'maxItems':
      return say(`${label} has ${(data as unknown[]).length} entries; at most ${String(params.limit)} are allowed`);
    case 'minLength':
      return say(`${label} must not be empty`);
    case 'maxLength':
      return say(`${label} is ${[...String(data)].length} characters long; at most ${String(params.limit)} are allowed`);
    case 'pattern':
      return say(patternMessage(label, data, segments));
    default:
      return say(`${label} ${e.message ?? 'is invalid'}`);
  }
}

function unknownKey(key: string, allowed: string[], segments: string[]): string {
  const base = `unknown key \`${key}\``;
  const hint = suggest(key, allowed);
  if (hint) return `${base} (did you mean \`${hint}\`?)`;
  const inScope = allowed.includes('runners') && (ATTRIBUTE_NAMES as readonly string[]).includes(key);
  if (inScope) return `${base}: runner attributes go on each runner, or under \`defaults\``;
  const where = segments.length === 0 ? 'at the top level' : 'here';
  return `${base}; allowed ${where}: ${allowed.join(', ')}`;
}

function typeMessage(label: string, type: string, data: unknown, segments: string[]): string {
  if (segments.length === 0) return `the file must be a mapping with \`version: 1\` at the top level, got ${show(data)}`;
  const msg = `${label} must be ${typeName(type)}, got ${show(data)}`;
  if (type === 'boolean' && typeof data === 'string' && /^(yes|no|on|off|y|n)$/i.test(data)) {
    return `${msg} (YAML 1.2 reads \`${data}\` as text; write true or false)`;
  }
  if (type === 'integer' && typeof data === 'number') return `${label} must be a whole number, got ${show(data)}`;
  return msg;
}

function patternMessage(label: string, data: unknown, segments: string[]): string {
  const parent = segments[segments.length - 2];
  const field = /^\d+$/.test(segments[segments.length - 1] ?? '') ? parent : segments[segments.length - 1];
  const text = String(data);
  if (field === 'tag_list') {
    return text.includes(',')
      ? `tag ${show(data)} contains a comma; GitLab splits tags on commas, so list each tag separately`
      : `tag ${show(data)} has leading or trailing whitespace`;
  }
  if (field === 'path' || ((field === 'project' || field === 'group') && parent === 'gitlab_variable')) {
    return `${show(data)} is not a valid full path (names of letters, digits, \`_\`, \`-\` and \`.\`, separated by single \`/\`)`;
  }
  if (field === 'description' || field === 'renamed_from') return `${label} must not be blank`;
  if (parent === 'health') return `${label} must be a duration: a whole number and a unit (s, m, h, d or w), e.g. 7d; got ${show(data)}`;
  return `${label} has an invalid format`;
}

/** The token destination's "exactly one of" rules; null for the scope's path/id rule. */
function oneOfMessage(segments: string[], data: unknown): string | null {
  const last = segments[segments.length - 1];
  const present = (keys: string[]) => (isObject(data) ? keys.filter((k) => k in data) : []);
  if (last === 'token') {
    const given = present(['gitlab_variable', 'command']);
    return given.length > 1
      ? '`token` has both `gitlab_variable` and `command`; a runner\'s token goes to exactly one destination'
      : '`token` needs one destination: `gitlab_variable` (a CI/CD variable) or `command` (a program that reads the token on stdin)';
  }
  if (last === 'gitlab_variable') {
    const given = present(['project', 'group']);
    return given.length > 1
      ? '`gitlab_variable` has both `project` and `group`; give exactly one of them'
      : '`gitlab_variable` needs `project` or `group`: the full path that holds the variable';
  }
  return null;
}

function unitHint(segments: string[]): string {
  return segments[segments.length - 1] === 'maximum_timeout' ? ' seconds (GitLab needs at least 10 minutes)' : '';
}

function typeName(type: string): string {
  switch (type) {
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'text';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping (key: value)';
    default:
      return type;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `tag_list`, `tag_list[2]`, `groups[0]` … */
export function labelOf(segments: string[]): string {
  const last = segments[segments.length - 1];
  if (last === undefined) return 'the document';
  if (/^\d+$/.test(last)) return `\`${segments[segments.length - 2] ?? ''}[${last}]\``;
  return `\`${last}\``;
}

function ownerLabel(segments: string[]): string {
  if (segments.length === 0) return 'the file';
  const parent = segments[segments.length - 2];
  if (parent === 'runners') return 'this runner';
  if (parent === 'groups' || parent === 'projects') return `this ${scopeNoun(segments)}`;
  return labelOf(segments);
}

function scopeNoun(segments: string[]): string {
  return segments[0] === 'projects' ? 'project' : 'group';
}

/** A short, safe rendering of a user's value for messages. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') {
    const cut = v.length > 60 ? v.slice(0, 57) + '...' : v;
    return redactSecrets(JSON.stringify(cut));
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v; // no YAML value is anything else (a function, a symbol)
}
