// The tokens file: 0600, existing entries kept, never clobbered when it is not ours.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenFile } from '../../src/apply/token-sink.js';
import { tempDir } from '../e2e/harness.js';

const scope = { type: 'group' as const, id: 11, path: 'acme/platform' };
const entry = (id: number, token: string) => ({ scope, description: `r${id}`, id, token, token_expires_at: null, source: 'create' as const });

describe('TokenFile', () => {
  it('creates the file 0600 on open, before any token, and keeps existing entries', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    writeFileSync(path, JSON.stringify([{ ...entry(1, 'glrt-old'), written_at: 'then' }]), { mode: 0o644 });
    const sink = await TokenFile.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await Promise.all([sink.add(entry(2, 'glrt-two')), sink.add(entry(3, 'glrt-three'))]);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { id: number; token: string }[];
    expect(saved.map((e) => [e.id, e.token])).toEqual([
      [1, 'glrt-old'],
      [2, 'glrt-two'],
      [3, 'glrt-three'],
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['tokens.json']); // no temporary files left behind
  });

  it('keeps one entry per runner: a reset replaces the older token', async () => {
    const path = join(tempDir(), 'tokens.json');
    const sink = await TokenFile.open(path);
    await sink.add(entry(7, 'glrt-first'));
    await sink.add({ ...entry(7, 'glrt-second'), source: 'reset' });
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { token: string; source: string }[];
    expect(saved.map((e) => [e.token, e.source])).toEqual([['glrt-second', 'reset']]);
  });

  it('refuses to overwrite a file that is not a tokens file', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'my precious notes');
    await expect(TokenFile.open(path)).rejects.toThrow(/not JSON/);
    expect(readFileSync(path, 'utf8')).toBe('my precious notes');
  });
});
