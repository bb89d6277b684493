// A tiny selection tree for the live reader's GraphQL queries: the same tree
// prints the query text and estimates GitLab's complexity of it, so the two
// can never disagree. GitLab's formula is its own (gitlab-runner-api.md §7),
// not graphql-ruby's default, which is why no library computes it for us.

/** One field of a selection. `args` values are printed as written (`$a0`, `DIRECT`, `100`). */
export interface Field {
  name: string;
  alias?: string;
  args?: Record<string, string | number>;
  children?: Field[];
  /** A field GitLab resolves with a resolver (group, project, groups, projects, runners): it costs `children + cost`. */
  resolver?: {
    /** 1, +1 when a `sort` argument is passed or has a default, +5 with `search`. */
    cost: number;
    /** A connection's page size: the sum is multiplied by 1 + min(first, 100) / 100. */
    first?: number;
  };
}

export const PAGE_SIZE = 100;

/** GitLab's complexity of one field (and everything below it). */
export function complexityOf(field: Field): number {
  const children = (field.children ?? []).reduce((sum, f) => sum + complexityOf(f), 0);
  if (!field.resolver) return 1 + children;
  const base = children + field.resolver.cost;
  if (field.resolver.first === undefined) return base;
  return Math.trunc(base * (1 + Math.min(field.resolver.first, PAGE_SIZE) / 100));
}

function printField(f: Field): string {
  const head = f.alias ? `${f.alias}: ${f.name}` : f.name;
  const args = f.args && Object.keys(f.args).length > 0 ? `(${Object.entries(f.args).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '';
  const body = f.children && f.children.length > 0 ? ` { ${f.children.map(printField).join(' ')} }` : '';
  return `${head}${args}${body}`;
}

/** `query Name($v: T, …) { root fields }`; variables carry every path and id, so the text stays short. */
export function printQuery(name: string, variables: Record<string, string>, roots: Field[]): string {
  const decl = Object.entries(variables).map(([v, type]) => `$${v}: ${type}`);
  return `query ${name}${decl.length > 0 ? `(${decl.join(', ')})` : ''} { ${roots.map(printField).join(' ')} }`;
}

const leaf = (name: string): Field => ({ name });
const leaves = (...names: string[]): Field[] => names.map(leaf);

/** The runner fields every scope reads: the seven attributes, identity, status and permissions. */
export function runnerNodeFields(project: boolean, extra: Field[] = []): Field[] {
  return [
    ...extra,
    ...leaves('id', 'description', 'paused', 'locked', 'runUntagged', 'tagList', 'accessLevel', 'maximumTimeout', 'maintenanceNote'),
    ...leaves('runnerType', 'status', 'contactedAt', 'createdAt', 'tokenExpiresAt'),
    { name: 'userPermissions', children: leaves('updateRunner', 'deleteRunner') },
    // Only a project scope needs the owner (a project lists the runners it borrows too) and the project count.
    ...(project ? [{ name: 'ownerProject', children: leaves('id') }, leaf('projectCount')] : []),
  ];
}

export type RunnersKind = 'group' | 'project' | 'instance';

/** A `runners` connection of one scope kind, from `after` (a variable name) when given; `extra` node fields (health) first. */
export function runnersConnection(kind: RunnersKind, after?: string, extra: Field[] = []): Field {
  const args: Record<string, string | number> =
    kind === 'group' ? { membership: 'DIRECT', type: 'GROUP_TYPE', first: PAGE_SIZE } : kind === 'project' ? { type: 'PROJECT_TYPE', first: PAGE_SIZE } : { type: 'INSTANCE_TYPE', first: PAGE_SIZE };
  if (after) args.after = `$${after}`;
  return {
    name: 'runners',
    args,
    resolver: { cost: 1, first: PAGE_SIZE },
    children: [
      { name: 'pageInfo', children: leaves('hasNextPage', 'endCursor') },
      { name: 'nodes', children: runnerNodeFields(kind === 'project', extra) },
    ],
  };
}
