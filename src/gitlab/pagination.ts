// Finding the next page of a GitLab list. Offset pagination sends
// `x-next-page` (empty on the last page); keyset pagination only sends
// `Link: <…>; rel="next"`. We prefer x-next-page because a GitLab behind a
// misconfigured reverse proxy can put an internal host into Link.

export type NextPage = { page: string } | { url: URL } | null;

export function parseNextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    const [, url, params] = m ?? [];
    if (params !== undefined && /\brel="?next"?/.test(params)) return url;
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

/**
 * Most pages one list walk may fetch: 2,000 pages of 100 is 200,000 runners,
 * far beyond any real GitLab scope; a proxy or a bug answering "next page"
 * forever would otherwise send requests and grow memory without end.
 */
export const MAX_PAGES = 2_000;

/** A list walk that did not end the way GitLab's pagination ends. */
export class PaginationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaginationError';
  }
}

/**
 * Keeps one list walk bounded: every page must be new (a page number must grow,
 * a Link URL must not repeat) and the walk stops at `maxPages`. `check` throws
 * a PaginationError instead of returning a partial list, which would make
 * missing runners look deleted.
 */
export function createPageGuard(maxPages = MAX_PAGES): { check: (current: URL, next: Exclude<NextPage, null>) => void; pages: () => number } {
  const seen = new Set<string>();
  let pages = 0;
  const key = (u: URL): string => {
    const c = new URL(u.href);
    c.searchParams.sort();
    return `${c.pathname}?${c.searchParams.toString()}`;
  };
  return {
    pages: () => pages,
    check: (current, next) => {
      pages++;
      seen.add(key(current));
      const shown = `${current.pathname}${current.search}`;
      if (pages >= maxPages) {
        throw new PaginationError(`stopped after ${pages} pages of ${shown} (the most one list may take): GitLab, or a proxy in front of it, kept announcing a next page`);
      }
      let nextUrl: URL;
      if ('page' in next) {
        const now = Number(current.searchParams.get('page') ?? '1');
        const then = Number(next.page);
        if (!Number.isInteger(then) || then <= now) {
          throw new PaginationError(`page ${now} of ${shown} announced page "${next.page}" as the next one, which does not advance`);
        }
        nextUrl = new URL(current.href);
        nextUrl.searchParams.set('page', next.page);
      } else {
        nextUrl = next.url;
      }
      if (seen.has(key(nextUrl))) {
        throw new PaginationError(`${shown} announced ${nextUrl.pathname}${nextUrl.search} as the next page, which was already read`);
      }
    },
  };
}

/**
 * The same bound for a cursor walk (GraphQL `pageInfo { hasNextPage endCursor }`):
 * every cursor must be new, and one connection may take at most `maxPages` pages.
 */
export function createCursorGuard(what: string, maxPages = MAX_PAGES): { check: (cursor: string) => void } {
  const seen = new Set<string>();
  return {
    check: (cursor) => {
      if (seen.has(cursor)) {
        throw new PaginationError(`GitLab's GraphQL API announced a next page of ${what} at a cursor already read; the read stopped there`);
      }
      seen.add(cursor);
      // The first page has no cursor: `seen.size` pages have been read so far.
      if (seen.size >= maxPages) {
        throw new PaginationError(`the read of ${what} stopped after ${seen.size} pages (the most one list may take): GitLab, or a proxy in front of it, kept announcing a next page`);
      }
    },
  };
}
