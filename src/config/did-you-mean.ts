// "did you mean `tag_list`?" hints for near-miss keys and enum values.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  // Every index below stays inside the (a.length + 1) × (b.length + 1) table: the loops' bounds.
  const at = (i: number, j: number): number => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i]!;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}

// Words people reach for that are spelled differently in GitLab's API.
const SYNONYMS: Record<string, string> = {
  tags: 'tag_list',
  tag: 'tag_list',
  taglist: 'tag_list',
  timeout: 'maximum_timeout',
  max_timeout: 'maximum_timeout',
  name: 'description',
  untagged: 'run_untagged',
  protected: 'access_level',
  note: 'maintenance_note',
  maintainer_note: 'maintenance_note',
  group: 'path',
  project: 'path',
  full_path: 'path',
  group_id: 'id',
  project_id: 'id',
  protect: 'protected', // closer to `project` by edit distance, but meant for gitlab_variable
  variable: 'gitlab_variable',
  ci_variable: 'gitlab_variable',
  cmd: 'command',
  exec: 'command',
  environment: 'environment_scope',
  renamed: 'renamed_from',
  old_description: 'renamed_from',
};

/** The closest candidate, or null when nothing is close enough to be a typo. */
export function suggest(input: string, candidates: readonly string[]): string | null {
  if (input.length > 100) return null; // not a typo, and keeps the distance table small
  const lower = input.toLowerCase().replace(/-/g, '_');
  if (candidates.includes(lower)) return lower;
  const synonym = SYNONYMS[lower];
  if (synonym && candidates.includes(synonym)) return synonym;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(lower, c);
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  if (best === null) return null;
  const allowed = Math.max(1, Math.min(3, Math.floor(best.length / 3)));
  return bestDistance <= allowed ? best : null;
}
