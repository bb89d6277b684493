// Parses one YAML document into a plain value plus a tree of source offsets,
// so that any JSON path into the value can be mapped back to line:column.
// Aliases stay shared references; the expanded size is bounded up front so a
// later walk over the value (ajv, our own checks) always terminates quickly.
// A valid file needs no position, so the tree is built on first use, unless the
// document has aliases or merge keys: then it is built at once, since it is what bounds their expansion.
import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  mergeTag,
  parseEvents,
  type Event,
} from 'js-yaml';
import { MAX_DEPTH, MAX_EXPANDED_NODES } from './limits.js';

export type PosNode =
  | { kind: 'scalar'; offset: number; empty: boolean }
  | { kind: 'seq'; offset: number; items: PosNode[] }
  | { kind: 'map'; offset: number; entries: Map<string, PosEntry> }
  | { kind: 'alias'; offset: number; target: PosNode };

export interface PosEntry {
  keyOffset: number;
  value: PosNode;
}

export interface ParsedYaml {
  /** null for an empty document. */
  value: unknown;
  /** The tree of source offsets (built on the first call, then kept). */
  root: () => PosNode | null;
}

/** A YAML-level failure at a source offset. */
export class YamlError extends Error {
  constructor(message: string, readonly offset: number, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'YamlError';
  }
}

// `<<` merge keys are common in hand-written YAML; js-yaml 5 leaves them off by default.
const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/** Throws YamlError for malformed or oversized input. */
export function parseYaml(text: string, file: string): ParsedYaml {
  let events: Event[];
  let docs: unknown[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: MAX_DEPTH });
  } catch (err) {
    throw fromJsYaml(err, 'YAML syntax error', text);
  }
  const root = positionTree(text, events);
  try {
    docs = constructFromEvents(events, { source: text, filename: file, schema: SCHEMA });
  } catch (err) {
    throw fromJsYaml(err, 'YAML error', text);
  }
  return { value: docs.length === 0 ? null : docs[0], root };
}

/**
 * The position tree, now when the document has aliases or merge keys or is over the size bound
 * (buildTree enforces the bound), else on first use. Either way a second document is refused now.
 */
function positionTree(text: string, events: Event[]): () => PosNode | null {
  let nodes = 0;
  let documents = 0;
  for (const ev of events) {
    if (ev.type === EVENT_ID.ALIAS) return built(buildTree(text, events));
    if (ev.type === EVENT_ID.DOCUMENT && ++documents > 1) {
      throw new YamlError('a desired-state file holds one YAML document; remove the second `---`', offsetOfNext(events, ev));
    }
    if (ev.type === EVENT_ID.SCALAR || ev.type === EVENT_ID.SEQUENCE || ev.type === EVENT_ID.MAPPING) nodes++;
  }
  // Merge keys copy entries (nested ones again at each level): buildTree counts them against the bound,
  // so a document with one is checked now, as one with aliases is. Without either, the size is the node count.
  if (nodes > MAX_EXPANDED_NODES || text.includes('<<')) return built(buildTree(text, events));
  let tree: PosNode | null = null;
  let pending: Event[] | null = events; // dropped once the tree is built
  return () => {
    if (pending !== null) {
      tree = buildTree(text, pending);
      pending = null;
    }
    return tree;
  };
}

const built = (tree: PosNode | null) => () => tree;

