// Placeholder expansion for token destinations, as the issue defines it.
// TODO(tokens-core): replace with plan/token-dest.ts once it lands.
import type { Scope, TokenDestination } from '../../model.js';

type VariableDestination = Extract<TokenDestination, { kind: 'gitlab_variable' }>;

export function expandVariableKey(dest: VariableDestination, description: string): string {
  return dest.key.replaceAll('{description}', description.toUpperCase().replace(/[^A-Z0-9]/g, '_'));
}

export function expandArgv(argv: readonly string[], v: { description: string; id: number; scope: Scope }): string[] {
  const scope = v.scope.path ?? v.scope.type;
  return argv.map((a) => a.replaceAll('{description}', v.description).replaceAll('{id}', String(v.id)).replaceAll('{scope}', scope));
}

export function variableKeyOf(dest: VariableDestination, description: string): string {
  return `${dest.owner.type}:${dest.owner.path}:${expandVariableKey(dest, description)}:${dest.environment_scope}`;
}
