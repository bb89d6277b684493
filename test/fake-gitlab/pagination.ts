// GitLab's offset pagination: page/per_page (default 20, max 100) and the
// x-* and Link headers, with totals omitted past 10,000 records as GitLab does.

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
const MAX_COUNTED = 10_000;

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

function positiveInt(v: string | undefined, fallback: number): number {
  if (v === undefined || !/^\d+$/.test(v.trim())) return fallback;
  const n = Number(v.trim());
  return n >= 1 ? n : fallback;
}

/**
 * Slices `all` for the requested page. `selfUrl` is the request's absolute URL;
 * Link entries keep its other query parameters and replace page/per_page.
 */
export function paginate<T>(all: T[], query: Record<string, string>, selfUrl: URL): Page<T> {
  const perPage = Math.min(positiveInt(query.per_page, DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const page = positiveInt(query.page, 1);
  const total = all.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const counted = total <= MAX_COUNTED;
  const next = page < totalPages ? page + 1 : null;
  const prev = page > 1 ? page - 1 : null;

  const link = (n: number, rel: string) => {
    const u = new URL(selfUrl.href);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (prev !== null) links.push(link(prev, 'prev'));
  if (next !== null) links.push(link(next, 'next'));
  links.push(link(1, 'first'));
  if (counted) links.push(link(totalPages, 'last'));

  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': next === null ? '' : String(next),
    'x-prev-page': prev === null ? '' : String(prev),
    link: links.join(', '),
  };
  if (counted) {
    headers['x-total'] = String(total);
    headers['x-total-pages'] = String(totalPages);
  }
  return { items, headers };
}
