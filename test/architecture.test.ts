// The boundaries the developer guide draws, checked on the sources: only config/ reads YAML,
// only gitlab/ talks HTTP, only cli/ touches argv, stdout, signals and exit codes, the engine and
// the renderers do no I/O, and no module imports itself through others (type imports included).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC);
/** Source without comments (a comment may name what the code must not do). */
const uncommented = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
const text = new Map(files.map((f) => [f, uncommented(readFileSync(f, 'utf8'))]));
const rel = (f: string) => relative(SRC, f);

/** Every module specifier a file imports or re-exports (`import type` included). */
function specifiers(file: string): string[] {
  const src = text.get(file)!;
  return [...src.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\('([^']+)'\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The source files a file imports (relative specifiers, `.js` → `.ts`). */
function localImports(file: string): string[] {
  return specifiers(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((f) => text.has(f));
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of localImports(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(rel(w));
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

/** Files outside `allowed` folders whose source matches `pattern`. */
function offenders(pattern: RegExp, allowed: string[]): string[] {
  return files.filter((f) => !allowed.some((a) => rel(f).startsWith(a)) && pattern.test(text.get(f)!)).map(rel).sort();
}

const importsOf = (pkg: string) => new RegExp(`^\\s*(?:import|export)\\b[^;'"]*?from\\s+'${pkg}(?:/[^']*)?'`, 'm');

describe('architecture', () => {
  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('reads YAML only in config/, talks HTTP only in gitlab/', () => {
    expect(offenders(importsOf('js-yaml'), ['config/'])).toEqual([]);
    expect(offenders(importsOf('got'), ['gitlab/'])).toEqual([]);
    expect(offenders(importsOf('node:(?:http|https|net|tls|dns)'), ['gitlab/', 'cli/connection.ts'])).toEqual([]);
  });

  it('touches argv, stdout/stderr, signals and exit codes only in cli/', () => {
    const io = /\bprocess\.(?:argv|exit|exitCode|stdout|stderr|stdin)\b|\bprocess\.(?:on|once)\('SIG/;
    expect(offenders(io, ['cli/'])).toEqual([]);
  });

  it('keeps the engine and the renderers pure: no file system, network, child processes, clock or environment', () => {
    const pure = files.filter((f) => /^(plan|render)\//.test(rel(f)));
    const impure = pure.filter((f) => {
      const src = text.get(f)!;
      const nodeImports = specifiers(f).filter((s) => s.startsWith('node:') && s !== 'node:crypto'); // hashing only
      return nodeImports.length > 0 || /\bprocess\.\w|\bnew Date\(\)|\bDate\.now\(/.test(src) || specifiers(f).some((s) => /\/(gitlab|cli|config)\//.test(s));
    });
    expect(impure.map(rel)).toEqual([]);
  });
});
