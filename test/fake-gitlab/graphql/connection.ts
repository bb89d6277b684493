// GitLab's keyset connections: opaque cursors (base64 JSON of the sort keys,
// as GitLab's look), the 100-item page cap (`first` above it is clamped,
// omitting it gives 100), and authorization that drops unreadable nodes from
// a page after it was cut, so a page may hold fewer than `first` nodes while
// hasNextPage is true.
import { GraphQLError } from 'graphql';

export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

type KeyValue = string | number | null;

/** One sort key: its name in the cursor, how to read it, its direction. Ties are broken by the last key. */
export interface SortKey<T> {
  name: string;
  get: (item: T) => KeyValue;
  desc: boolean;
}

export interface Connection<T> {
  count: number;
  nodes: T[];
  /** A function: graphql-js's default resolver calls it, so cursors are only encoded when edges are asked for. */
  edges: () => { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

function compareValues(a: KeyValue, b: KeyValue): number {
  if (a === b) return 0;
  if (a === null) return -1; // nulls sort first ascending
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function compareKeys<T>(keys: SortKey<T>[], a: Record<string, KeyValue>, b: Record<string, KeyValue>): number {
  for (const k of keys) {
    const c = compareValues(a[k.name] ?? null, b[k.name] ?? null);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

function keyOf<T>(keys: SortKey<T>[], item: T): Record<string, KeyValue> {
  return Object.fromEntries(keys.map((k) => [k.name, k.get(item)]));
}

function encodeCursor(key: Record<string, KeyValue>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64');
}

function decodeCursor<T>(keys: SortKey<T>[], cursor: string): Record<string, KeyValue> {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && keys.every((k) => k.name in parsed)) return parsed as Record<string, KeyValue>;
  } catch {
    // falls through to GitLab's message
  }
  throw new GraphQLError('Please provide a valid cursor');
}

/**
 * A page of `all` (in any order: it is sorted here) for the connection arguments.
 * `readable` decides which nodes of the cut page are shown.
 */
export function connectionOf<T>(all: T[], keys: SortKey<T>[], args: PageArgs, readable: (item: T) => boolean = () => true): Connection<T> {
  const first = args.first ?? null;
  const last = args.last ?? null;
  if (first !== null && last !== null) throw new GraphQLError('Can only provide either `first` or `last`, not both');
  if ((first !== null && first < 0) || (last !== null && last < 0)) throw new GraphQLError('`first` and `last` must be non-negative');
  const limit = Math.min(first ?? last ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);

  const sorted = all
    .map((item) => ({ item, key: keyOf(keys, item) }))
    .sort((a, b) => compareKeys(keys, a.key, b.key));
  let window = sorted;
  if (args.after) {
    const after = decodeCursor(keys, args.after);
    window = window.filter((e) => compareKeys(keys, e.key, after) > 0);
  }
  if (args.before) {
    const before = decodeCursor(keys, args.before);
    window = window.filter((e) => compareKeys(keys, e.key, before) < 0);
  }
  const page = last !== null ? window.slice(Math.max(0, window.length - limit)) : window.slice(0, limit);
  const hasNextPage = last !== null ? Boolean(args.before) : window.length > limit;
  // GitLab: a cursor given with `after` points at a record of the previous page.
  const hasPreviousPage = last !== null ? window.length > limit : Boolean(args.after);
  const shown = page.filter((e) => readable(e.item));
  const [pageStart, pageEnd] = [page.at(0), page.at(-1)];
  return {
    count: all.length,
    nodes: shown.map((e) => e.item),
    edges: () => shown.map((e) => ({ cursor: encodeCursor(e.key), node: e.item })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      // From the page as cut, so paging goes on past a page whose nodes were all dropped.
      startCursor: pageStart ? encodeCursor(pageStart.key) : null,
      endCursor: pageEnd ? encodeCursor(pageEnd.key) : null,
    },
  };
}
