// `runnerform schema` and the schema comment `export` writes: the comment, resolved beside the
// exported file the way the YAML language server resolves it, names the file `schema` writes.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_COMMENT } from '../../src/config/export.js';
import { runCli, tempDir } from '../e2e/harness.js';

const root = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runnerform schema', () => {
  it('prints the shipped schemas/runners.schema.json byte for byte, from any directory', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const r = await runCli(['schema'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, 'schemas/runners.schema.json'), 'utf8'));
  });

  it('prints a schema that accepts the examples and rejects an unknown field', async () => {
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(load(readFileSync(join(root, 'examples/minimal.yaml'), 'utf8')))).toBe(true);
    expect(validate({ version: 1, colour: 'blue' })).toBe(false);
  });

  it("the comment export writes resolves to the file `runnerform schema > runners.schema.json` writes beside it", async () => {
    const path = /^# yaml-language-server: \$schema=(\S+)$/.exec(SCHEMA_COMMENT)?.[1];
    expect(path).toBeDefined();
    const dir = tempDir();
    dirs.push(dir);
    const exported = join(dir, 'runners.yaml');
    writeFileSync(exported, `${SCHEMA_COMMENT}\nversion: 1\n`);
    writeFileSync(join(dir, 'runners.schema.json'), (await runCli(['schema'], { cwd: dir })).stdout);
    // The language server resolves a relative $schema against the YAML file's directory.
    const target = resolve(dirname(exported), path!);
    expect(existsSync(target)).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).title).toBe('runnerform desired state');
  });
});
