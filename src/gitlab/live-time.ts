// One spelling for GitLab's timestamps, whichever API said them: REST writes
// 2026-01-01T00:00:00.000Z, GraphQL 2026-01-01T00:00:00Z. Both readers store
// the same instant the same way so their live states (and plans) are identical.

/** ISO 8601 in UTC, milliseconds only when there are any; null stays null, unparsable text stays as GitLab wrote it. */
export function isoTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}
