// One parsed desired-state file: its value plus the means to turn a JSON path
// into a source position.
import type { SourcePos } from '../model.js';
import { LineIndex } from './lines.js';
import { toPointer, type Problem } from './problem.js';
import { locate, type PosNode } from './yaml-source.js';

export class SourceDoc {
  private lines: LineIndex | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    readonly value: unknown,
    private readonly root: () => PosNode | null,
  ) {}

  /**
   * Position of the value at `segments` (or of the key naming it). Line and column are
   * worked out when first read: a valid file reads none, and finding them is most of the
   * cost of a parse that keeps positions.
   */
  at(segments: readonly (string | number)[], want: 'key' | 'value' = 'value'): SourcePos {
    const path = [...segments];
    let pos: { line: number; column: number } | undefined;
    const position = () => (pos ??= this.position(path, want));
    return {
      file: this.file,
      get line() {
        return position().line;
      },
      get column() {
        return position().column;
      },
    };
  }

  private position(segments: readonly (string | number)[], want: 'key' | 'value'): { line: number; column: number } {
    const offset = locate(this.root(), segments.map(String), want);
    return (this.lines ??= new LineIndex(this.text)).position(offset);
  }

  problem(segments: readonly (string | number)[], message: string, want: 'key' | 'value' = 'value'): Problem {
    const { line, column } = this.at(segments, want);
    return { file: this.file, line, column, path: toPointer(segments), message };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scope as it appears in a file, before it is known to be well-formed. */
export interface RawScope {
  type: 'group' | 'project' | 'instance';
  segments: (string | number)[];
  body: Record<string, unknown>;
}

/** The scopes of a document in file order: groups, projects, then instance. */
export function rawScopes(value: unknown): RawScope[] {
  if (!isRecord(value)) return [];
  const out: RawScope[] = [];
  for (const [key, type] of [['groups', 'group'], ['projects', 'project']] as const) {
    const list = value[key];
    if (!Array.isArray(list)) continue;
    list.forEach((body, i) => {
      if (isRecord(body)) out.push({ type, segments: [key, i], body });
    });
  }
  if (isRecord(value.instance)) out.push({ type: 'instance', segments: ['instance'], body: value.instance });
  return out;
}

/** The runners of a raw scope that are mappings, with their index. */
export function rawRunners(scope: RawScope): { index: number; body: Record<string, unknown> }[] {
  const list = scope.body.runners;
  if (!Array.isArray(list)) return [];
  return list.flatMap((body, index) => (isRecord(body) ? [{ index, body }] : []));
}
