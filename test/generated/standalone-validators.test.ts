// The validators compiled at build time (src/generated/, by scripts/validators.mjs) against
// ones ajv compiles at run time from the same schema with the same options: the same verdict
// and byte-identical errors over valid documents and thousands of mutations of them. And the
// checked-in files match the schemas (a schema edit without `npm run generate` fails here).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { validate as runnersStandalone } from '../../src/generated/runners-validator.js';
import { validate as planStandalone } from '../../src/generated/plan-validator.js';

const root = resolve(import.meta.dirname, '../..');
const json = (rel: string): object => JSON.parse(readFileSync(join(root, rel), 'utf8')) as object;

// The options scripts/validators.mjs records for each schema.
const runnersRuntime = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(json('schemas/runners.schema.json'));
const planRuntime = new Ajv({ allErrors: true, strict: true }).compile(json('schemas/plan.schema.json'));

/** Replacement values that break a field in different ways. */
const ODD: unknown[] = [null, 0, -1, 1.5, '', 'x', 'glrt-' + 'a'.repeat(20), true, [], [1], {}, { unknown: 1 }, 'a'.repeat(300)];

/** Deterministic mutations: each value replaced by each odd value, each key dropped, an unknown key added to each object. */
function* mutations(doc: unknown): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]) => {
    paths.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(doc, []);
  for (const at of paths) {
    if (at.length === 0) continue;
    for (const odd of ODD) yield setAt(doc, at, () => structuredClone(odd));
    yield setAt(doc, at, undefined);
    yield setAt(doc, at, (v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, colour: 'blue' } : v));
  }
}

/** A copy of doc with the value at `at` replaced (or removed when `f` is undefined). */
function setAt(doc: unknown, at: (string | number)[], f: ((v: unknown) => unknown) | undefined): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const [last] = at.slice(-1);
  if (last === undefined) throw new Error('setAt needs a non-empty path');
  if (f) parent[last] = f(parent[last]);
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

function compare(standalone: ValidateFunction, runtime: ValidateFunction, docs: unknown[]): { documents: number; invalid: number } {
  let documents = 0;
  let invalid = 0;
  for (const base of docs) {
    // A large plan has ~10,000 mutations: every k-th of them, at most ~600 per document, keeps it a few seconds.
    const all = [...mutations(base)];
    const stride = Math.max(1, Math.ceil(all.length / 600));
    for (const doc of [base, ...all.filter((_, i) => i % stride === 0)]) {
      const a = standalone(doc);
      const b = runtime(doc);
      expect(a).toBe(b);
      expect(JSON.stringify(standalone.errors)).toBe(JSON.stringify(runtime.errors));
      documents++;
      if (!a) invalid++;
    }
  }
  return { documents, invalid };
}

const yamlDocs = (): unknown[] => {
  const files = ['runners.yaml', 'examples/minimal.yaml', 'examples/multi-team.yaml', 'examples/gitlab-ci/runners.yaml'];
  for (const f of readdirSync(join(root, 'examples/multi-file'))) files.push(`examples/multi-file/${f}`);
  return files.map((f) => load(readFileSync(join(root, f), 'utf8')));
};

describe('standalone validators', () => {
  it('runners.yaml: byte-identical errors to the runtime-compiled validator', () => {
    const { documents, invalid } = compare(runnersStandalone as ValidateFunction, runnersRuntime, yamlDocs());
    expect(documents).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(documents / 2); // the mutations do break documents
  });

  it('plan files: byte-identical errors to the runtime-compiled validator', () => {
    const plans = readdirSync(join(root, 'test/golden')).map((d) => join('test/golden', d, 'plan.json')).filter((f) => {
      try {
        readFileSync(join(root, f));
        return true;
      } catch {
        return false;
      }
    });
    expect(plans.length).toBeGreaterThan(2);
    const { documents, invalid } = compare(planStandalone as ValidateFunction, planRuntime, plans.map(json));
    expect(documents).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(documents / 2);
  });

  it('are up to date with the schemas (scripts/validators.mjs --check)', () => {
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/validators.mjs'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
