// Token destinations as a reviewer and a sink see them: templates expanded,
// a short human description, and the key under which apply reports what a
// CI/CD variable holds (TokenEvidence.variables). Pure.
import type { Scope, TokenDestination } from '../model.js';
import { escapeInvisible } from './address.js';

export type VariableDestination = Extract<TokenDestination, { kind: 'gitlab_variable' }>;

/** The placeholders each template may use. */
export const KEY_PLACEHOLDERS = ['description'] as const;
export const ARGV_PLACEHOLDERS = ['description', 'id', 'scope'] as const;

/** `{name}` with an identifier inside; other braces (JSON, shell-like text) are plain text. */
export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;

export const MAX_VARIABLE_KEY = 255;

/** The placeholder names a template uses, in order of appearance (repeats kept). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!); // PLACEHOLDER's group is not optional
}

/** docker-amd64 → DOCKER_AMD64: upper-cased, every character (code point) outside A-Z and 0-9 becomes `_`. */
export function keyPart(description: string): string {
  return description.toUpperCase().replace(/[^A-Z0-9]/gu, '_');
}

/** RUNNER_TOKEN_{description} → RUNNER_TOKEN_DOCKER_AMD64. */
export function expandKey(template: string, description: string): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name === 'description' ? keyPart(description) : whole));
}

export interface ArgvContext {
  description: string;
  scope: Scope;
  /** null before GitLab created the runner (plan of a create): `{id}` stays as written. */
  id: number | null;
}

/** What `{scope}` stands for: the group's or project's full path (its id when the path is unknown), or `instance`. */
export function scopeText(scope: Scope): string {
  if (scope.type === 'instance') return 'instance';
  return scope.path ?? String(scope.id);
}

/** Each argv element with {description}, {id} and {scope} replaced as plain text (no shell, no quoting). */
export function expandArgv(argv: readonly string[], ctx: ArgvContext): string[] {
  const values: Record<string, string | null> = {
    description: ctx.description,
    id: ctx.id === null ? null : String(ctx.id),
    scope: scopeText(ctx.scope),
  };
  return argv.map((arg) => arg.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole));
}

/**
 * The key of TokenEvidence.variables for one runner's gitlab_variable destination:
 * `project:acme/infra/runner-fleet:RUNNER_TOKEN_DOCKER_AMD64:*` — owner type, owner
 * path (lower-cased: GitLab paths are case-insensitive), expanded key, environment scope.
 * Two destinations that write the same GitLab variable have the same key.
 */
export function variableKeyOf(dest: VariableDestination, description: string): string {
  return `${dest.owner.type}:${dest.owner.path.toLowerCase()}:${expandKey(dest.key, description)}:${dest.environment_scope}`;
}

/**
 * "CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet",
 * "command vault kv put secret/runners/docker-amd64 token=-". Invisible characters are escaped;
 * arguments that are empty or hold spaces or quotes are shown as JSON strings.
 */
export function describeDestination(dest: TokenDestination, ctx: ArgvContext): string {
  if (dest.kind === 'gitlab_variable') {
    const env = dest.environment_scope === '*' ? '' : `, environment scope ${showArg(dest.environment_scope)}`;
    return escapeInvisible(`CI/CD variable ${expandKey(dest.key, ctx.description)} of ${dest.owner.path}${env}`);
  }
  return `command ${expandArgv(dest.argv, ctx).map(showArg).join(' ')}`;
}

function showArg(arg: string): string {
  const plain = arg !== '' && !/[\s"'\\]/.test(arg);
  return plain ? escapeInvisible(arg) : escapeInvisible(JSON.stringify(arg));
}

/**
 * What identifies the place a destination writes to, templates expanded: two destinations
 * with the same key receive a token in the same place. null: only the tokens file.
 */
export function destinationKey(dest: TokenDestination | null, ctx: ArgvContext): string | null {
  if (dest === null) return null;
  if (dest.kind === 'gitlab_variable') return `variable:${variableKeyOf(dest, ctx.description)}`;
  return `command:${JSON.stringify(expandArgv(dest.argv, ctx))}`;
}
