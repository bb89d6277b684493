// The --tokens-out file, which is also the apply journal. Before each create (or
// token reset) an intent is made durable; then the token GitLab showed once is
// stored; then its delivery is recorded. A crash at any point leaves evidence the
// next plan reads (plan/ decides what to reset; apply/ delivers what was stored).
//
// Format: a JSON array, one entry per runner (or per intent not yet answered).
// Files written before the journal (entries with id and token only) are still read:
// such an entry is stored and delivered (the file was its only destination).
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { scopeEquals, type JournalRecord, type Scope, type TokenDestination } from '../model.js';
import { redact } from '../secrets.js';
import { PROCESS_NONCE, lockJournal, unlockJournal } from './journal-lock.js';
import { notAFile, resolveTokensPath } from './tokens-path.js';

export interface TokenEntry {
  scope: Scope;
  description: string;
  /** null until GitLab answered the create (or a recovery found the runner). */
  id: number | null;
  /** Present once stored. */
  token?: string;
  token_expires_at: string | null;
  /** How the token was obtained. */
  source?: 'create' | 'reset';
  written_at: string;
  // Journal fields: absent in files written before the journal.
  /** When the intent was made durable, before the request to GitLab. */
  intent_at?: string;
  address?: string;
  /** Where the token goes besides this file; null: this file is its destination. */
  destination?: TokenDestination | null;
  delivered?: boolean;
  delivered_at?: string;
  /** Why the last delivery failed (redacted); the next apply tries again. */
  delivery_error?: string;
}

/** What a caller knows before asking GitLab for a token. */
export interface Intent {
  scope: Scope;
  description: string;
  address: string;
  destination: TokenDestination | null;
  /** The runner whose token is reset; null for a create. */
  runner_id: number | null;
}

/** Where a stored token goes now. */
export interface Relocation {
  description: string;
  address: string;
  destination: TokenDestination;
}

export interface IssuedToken {
  id: number;
  token: string;
  token_expires_at: string | null;
  source: 'create' | 'reset';
}

/**
 * The apply's memory of tokens. Every method resolves once the change is durable
 * (for the file) and updates the in-memory entries synchronously first, so that
 * `flushSync` (a second Ctrl-C) writes whatever token is in hand.
 */
export interface TokenJournal {
  /** The file path, or null when there is no file (tokens then live only in memory until delivered). */
  readonly path: string | null;
  intend(intent: Intent): Promise<TokenEntry>;
  /** The runner id became known (lost answer recovered, or found) without a token. */
  identify(entry: TokenEntry, id: number): Promise<void>;
  store(entry: TokenEntry, token: IssuedToken): Promise<void>;
  delivered(entry: TokenEntry): Promise<void>;
  undelivered(entry: TokenEntry, why: string): Promise<void>;
  /** GitLab surely did nothing: the intent is dropped (and a reset's earlier entries come back). */
  forget(entry: TokenEntry): Promise<void>;
  /** Stored tokens whose destination has not received them. */
  pendingDeliveries(): TokenEntry[];
  /** The entry holding a runner's token, if this journal holds it. */
  storedToken(runner_id: number): TokenEntry | undefined;
  /** The token now goes elsewhere (a rename, a changed destination): recorded undelivered until delivered there. */
  relocate(entry: TokenEntry, to: Relocation): Promise<void>;
  /** Writes the entries now, synchronously (for a second signal, just before exit). */
  flushSync(): void;
}

/**
 * The file operations the journal uses; tests replace some to prove failures leave nothing behind.
 * All synchronous: a write never spans an event-loop turn, so a signal handler (which runs
 * between turns) never finds one half done (see TokenFile.save).
 */
export interface FileOps {
  mkdirSync: typeof fs.mkdirSync;
  openSync: typeof fs.openSync;
  /** write(2): may write fewer bytes than asked (a full filesystem), without an error. */
  writeSync: (fd: number, data: Uint8Array, offset: number, length: number) => number;
  fsyncSync: typeof fs.fsyncSync;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
  unlinkSync: typeof fs.unlinkSync;
}

