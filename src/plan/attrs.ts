// Attribute comparison and normalisation shared by the engine, the fingerprint
// and the renderers. GitLab treats tag lists as sets and a missing maintenance
// note as empty, so runnerform does too.
import { ATTRIBUTE_NAMES, type AttrName, type LiveAttrs, type RunnerAttrs } from '../model.js';

/** Code-point order: the same on every machine, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedTags(tags: readonly string[]): string[] {
  // Most lists arrive sorted already (every normalized one does): one pass, no Set, no sort.
  if (tags.every((t, i) => i === 0 || tags[i - 1]! < t)) return tags.slice();
  return [...new Set(tags)].sort(compareStrings);
}

/** All seven live attributes in ATTRIBUTE_NAMES order, tags sorted. */
export function normalizeLive(attrs: LiveAttrs): LiveAttrs {
  return {
    paused: attrs.paused,
    locked: attrs.locked,
    run_untagged: attrs.run_untagged,
    tag_list: sortedTags(attrs.tag_list),
    access_level: attrs.access_level,
    maximum_timeout: attrs.maximum_timeout,
    maintenance_note: attrs.maintenance_note,
  };
}

/** The attributes present in `attrs`, in ATTRIBUTE_NAMES order, tags sorted. */
export function normalizePartial(attrs: RunnerAttrs): RunnerAttrs {
  const out: Record<string, unknown> = {};
  for (const name of ATTRIBUTE_NAMES) {
    if (attrs[name] === undefined) continue;
    out[name] = name === 'tag_list' ? sortedTags(attrs.tag_list!) : attrs[name];
  }
  return out;
}

/** Equality as GitLab means it: tag_list as a set, maintenance_note null ≡ "". */
export function attrEqual(name: AttrName, a: RunnerAttrs[AttrName], b: RunnerAttrs[AttrName]): boolean {
  if (name === 'tag_list') {
    const x = sortedTags((a as string[] | undefined) ?? []);
    const y = sortedTags((b as string[] | undefined) ?? []);
    return x.length === y.length && x.every((t, i) => t === y[i]);
  }
  if (name === 'maintenance_note') return (a ?? '') === (b ?? '');
  return a === b;
}
