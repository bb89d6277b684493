// Finding the next page of a GitLab list. Offset pagination sends
// `x-next-page` (empty on the last page); keyset pagination only sends
// `Link: <…>; rel="next"`. We prefer x-next-page because a GitLab behind a
// misconfigured reverse proxy can put an internal host into Link.

export type NextPage = { page: string } | { url: URL } | null;

export function parseNextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2])) return m[1];
  }
  return undefined;
}

/**
 * The next page to fetch after a response with these headers, or null at the
 * end. A Link URL is re-based onto `origin` so the token never travels to a
 * host other than the configured GitLab.
 */
export function nextPage(headers: Record<string, string | string[] | undefined>, origin: string): NextPage {
  const header = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const xNext = header('x-next-page');
  if (xNext !== undefined && xNext.trim() !== '') return { page: xNext.trim() };
  const link = parseNextLink(header('link'));
  if (link === undefined) return null;
  const given = new URL(link, origin);
  return { url: new URL(`${given.pathname}${given.search}`, origin) };
}