const NODE_OPS: FileOps = {
  mkdirSync: fs.mkdirSync,
  openSync: fs.openSync,
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
};

/**
 * Reads a tokens file without changing it; null when it does not exist. A symlink is
 * followed; a path that is not a regular file is refused without blocking (a FIFO).
 */
export async function readTokenEntries(path: string): Promise<TokenEntry[] | null> {
  const real = resolveTokensPath(path);
  let text: string;
  try {
    text = await readRegularFile(path, real);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === undefined) throw err;
    throw new Error(`cannot read tokens file ${path}: ${code}`, { cause: err });
  }
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`tokens file ${path} exists but is not JSON; move it away or choose another --tokens-out`);
  }
  if (!Array.isArray(parsed) || !parsed.every(isEntryLike)) {
    throw new Error(`tokens file ${path} exists but is not a JSON array of tokens; choose another --tokens-out`);
  }
  return parsed as TokenEntry[];
}

/** Opens without following a link and without blocking, then reads only if it is a regular file (checked on the open file). */
async function readRegularFile(given: string, real: string): Promise<string> {
  const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    // ENXIO: a socket; ELOOP: it became a symlink since resolveTokensPath.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ELOOP') throw notAFile(given, real, await fsp.lstat(real));
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notAFile(given, real, stat);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function isEntryLike(e: unknown): boolean {
  return typeof e === 'object' && e !== null && typeof (e as TokenEntry).description === 'string' && typeof (e as TokenEntry).scope === 'object';
}

/** The journal as the plan engine reads it (TokenEvidence.journal). */
export function journalRecords(entries: readonly TokenEntry[]): JournalRecord[] {
  return entries.map((e) => {
    const stored = typeof e.token === 'string' && e.token !== '';
    return {
      scope: e.scope,
      description: e.description,
      intent_at: e.intent_at ?? e.written_at,
      runner_id: e.id,
      stored,
      // Before the journal the file was the only destination: stored meant delivered.
      delivered: stored && (e.delivered ?? true),
      ...(e.destination !== undefined ? { destination: e.destination } : {}),
      // Only a real intent time bounds the issue from before (written_at comes after it).
      ...(stored && e.token_expires_at && e.intent_at ? { token_issue: { expires_at: e.token_expires_at, issued_after: e.intent_at } } : {}),
    };
  });
}

/** Journal for the whole apply; `open` proves the file writable before any change. */
export class TokenFile implements TokenJournal {
  private entries: TokenEntry[] = [];
  private tmpCounter = 0;
  /** Entries an unanswered reset intent replaced, put back if GitLab surely did nothing. */
  private readonly replaced = new Map<TokenEntry, TokenEntry[]>();

  private constructor(
    readonly path: string,
    private readonly ops: FileOps,
  ) {}

  /**
   * Opens (or creates) the file and proves it is writable before any change is
   * made. Existing entries are kept; an unreadable file is an error, not overwritten.
   */
  /** Takes the file's lock without reading it (open() later keeps it): a plan read under the lock cannot go stale. */
  static async lock(given: string): Promise<void> {
    const path = resolveTokensPath(given);
    await fsp.mkdir(dirname(path), { recursive: true });
    lockJournal(path);
  }

  static async open(given: string, ops: Partial<FileOps> = {}): Promise<TokenFile> {
    // A symlink is followed: the file (its lock, its temporary files) lives at the target.
    const path = resolveTokensPath(given);
    const file = new TokenFile(path, { ...NODE_OPS, ...ops });
    await fsp.mkdir(dirname(path), { recursive: true });
    lockJournal(path);
    try {
      file.entries = (await readTokenEntries(path)) ?? [];
      // A process killed between fsync and rename leaves a complete, newer temporary file: adopt it.
      const leftovers = await leftoverTemporaries(path);
      const newest = leftovers.filter((l) => l.entries !== null && l.mtimeMs >= file.mtimeMs).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
      if (newest) file.entries = newest.entries!;
      file.write();
      // Now that the file holds what they held, no token-bearing temporary file stays behind.
      for (const l of leftovers) await fsp.unlink(l.path).catch(() => undefined);
    } catch (err) {
      unlockJournal(path);
      throw err;
    }
    return file;
  }

  private get mtimeMs(): number {
    try {
      return fs.statSync(this.path).mtimeMs;
    } catch {
      return -Infinity;
    }
  }

  records(): JournalRecord[] {
    return journalRecords(this.entries);
  }

  async intend(intent: Intent): Promise<TokenEntry> {
    const entry = intentEntry(intent);
    if (intent.runner_id !== null) {
      // A reset voids the runner's previous token, and settles an interrupted create's intent.
      const old = this.entries.filter((e) => e.id === intent.runner_id || isOrphanIntentFor(e, intent));
      this.entries = this.entries.filter((e) => !old.includes(e));
      this.replaced.set(entry, old);
    }
    this.entries.push(entry);
    await this.save();
    return entry;
  }

  identify(entry: TokenEntry, id: number): Promise<void> {
    entry.id = id;
    entry.written_at = new Date().toISOString();
    return this.save();
  }

  store(entry: TokenEntry, token: IssuedToken): Promise<void> {
    // One entry per runner: an older token of the same runner is void now.
    this.entries = this.entries.filter((e) => e === entry || e.id !== token.id);
    Object.assign(entry, {
      id: token.id,
      token: token.token,
      token_expires_at: token.token_expires_at,
      source: token.source,
      written_at: new Date().toISOString(),
      delivered: !entry.destination,
    });
    this.replaced.delete(entry);
    return this.save();
  }

  delivered(entry: TokenEntry): Promise<void> {
    entry.delivered = true;
    entry.delivered_at = new Date().toISOString();
    delete entry.delivery_error;
    return this.save();
  }

  undelivered(entry: TokenEntry, why: string): Promise<void> {
    entry.delivered = false;
    entry.delivery_error = redact(why).slice(0, 500);
    return this.save();
  }

  forget(entry: TokenEntry): Promise<void> {
    this.entries = this.entries.filter((e) => e !== entry).concat(this.replaced.get(entry) ?? []);
    this.replaced.delete(entry);
    return this.save();
  }

  pendingDeliveries(): TokenEntry[] {
    return this.entries.filter((e) => typeof e.token === 'string' && e.id !== null && e.delivered === false && !!e.destination);
  }

  storedToken(runner_id: number): TokenEntry | undefined {
    return this.entries.filter((e) => e.id === runner_id && typeof e.token === 'string' && e.token !== '').at(-1);
  }

  relocate(entry: TokenEntry, to: Relocation): Promise<void> {
    Object.assign(entry, { description: to.description, address: to.address, destination: to.destination, delivered: false, written_at: new Date().toISOString() });
    delete entry.delivered_at;
    return this.save();
  }

  flushSync(): void {
    this.write();
  }

  /** Drops the entries `isPrunable` allows (tokens already at their destination); returns them. */
  async prune(opts: PruneOptions = {}): Promise<TokenEntry[]> {
    const dropped = this.entries.filter((e) => isPrunable(e, opts));
    if (dropped.length === 0) return [];
    this.entries = this.entries.filter((e) => !dropped.includes(e));
    await this.save();
    return dropped;
  }

  /** The entries as they are now (read only). */
  list(): readonly TokenEntry[] {
    return this.entries;
  }

  /**
   * Writes now, synchronously, and resolves (or rejects) once it is on disk. Synchronous on
   * purpose: an asynchronous write runs on libuv's threads across event-loop turns, so a
   * second SIGTERM could flushSync and exit in the middle of one, and that write's temporary
   * file (older entries, or empty) outlived the process and was adopted by the next open
   * over the tokens flushSync had made durable. The file is small; an fsync per change is
   * what the journal costs either way (the intent must be durable before the request).
   */
  private save(): Promise<void> {
    // The executor runs at once: a throw from write() becomes the rejection.
    return new Promise((resolve) => {
      this.write();
      resolve();
    });
  }

  private text(): string {
    return JSON.stringify(this.entries, null, 2) + '\n';
  }

  private tmpPath(): string {
    // The nonce: in a container every run may be pid 1; an earlier run's file is never taken for ours.
    return join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${PROCESS_NONCE}.${++this.tmpCounter}.tmp`);
  }

  /**
   * Atomic rewrite: temporary file (0600, every byte written, fsynced), rename, directory fsync.
   * Any failure (ENOSPC, EIO, a short write) throws and leaves the previous file as it was;
   * the temporary file this call made is removed, and no other one is ever touched.
   */
  private write(): void {
    const { ops } = this;
    const dir = dirname(this.path);
    ops.mkdirSync(dir, { recursive: true });
    const tmp = this.tmpPath();
    let fd: number | null = null;
    let created = false;
    try {
      fd = ops.openSync(tmp, 'wx', 0o600);
      created = true;
      fs.fchmodSync(fd, 0o600); // whatever the umask
      writeAll(ops, fd, Buffer.from(this.text(), 'utf8'));
      ops.fsyncSync(fd);
      ops.closeSync(fd);
      fd = null;
      checkRegularOrAbsent(this.path);
      ops.renameSync(tmp, this.path);
      created = false;
    } catch (err) {
      if (fd !== null) {
        try {
          ops.closeSync(fd);
        } catch {
          // already failing: the unlink below matters more
        }
      }
      // Our own partial file holds tokens: it must not outlive a failed write or fsync.
      if (created) {
        try {
          ops.unlinkSync(tmp);
        } catch {
          // gone already
        }
      }
      throw err;
    }
    syncDir(dir);
  }
}

/** Writes every byte: on a full filesystem write(2) may return a short count without an error. */
function writeAll(ops: FileOps, fd: number, data: Buffer): void {
  for (let done = 0; done < data.length; ) {
    const n = ops.writeSync(fd, data, done, data.length - done);
    if (n <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write (${done} of ${data.length} bytes written)`), { code: 'ENOSPC' });
    done += n;
  }
}

