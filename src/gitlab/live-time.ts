// One spelling for GitLab's timestamps, whichever API said them: REST writes
// 2026-01-01T00:00:00.000Z, GraphQL 2026-01-01T00:00:00Z. Both readers store
// the same instant the same way, to the second, so their live states (and plans) are identical.

/** ISO 8601 in UTC to the second (GraphQL's Time has no milliseconds); null stays null, unparsable text stays as GitLab wrote it. */
export function isoTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
