// The thin I/O layer: expands inputs (files and directories) and reads them
// as text, refusing what cannot be a desired-state file before parsing.
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_FILE_BYTES, MAX_FILES } from './limits.js';
import type { Problem } from './problem.js';
import type { SourceText } from './parse.js';

export interface ReadResult {
  sources: SourceText[];
  problems: Problem[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Reads every input; a directory contributes its `*.yaml`/`*.yml` files in name order. */
export function readInputs(inputs: readonly string[]): ReadResult {
  const sources: SourceText[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const fail = (file: string, message: string) => problems.push({ file, line: 0, column: 0, path: '', message });

  const readOne = (file: string) => {
    const key = resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    const result = readText(file);
    if (typeof result === 'string') sources.push({ file, text: result });
    else fail(file, result.error);
  };

  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch (err) {
      fail(input, `cannot read: ${describe(err)}`);
      continue;
    }
    if (!isDir) {
      readOne(input);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(input, { withFileTypes: true })
        .filter((e) => !e.isDirectory() && YAML_FILE.test(e.name) && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      fail(input, `cannot read directory: ${describe(err)}`);
      continue;
    }
    if (names.length === 0) fail(input, 'directory holds no *.yaml or *.yml files');
    else if (names.length > MAX_FILES) fail(input, `directory holds ${names.length} YAML files; at most ${MAX_FILES} are read`);
    else for (const name of names) readOne(join(input, name));
  }
  return { sources, problems };
}

/** The file's text, or why it is not usable. Never reads more than the size limit. */
export function readText(file: string): string | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return { error: `cannot read: ${describe(err)}` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { error: 'not a regular file' };
    if (stat.size > MAX_FILE_BYTES) {
      return { error: `file is too large (${stat.size} bytes); desired-state files are limited to ${MAX_FILE_BYTES} bytes` };
    }
    // Read at most one byte past the limit, in case the file grew since fstat.
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0; ) length += n;
    if (length > MAX_FILE_BYTES) return { error: `file is too large; desired-state files are limited to ${MAX_FILE_BYTES} bytes` };
    return decodeText(buf.subarray(0, length));
  } catch (err) {
    return { error: `cannot read: ${describe(err)}` };
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 text without a BOM, or an error for binary content. */
export function decodeText(bytes: Uint8Array): string | { error: string } {
  if (bytes.includes(0)) return { error: 'not a text file (it contains NUL bytes)' };
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { error: 'not a text file (it is not valid UTF-8)' };
  }
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? (err instanceof Error ? err.message : String(err));
  }
}
