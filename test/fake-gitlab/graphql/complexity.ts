// GitLab's query complexity and depth (app/graphql/types/base_field.rb,
// app/graphql/resolvers/base_resolver.rb over graphql-ruby 2.4), not
// graphql-ruby's defaults:
// - a plain field costs 1 + its children;
// - a field backed by a resolver costs children + r (r = 1, +1 when `sort` is
//   passed, +5 when `search` is; arguments with defaults count as passed), and
//   a connection multiplies that by 1 + min(first, last, 100) × 0.01, truncated;
// - Group.descendantGroups costs a constant 5 + children;
// - every alias is costed on its own; fragments are expanded, and selections
//   of the same response key merge (as graphql-ruby's analyzer does).
import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from './connection.js';
import { CONSTANT_FIELDS, RESOLVER_FIELDS } from './sdl.js';

export const MAX_COMPLEXITY = { anonymous: 200, user: 250, admin: 300 } as const;
export const MAX_DEPTH = 20;

export interface Cost {
  complexity: number;
  depth: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

const PAGE_MULTIPLIER = 0.01;

/**
 * The fields of a selection set by response key, fragments expanded: graphql-ruby
 * costs each key once (same-key selections merge, aliases do not).
 */
function fieldsByKey(w: Walk, sets: SelectionSetNode[], parent: GraphQLObjectType, seen: Set<string>): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode, fragmentsSeen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        out.set(key, [...(out.get(key) ?? []), sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!sel.typeCondition || sel.typeCondition.name.value === parent.name) visit(sel.selectionSet, fragmentsSeen);
      } else {
        const frag = w.fragments.get(sel.name.value);
        // the seen set guards against fragment cycles (validation rejects them anyway)
        if (frag && frag.typeCondition.name.value === parent.name && !fragmentsSeen.has(frag.name.value)) {
          visit(frag.selectionSet, new Set([...fragmentsSeen, frag.name.value]));
        }
      }
    }
  };
  for (const set of sets) visit(set, seen);
  return out;
}

function selectionCost(w: Walk, sets: SelectionSetNode[], parent: GraphQLObjectType): Cost {
  let complexity = 0;
  let depth = 0;
  for (const nodes of fieldsByKey(w, sets, parent, new Set()).values()) {
    // fieldsByKey makes a key only for a field it saw, so every group holds at least one node
    const [field] = nodes;
    if (!field) continue;
    const def = parent.getFields()[field.name.value];
    if (!def) {
      // __typename and introspection: a plain field, not counted for depth (graphql-ruby skips introspection)
      complexity += 1;
      continue;
    }
    const type = getNamedType(def.type);
    const childSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    const children = childSets.length && isObjectType(type) ? selectionCost(w, childSets, type) : { complexity: 0, depth: 0 };
    const key = `${parent.name}.${field.name.value}`;
    let own: number;
    const constant = CONSTANT_FIELDS.get(key);
    if (constant !== undefined) {
      own = constant + children.complexity;
    } else if (RESOLVER_FIELDS.has(key)) {
      const args = getArgumentValues(def, field, w.variables) as Record<string, unknown>;
      let sum = children.complexity + 1 + (args.sort != null ? 1 : 0) + (args.search != null ? 5 : 0);
      if (type.name.endsWith('Connection')) {
        const limits = [args.first, args.last, MAX_PAGE_SIZE].filter((v): v is number => typeof v === 'number');
        // Ruby: complexity += complexity * limit_value * multiplier; then to_i
        sum = Math.trunc(sum + sum * Math.min(...limits) * PAGE_MULTIPLIER);
      }
      own = sum;
    } else {
      own = 1 + children.complexity;
    }
    complexity += own;
    depth = Math.max(depth, 1 + children.depth);
  }
  return { complexity, depth };
}

/** Complexity and depth of the selected operation, with its coerced variables. */
export function queryCost(
  schema: GraphQLSchema,
  operation: { selectionSet: SelectionSetNode; operation: string },
  fragments: FragmentDefinitionNode[],
  variables: Record<string, unknown>,
): Cost {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return { complexity: 0, depth: 0 };
  const w: Walk = { schema, fragments: new Map(fragments.map((f) => [f.name.value, f])), variables };
  return selectionCost(w, [operation.selectionSet], root);
}

export const complexityError = (complexity: number, max: number) => `Query has complexity of ${complexity}, which exceeds max complexity of ${max}`;
export const depthError = (depth: number, max: number) => `Query has depth of ${depth}, which exceeds max depth of ${max}`;