/** Rename replaces whatever is at the path: refuse if something else than the tokens file appeared there. */
function checkRegularOrAbsent(path: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(path);
  } catch {
    return; // absent (or unreadable: the rename reports it)
  }
  if (!stat.isFile()) throw notAFile(path, path, stat);
}

export interface PruneOptions {
  /** Also drop tokens whose only destination is this file (the user copied them elsewhere). */
  includeFileOnly?: boolean;
}

/**
 * An entry whose token is where it belongs: stored, delivered to its destination, nothing
 * left to retry. Intents, undelivered tokens and failed deliveries are what recovery needs:
 * never prunable. A token whose only destination is this file is kept unless asked.
 */
export function isPrunable(e: TokenEntry, opts: PruneOptions = {}): boolean {
  const stored = typeof e.token === 'string' && e.token !== '' && e.id !== null;
  if (!stored || e.delivery_error !== undefined) return false;
  if (!e.destination) return opts.includeFileOnly === true; // this file is the destination (or a file from before the journal)
  return e.delivered === true;
}

interface Leftover {
  path: string;
  mtimeMs: number;
  /** null when it is not a complete tokens file (killed mid-write). */
  entries: TokenEntry[] | null;
}

/**
 * Temporary files of earlier runnerform processes (never ours). Called with the lock held:
 * any other process's temporary file is one it left when it died, whatever its pid now is.
 */
