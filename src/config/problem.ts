// A problem found in a desired-state file, and how it is printed.
import { redact } from '../secrets.js';

export interface Problem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file (it could not be read). */
  line: number;
  /** 1-based; 0 together with line 0. */
  column: number;
  /** JSON Pointer of the offending value ("" for the whole document). */
  path: string;
  message: string;
}

/** `FILE:LINE:COL: message`, or `FILE: message` when there is no position. */
export function formatProblem(p: Problem): string {
  if (!p.file) return p.message;
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}: ${p.message}` : `${p.file}: ${p.message}`;
}

// Personal access tokens and runner tokens must never be echoed back, even
// when a user pasted one into the wrong field of the file.
export function redactSecrets(text: string): string {
  return redact(text);
}

/** Problems in input-file order, then by position. */
export function sortProblems(problems: Problem[], fileOrder: string[]): Problem[] {
  const rank = (f: string) => {
    const i = fileOrder.indexOf(f);
    return i < 0 ? fileOrder.length : i;
  };
  return [...problems].sort(
    (a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

/** RFC 6901 JSON Pointer from path segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