function fromJsYaml(err: unknown, what: string, text: string): YamlError {
  if (err instanceof YAMLException) {
    const m = err.mark;
    let reason = err.reason;
    // js-yaml points at the repeated key but does not name it.
    if (m && reason === 'duplicated mapping key') {
      const key = /^[^:#\n]{1,80}(?=:)/.exec(text.slice(m.position))?.[0].trim();
      if (key) reason = `duplicated mapping key \`${key}\``;
    }
    return new YamlError(`${what}: ${reason}`, m?.position ?? 0, m ? m.line + 1 : undefined, m ? m.column + 1 : undefined);
  }
  if (err instanceof RangeError) return new YamlError(`${what}: document is nested too deeply`, 0);
  return new YamlError(`${what}: ${err instanceof Error ? err.message : String(err)}`, 0);
}

interface Frame {
  node: Extract<PosNode, { kind: 'seq' | 'map' }>;
  size: number;
  /** For maps: the key waiting for its value, or undefined when a key comes next. */
  key?: { name: string | null; offset: number; merge: boolean };
  merges: PosNode[];
}

function buildTree(text: string, events: Event[]): PosNode | null {
  const anchors = new Map<string, PosNode>();
  const sizes = new WeakMap<PosNode, number>();
  const stack: Frame[] = [];
  let root: PosNode | null = null;
  let documents = 0;

  const anchorName = (start: number, end: number) => (start >= 0 ? text.slice(start, end) : null);

  const add = (node: PosNode, size: number, scalarKey: string | null, plainKey: boolean) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = node;
      return;
    }
    top.size += size;
    if (top.size > MAX_EXPANDED_NODES) {
      throw new YamlError(
        `document too large: more than ${MAX_EXPANDED_NODES} nodes once aliases are expanded (alias bomb?)`,
        node.offset,
      );
    }
    if (top.node.kind === 'seq') {
      top.node.items.push(node);
    } else if (!top.key) {
      top.key = { name: scalarKey, offset: node.offset, merge: plainKey && scalarKey === '<<' };
    } else {
      const key = top.key;
      top.key = undefined;
      if (key.merge) top.merges.push(node);
      else if (key.name !== null) top.node.entries.set(key.name, { keyOffset: key.offset, value: node });
    }
  };

  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        documents++;
        if (documents > 1) {
          throw new YamlError('a desired-state file holds one YAML document; remove the second `---`', offsetOfNext(events, ev));
        }
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const node: Frame['node'] =
          ev.type === EVENT_ID.SEQUENCE
            ? { kind: 'seq', offset: ev.start, items: [] }
            : { kind: 'map', offset: ev.start, entries: new Map() };
        const name = anchorName(ev.anchorStart, ev.anchorEnd);
        if (name !== null) anchors.set(name, node);
        stack.push({ node, size: 1, merges: [] });
        break;
      }
      case EVENT_ID.SCALAR: {
        const quoted = ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED;
        const node: PosNode = {
          kind: 'scalar',
          offset: quoted ? ev.valueStart - 1 : ev.valueStart,
          empty: !quoted && ev.valueStart === ev.valueEnd,
        };
        const name = anchorName(ev.anchorStart, ev.anchorEnd);
        if (name !== null) anchors.set(name, node);
        sizes.set(node, 1);
        add(node, 1, getScalarValue(text, ev), ev.style === SCALAR_STYLE.PLAIN && ev.tagStart < 0);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(ev.anchorStart, ev.anchorEnd);
        const offset = Math.max(0, ev.anchorStart - 1);
        const target = anchors.get(name);
        if (!target) throw new YamlError(`YAML error: unidentified alias "${name}"`, offset);
        const size = sizes.get(target);
        if (size === undefined) throw new YamlError(`YAML error: alias "${name}" refers to a node that contains it`, offset);
        add({ kind: 'alias', offset, target }, size, null, false);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) break; // closes a document
        if (frame.node.kind === 'map') frame.size += applyMerges(frame.node.entries, frame.merges, sizes);
        sizes.set(frame.node, frame.size);
        add(frame.node, frame.size, null, false);
        break;
      }
    }
  }
  return root;
}

/** Copies keys from `<<` sources that the mapping does not set itself; returns the added size. */
function applyMerges(entries: Map<string, PosEntry>, merges: PosNode[], sizes: WeakMap<PosNode, number>): number {
  let added = 0;
  const sources = merges.flatMap((m) => {
    const d = deref(m);
    return d.kind === 'seq' ? d.items.map(deref) : [d];
  });
  for (const src of sources) {
    if (src.kind !== 'map') continue;
    for (const [name, entry] of src.entries) {
      if (entries.has(name)) continue;
      entries.set(name, entry);
      added += 1 + (sizes.get(entry.value) ?? 1);
    }
  }
  return added;
}

function offsetOfNext(events: Event[], ev: Event): number {
  for (const e of events.slice(events.indexOf(ev) + 1)) {
    if (e.type === EVENT_ID.SCALAR) return e.valueStart;
    if (e.type === EVENT_ID.SEQUENCE || e.type === EVENT_ID.MAPPING) return e.start;
    if (e.type === EVENT_ID.ALIAS) return e.anchorStart;
  }
  return 0;
}

export function deref(node: PosNode): PosNode {
  let n = node;
  // An alias never points at another alias, but be safe with a bound.
  for (let i = 0; n.kind === 'alias' && i < 64; i++) n = n.target;
  return n;
}

/**
 * The source offset for a JSON path: the key naming the last segment when
 * `want` is 'key' (and the parent is a mapping), else the value. When the path
 * leaves the tree, the deepest node found is used.
 */
export function locate(root: PosNode | null, segments: readonly string[], want: 'key' | 'value'): number {
  if (!root) return 0;
  let node: PosNode = root;
  let keyOffset: number | null = null;
  for (const seg of segments) {
    const d = deref(node);
    let next: PosNode | undefined;
    let nextKey: number | null = null;
    if (d.kind === 'map') {
      const entry = d.entries.get(seg);
      if (entry) {
        next = entry.value;
        nextKey = entry.keyOffset;
      }
    } else if (d.kind === 'seq' && /^\d+$/.test(seg)) {
      next = d.items[Number(seg)];
    }
    if (!next) return keyOffset ?? node.offset;
    node = next;
    keyOffset = nextKey;
  }
  if (keyOffset !== null && (want === 'key' || (node.kind === 'scalar' && node.empty))) return keyOffset;
  return node.offset;
}