async function leftoverTemporaries(path: string): Promise<Leftover[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of names) {
    // pid.nonce.n.tmp, or pid.n.tmp (written before the nonce).
    const m = name.startsWith(prefix) ? /^(\d+)\.(?:([0-9a-f]+)\.)?\d+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m || (Number(m[1]) === process.pid && m[2] === PROCESS_NONCE)) continue;
    const full = join(dir, name);
    try {
      const [stat, entries] = await Promise.all([fsp.lstat(full), completeEntries(full)]);
      if (stat.isFile()) out.push({ path: full, mtimeMs: stat.mtimeMs, entries });
    } catch {
      // vanished meanwhile
    }
  }
  return out;
}

/**
 * A temporary file's entries, or null when it is not a complete write. An empty one is a
 * process killed between creating it and writing it, not an empty journal: adopting it
 * as `[]` would wipe every intent and token the tokens file holds.
 */
async function completeEntries(path: string): Promise<TokenEntry[] | null> {
  try {
    if ((await fsp.readFile(path, 'utf8')).trim() === '') return null;
    return await readTokenEntries(path);
  } catch {
    return null;
  }
}

/** An intent of an interrupted create for the runner a reset is about to settle. */
function isOrphanIntentFor(e: TokenEntry, intent: Intent): boolean {
  return e.id === null && !e.token && e.description === intent.description && scopeEquals(e.scope, intent.scope);
}

