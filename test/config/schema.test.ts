// The JSON Schema is strict, complete and editor-friendly; near-miss hints work.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { desiredStateSchema } from '../../src/config/index.js';
import { editDistance, suggest } from '../../src/config/did-you-mean.js';
import { ATTRIBUTE_NAMES } from '../../src/model.js';

type Json = Record<string, unknown>;
const schema = JSON.parse(readFileSync('schemas/runners.schema.json', 'utf8')) as Json;

/** Every subschema of the document with its JSON Pointer. */
function* subschemas(node: unknown, at = ''): Generator<[string, Json]> {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* subschemas(n, `${at}/${i}`);
    return;
  }
  yield [at, node as Json];
  for (const [k, v] of Object.entries(node)) if (k !== 'enum' && k !== 'required') yield* subschemas(v, `${at}/${k}`);
}

describe('schemas/runners.schema.json', () => {
  it('is what the loader validates with', () => {
    expect(desiredStateSchema).toEqual(schema);
  });

  it('compiles under ajv strict mode', () => {
    expect(() => new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(schema)).not.toThrow();
  });

  it('forbids unknown keys on every object', () => {
    const objects = [...subschemas(schema)].filter(([, s]) => s.type === 'object');
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const [at, s] of objects) expect(s.additionalProperties, at).toBe(false);
  });

  it('runners and defaults hold exactly the managed attributes (plus where the token goes)', () => {
    const defs = schema.definitions as Record<string, Json>;
    expect(Object.keys(defs.attributes!.properties as Json)).toEqual([...ATTRIBUTE_NAMES]);
    expect(Object.keys(defs.runner!.properties as Json)).toEqual(['description', ...ATTRIBUTE_NAMES, 'token', 'health', 'renamed_from', 'also_in']);
    expect(Object.keys(defs.defaults!.properties as Json)).toEqual([...ATTRIBUTE_NAMES, 'token']);
  });

  it('gives every property a title and a description for editors', () => {
    for (const [at, s] of subschemas(schema)) {
      if (!s.properties) continue;
      for (const [name, prop] of Object.entries(s.properties as Record<string, Json>)) {
        const target = typeof prop.$ref === 'string' ? resolve(prop.$ref) : prop;
        expect(target.title ?? prop.title, `${at}/${name}`).toBeTruthy();
        expect(target.description ?? prop.description, `${at}/${name}`).toBeTruthy();
      }
    }
  });

  it("encodes GitLab's limits", () => {
    const a = (schema.definitions as Record<string, Json>).attributes!.properties as Record<string, Json>;
    expect(a.maximum_timeout).toMatchObject({ type: 'integer', minimum: 600 });
    expect(a.maintenance_note).toMatchObject({ maxLength: 1024 });
    expect(a.tag_list).toMatchObject({ maxItems: 50 });
    expect(a.access_level?.enum).toEqual(['not_protected', 'ref_protected']);
    const d = ((schema.definitions as Record<string, Json>).runner!.properties as Record<string, Json>).description;
    expect(d).toMatchObject({ minLength: 1, maxLength: 1024 });
  });
});

function resolve(ref: string): Json {
  let node: unknown = schema;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Json)[part];
  return node as Json;
}

describe('did you mean', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('tag_lsit', 'tag_list')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests near misses, known synonyms and case or dash variants', () => {
    const keys = ['description', ...ATTRIBUTE_NAMES];
    expect(suggest('tag_lsit', keys)).toBe('tag_list');
    expect(suggest('taglist', keys)).toBe('tag_list');
    expect(suggest('tags', keys)).toBe('tag_list');
    expect(suggest('Run-Untagged', keys)).toBe('run_untagged');
    expect(suggest('maximum_timout', keys)).toBe('maximum_timeout');
    expect(suggest('timeout', keys)).toBe('maximum_timeout');
    expect(suggest('descripton', keys)).toBe('description');
  });

  it('stays quiet when nothing is close', () => {
    expect(suggest('token', ['description', ...ATTRIBUTE_NAMES])).toBeNull();
    expect(suggest('x'.repeat(500), ['x'])).toBeNull();
  });
});
