// The tokens file and journal: 0600, atomic, existing (older-format) entries kept,
// intents durable before the request, never a token-bearing temporary file left behind.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as fsSync from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TokenFile, journalRecords, readTokenEntries, type Intent } from '../../src/apply/journal.js';
// tempDir: removed with everything in it after this file (test/temp.ts).
import { tempDir } from '../temp.js';

const scope = { type: 'group' as const, id: 11, path: 'acme/platform' };
const intent = (description: string, runner_id: number | null = null, destination: Intent['destination'] = null): Intent => ({
  scope,
  description,
  address: `group["acme/platform"].runner["${description}"]`,
  destination,
  runner_id,
});
const issued = (id: number, token: string, source: 'create' | 'reset' = 'create') => ({ id, token, token_expires_at: null, source });
const CMD = { kind: 'command' as const, argv: ['true'] };

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];

describe('TokenFile', () => {
  it('creates the file 0600 on open and keeps entries of files written before the journal', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    const old = { scope, description: 'r1', id: 1, token: 'glrt-old', token_expires_at: null, source: 'create', written_at: '2026-01-01T00:00:00.000Z' };
    writeFileSync(path, JSON.stringify([old]), { mode: 0o644 });
    const file = await TokenFile.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const a = await file.intend(intent('a'));
    const b = await file.intend(intent('b'));
    await Promise.all([file.store(a, issued(2, 'glrt-two')), file.store(b, issued(3, 'glrt-three'))]);
    expect(read(path).map((e) => [e.id, e.token])).toEqual([
      [1, 'glrt-old'],
      [2, 'glrt-two'],
      [3, 'glrt-three'],
    ]);
    // An old entry is stored and delivered: the file was its only destination.
    expect(journalRecords((await readTokenEntries(path))!)[0]).toMatchObject({ runner_id: 1, stored: true, delivered: true, intent_at: old.written_at });
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']); // no temporary files left behind
  });

  it('makes the intent durable before the token exists, then stored, then delivered', async () => {
    const path = join(tempDir(), 'tokens.json');
    const file = await TokenFile.open(path);
    const e = await file.intend(intent('a', null, CMD));
    expect(journalRecords((await readTokenEntries(path))!)).toEqual([
      { scope, description: 'a', intent_at: e.intent_at, runner_id: null, stored: false, delivered: false, destination: CMD },
    ]);
    await file.store(e, issued(7, 'glrt-seven'));
    expect(journalRecords((await readTokenEntries(path))!)[0]).toMatchObject({ runner_id: 7, stored: true, delivered: false });
    expect(file.pendingDeliveries().map((p) => p.id)).toEqual([7]);
    await file.undelivered(e, 'exit 3: glrt-seven leaked');
    expect(read(path)[0]?.delivery_error).toBe('exit 3: glrt-[REDACTED] leaked');
    await file.delivered(e);
    expect(journalRecords((await readTokenEntries(path))!)[0]).toMatchObject({ stored: true, delivered: true });
    expect(file.pendingDeliveries()).toEqual([]);
  });

  it('relocates a stored token to a new destination: undelivered there until delivered, the same token kept', async () => {
    const path = join(tempDir(), 'tokens.json');
    const file = await TokenFile.open(path);
    const e = await file.intend(intent('a', null, CMD));
    await file.store(e, issued(7, 'glrt-seven'));
    await file.delivered(e);
    expect(file.storedToken(7)?.token).toBe('glrt-seven');
    expect(file.storedToken(8)).toBeUndefined();
    const to = { kind: 'command' as const, argv: ['next'] };
    await file.relocate(file.storedToken(7)!, { description: 'b', address: 'group["acme/platform"].runner["b"]', destination: to });
    const [record] = journalRecords((await readTokenEntries(path))!);
    expect(record).toMatchObject({ runner_id: 7, description: 'b', stored: true, delivered: false, destination: to });
    expect(file.pendingDeliveries().map((p) => p.token)).toEqual(['glrt-seven']);
    await file.delivered(e);
    expect(journalRecords((await readTokenEntries(path))!)[0]).toMatchObject({ delivered: true, destination: to });
  });

  it('a reset replaces the runner entry and the intent of an interrupted create; a refused reset puts them back', async () => {
    const path = join(tempDir(), 'tokens.json');
    const file = await TokenFile.open(path);
    await file.intend(intent('orphan')); // interrupted create: no id, no token
    const first = await file.intend(intent('a'));
    await file.store(first, issued(7, 'glrt-first'));
    const reset = await file.intend(intent('a', 7));
    await file.store(reset, issued(7, 'glrt-second', 'reset'));
    expect(read(path).map((e) => [e.description, e.token ?? null])).toEqual([
      ['orphan', null],
      ['a', 'glrt-second'],
    ]);
    const settle = await file.intend(intent('orphan', 9));
    expect(read(path).map((e) => e.description)).toEqual(['a', 'orphan']);
    await file.forget(settle);
    expect(read(path).map((e) => [e.description, e.id])).toEqual([
      ['a', 7],
      ['orphan', null],
    ]);
  });

  it('refuses to overwrite a file that is not a tokens file', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'my precious notes');
    await expect(TokenFile.open(path)).rejects.toThrow(/not JSON/);
    writeFileSync(path, '{"a":1}');
    await expect(TokenFile.open(path)).rejects.toThrow(/not a JSON array of tokens/);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
  });

  it('leaves no token-bearing temporary file when a write or its fsync fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    let failSync = false;
    // The real fsync, failing on demand (a full disk, an I/O error).
    const fsyncSync = (fd: number) => {
      if (failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      fsSync.fsyncSync(fd);
    };
    const file = await TokenFile.open(path, { fsyncSync });
    const e = await file.intend(intent('a'));
    failSync = true;
    await expect(file.store(e, issued(5, 'glrt-secret-token-000000000'))).rejects.toThrow(/EIO/);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
    expect(readFileSync(path, 'utf8')).not.toContain('glrt-secret');
    // The next successful write carries the token the failed one could not.
    failSync = false;
    await file.delivered(e);
    expect(read(path)[0]?.token).toBe('glrt-secret-token-000000000');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
  });

  it('flushSync writes the tokens in hand synchronously, and a failed flush leaves no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    let full = false;
    const file = await TokenFile.open(path, {
      fsyncSync: (fd) => {
        if (full) throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
        fsSync.fsyncSync(fd);
      },
    });
    const e = await file.intend(intent('a'));
    full = true;
    const pending = file.store(e, issued(5, 'glrt-in-hand-000000000000')).catch((err: Error) => err);
    expect(() => file.flushSync()).toThrow(/ENOSPC/);
    expect(await pending).toBeInstanceOf(Error);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock')).sort()).toEqual(['tokens.json']);
    const ok = await TokenFile.open(join(dir, 'other.json'));
    const f = await ok.intend(intent('b'));
    const pending2 = ok.store(f, issued(6, 'glrt-in-hand-111111111111'));
    ok.flushSync();
    expect(read(join(dir, 'other.json'))[0]?.token).toBe('glrt-in-hand-111111111111');
    await Promise.all([pending, pending2]);
  });

  it('adopts the complete temporary file a killed process left behind, drops a partial one, and leaves none', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    const older = [{ scope, description: 'a', id: null, token_expires_at: null, written_at: 't0', intent_at: 't0', delivered: false }];
    writeFileSync(path, JSON.stringify(older));
    // Killed after fsync, before rename: the temporary file is the newer, complete state.
    const newer = [{ ...older[0], id: 5, token: 'glrt-left-behind-000000000', written_at: 't1' }];
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no such process
    writeFileSync(join(dir, `.tokens.json.${dead}.1.tmp`), JSON.stringify(newer));
    writeFileSync(join(dir, `.tokens.json.${dead}.2.tmp`), '[{"scope":'); // killed mid-write
    const file = await TokenFile.open(path);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
    expect(read(path)).toEqual(newer);
    expect(file.records()[0]).toMatchObject({ runner_id: 5, stored: true });
  });

  // Issue 8's soak (seed 42, cycle 9, TERM×2): a token the second signal's flushSync made
  // durable was gone after the next apply opened the file. The dying process had an
  // asynchronous write in flight; its temporary file (older entries, or empty) outlived it
  // and open() adopted it as "newer". Writes are now synchronous: none is ever half done
  // when a signal handler runs.
  it('a change is on disk, with no temporary file, before the call returns to the event loop', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    const file = await TokenFile.open(path);
    const intended = file.intend(intent('a'));
    // Nothing awaited: this is where a signal handler could run.
    expect(read(path).map((e) => e.description)).toEqual(['a']);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
    const e = await intended;
    const stored = file.store(e, issued(5, 'glrt-in-hand-000000000000'));
    expect(read(path)[0]?.token).toBe('glrt-in-hand-000000000000');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
    await stored;
  });

  it('the tokens a second signal flushes survive the exit: the next open keeps them', async () => {
    const dir = tempDir();
    const module = fileURLToPath(new URL('../../dist/src/apply/journal.js', import.meta.url));
    // As the apply's second SIGTERM does: a token arrives while the intent is being written,
    // flushSync, exit at once. Five times: without synchronous writes it failed about one in ten.
    const child = `
      const { TokenFile } = await import(${JSON.stringify(pathToFileURL(module).href)});
      const file = await TokenFile.open(process.argv[1]);
      const scope = { type: 'group', id: 11, path: 'acme/platform' };
      const pending = file.intend({ scope, description: 'a', address: 'a', destination: null, runner_id: null });
      const entry = await Promise.race([pending, Promise.resolve(null)]) ?? file.entries.at(-1);
      file.store(entry, { id: 5, token: 'glrt-in-hand-000000000000', token_expires_at: null, source: 'create' }).catch(() => {});
      setTimeout(() => { file.flushSync(); process.exit(143); }, Number(process.argv[2]));
    `;
    for (const delay of [0, 0, 1, 2, 5]) {
      const path = join(dir, `tokens-${delay}-${Math.random().toString(36).slice(2)}.json`);
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', child, path, String(delay)], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(143);
      const reopened = await TokenFile.open(path);
      expect(reopened.records()).toMatchObject([{ description: 'a', runner_id: 5, stored: true }]);
    }
  });

  it('an empty temporary file a killed process left is not an empty journal', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    const kept = [{ scope, description: 'a', id: 5, token: 'glrt-kept-00000000000000', token_expires_at: null, written_at: 't0', intent_at: 't0', delivered: true }];
    writeFileSync(path, JSON.stringify(kept));
    // Killed between creating its temporary file and writing it: the file is newer, and empty.
    const dead = 2 ** 22 + 12346;
    const tmp = join(dir, `.tokens.json.${dead}.1.tmp`);
    writeFileSync(tmp, '');
    const later = new Date(Date.now() + 5_000);
    utimesSync(tmp, later, later);
    const file = await TokenFile.open(path);
    expect(file.records()).toMatchObject([{ runner_id: 5, stored: true }]);
    expect(read(path)).toEqual(kept);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual(['tokens.json']);
  });

  // Issue 13, item 1: on a full filesystem write(2) returns fewer bytes than asked, without an
  // error; a single unchecked write once installed a cut-off tokens file.
  it('a short write is continued, and a write that stops (0 bytes) fails loudly, leaving the previous file whole', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    let stop = false;
    const file = await TokenFile.open(path, {
      // At most 64 bytes per call, as a nearly full filesystem does; nothing at all once it is full.
      writeSync: (fd, data, offset, length) => (stop ? 0 : fsSync.writeSync(fd, data, offset, Math.min(length, 64))),
    });
    const e = await file.intend(intent('a'));
    await file.store(e, issued(5, 'glrt-whole-00000000000000'));
    expect(read(path)[0]?.token).toBe('glrt-whole-00000000000000');
    const before = readFileSync(path, 'utf8');
    stop = true;
    const f = await file.intend(intent('b')).catch((err: Error) => err);
    expect(f).toBeInstanceOf(Error);
    expect((f as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((n) => !n.endsWith('.lock'))).toEqual(['tokens.json']);
  });

  // Issue 13, item 7: in a container every run is pid 1. A temporary file an earlier pid-1
  // process left was skipped as "ours", then the first write's name collided with it and the
  // error path deleted it, with its tokens.
  it('a temporary file left by an earlier process with our own pid is taken over, never deleted unread', async () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.json');
    writeFileSync(path, '[]');
    const newer = [{ scope, description: 'a', id: 5, token: 'glrt-left-by-pid-one-0000', token_expires_at: null, written_at: 't1', intent_at: 't0', delivered: true }];
    const tmp = join(dir, `.tokens.json.${process.pid}.1.tmp`);
    writeFileSync(tmp, JSON.stringify(newer));
    const later = new Date(Date.now() + 5_000);
    utimesSync(tmp, later, later);
    const file = await TokenFile.open(path);
    expect(read(path)).toEqual(newer);
    expect(file.records()[0]).toMatchObject({ runner_id: 5, stored: true });
    expect(readdirSync(dir).filter((n) => !n.endsWith('.lock'))).toEqual(['tokens.json']);
  });
});