/**
 * Makes the rename durable. Some filesystems cannot fsync a directory (EINVAL and the like):
 * not an error. An I/O error is one: the rename may not survive a crash.
 */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EIO' || code === 'ENOSPC' || code === 'EDQUOT') throw err;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** A new journal entry for an intent: nothing issued, nothing delivered yet. */
function intentEntry(intent: Intent): TokenEntry {
  const now = new Date().toISOString();
  return {
    scope: intent.scope,
    description: intent.description,
    id: intent.runner_id,
    token_expires_at: null,
    written_at: now,
    intent_at: now,
    address: intent.address,
    destination: intent.destination,
    delivered: false,
  };
}

/**
 * No --tokens-out: every runner has a destination of its own. Tokens are held in
 * memory until delivered; evidence for a crash comes from the destinations (plan/).
 */
export class MemoryJournal implements TokenJournal {
  readonly path = null;
  private readonly held = new Set<TokenEntry>();

  intend(intent: Intent): Promise<TokenEntry> {
    const entry = intentEntry(intent);
    this.held.add(entry);
    return Promise.resolve(entry);
  }
  identify(entry: TokenEntry, id: number): Promise<void> {
    entry.id = id;
    return Promise.resolve();
  }
  store(entry: TokenEntry, token: IssuedToken): Promise<void> {
    Object.assign(entry, { id: token.id, token: token.token, token_expires_at: token.token_expires_at, source: token.source, delivered: !entry.destination });
    return Promise.resolve();
  }
  delivered(entry: TokenEntry): Promise<void> {
    // Delivered: the token has no reason to stay in this process.
    this.held.delete(entry);
    entry.delivered = true;
    delete entry.token;
    return Promise.resolve();
  }
  undelivered(entry: TokenEntry, why: string): Promise<void> {
    entry.delivery_error = redact(why);
    return Promise.resolve();
  }
  forget(entry: TokenEntry): Promise<void> {
    this.held.delete(entry);
    return Promise.resolve();
  }
  pendingDeliveries(): TokenEntry[] {
    return [];
  }
  storedToken(): TokenEntry | undefined {
    // Delivered tokens are dropped from memory; there is no file to read one from.
    return undefined;
  }
  relocate(entry: TokenEntry, to: Relocation): Promise<void> {
    Object.assign(entry, { description: to.description, address: to.address, destination: to.destination, delivered: false });
    return Promise.resolve();
  }
  flushSync(): void {
    // Nothing durable to write to.
  }
}
