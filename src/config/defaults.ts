// Applies a file's `defaults` to a runner. The runner's own value wins;
// tag_list is replaced as a whole; an attribute set by neither stays absent,
// which means "not managed" (GitLab's value is left alone).
import { ATTRIBUTE_NAMES, type RunnerAttrs } from '../model.js';

export function effectiveAttrs(defaults: Record<string, unknown> | undefined, own: Record<string, unknown>): RunnerAttrs {
  const attrs: Record<string, unknown> = {};
  for (const name of ATTRIBUTE_NAMES) {
    const value = Object.hasOwn(own, name) ? own[name] : defaults && Object.hasOwn(defaults, name) ? defaults[name] : undefined;
    if (value === undefined) continue;
    // Aliased tag lists are shared arrays in the parsed YAML; give each runner its own.
    attrs[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return attrs;
}

/** Where an effective attribute came from. */
export function originOf(
  name: string,
  defaults: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
): 'runner' | 'defaults' | null {
  if (Object.hasOwn(own, name)) return 'runner';
  if (defaults && Object.hasOwn(defaults, name)) return 'defaults';
  return null;
}
