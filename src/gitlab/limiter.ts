// A counting semaphore: at most `limit` tasks run at once, the rest wait in
// FIFO order. One instance is shared by every request of a client so that
// --parallelism bounds the whole run, not each caller separately.

export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Highest number of tasks that ran at once. */
  readonly peak: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`parallelism must be a positive integer, got ${limit}`);
  let active = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];

  const acquire = (): Promise<void> => {
    if (active < limit) {
      active++;
      peak = Math.max(peak, active);
      return Promise.resolve();
    }
    // The releasing task hands its slot over directly, so `active` stays put.
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
  };
}
