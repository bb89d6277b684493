// Where created runners' tokens go: a JSON file, mode 0600, rewritten atomically
// after every token so that a crash never loses one that GitLab showed only once.
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Scope } from '../model.js';

export interface TokenEntry {
  scope: Scope;
  description: string;
  id: number;
  token: string;
  token_expires_at: string | null;
  /** How the token was obtained: the create answer, or a reset after a lost answer. */
  source: 'create' | 'reset';
  written_at: string;
}

export interface TokenSink {
  /** Resolves once the token is durably on disk. */
  add(entry: Omit<TokenEntry, 'written_at'>): Promise<void>;
}

export class TokenFile implements TokenSink {
  private entries: TokenEntry[] = [];
  private queue: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  /**
   * Opens (or creates) the file and proves it is writable before any change is
   * made. Existing entries are kept; an unreadable file is an error, not overwritten.
   */
  static async open(path: string): Promise<TokenFile> {
    const sink = new TokenFile(path);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`cannot read tokens file ${path}: ${(err as Error).message}`);
      }
    }
    if (text !== null && text.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`tokens file ${path} exists but is not JSON; move it away or choose another --tokens-out`);
      }
      if (!Array.isArray(parsed)) {
        throw new Error(`tokens file ${path} exists but is not a JSON array of tokens; choose another --tokens-out`);
      }
      sink.entries = parsed as TokenEntry[];
    }
    await sink.write();
    return sink;
  }

  add(entry: Omit<TokenEntry, 'written_at'>): Promise<void> {
    const full: TokenEntry = { ...entry, written_at: new Date().toISOString() };
    // A reset replaces the runner's previous token: keep one entry per runner id.
    this.entries = this.entries.filter((e) => e.id !== full.id).concat(full);
    const next = this.queue.then(() => this.write());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(this.entries, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
