// A journal that keeps stored tokens in memory, for executor tests that look at
// what was stored (the file itself is tested in journal.test.ts).
import type { IssuedToken, TokenEntry, TokenJournal } from '../../src/apply/journal.js';
import { MemoryJournal } from '../../src/apply/journal.js';

export class TestJournal extends MemoryJournal implements TokenJournal {
  // A path makes the executor accept tokens without a destination, as with --tokens-out.
  override readonly path = 'test-journal' as unknown as null;
  entries: { id: number; token: string }[] = [];
  constructor(private readonly failAt?: number) {
    super();
  }
  override async store(entry: TokenEntry, token: IssuedToken): Promise<void> {
    if (this.failAt !== undefined && this.entries.length + 1 >= this.failAt) throw new Error('ENOSPC: no space left on device');
    await super.store(entry, token);
    this.entries.push({ id: token.id, token: token.token });
  }
}

export const noSinks = (): never => {
  throw new Error('this test declares no token destinations');
};
