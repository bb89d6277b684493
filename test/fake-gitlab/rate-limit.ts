// RateLimit-* response headers as GitLab's Rack::Attack throttles send them.
// The fake only reports usage; throttling itself is injected as a fault.

export const RATE_LIMIT_PER_MINUTE = 2000;
const WINDOW_MS = 60_000;

export class RateLimiter {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request of `client` (a token or an address) and answers its headers. */
  headers(client: string): Record<string, string> {
    const t = this.now();
    if (t - this.windowStart >= WINDOW_MS) {
      this.windowStart = t - (t % WINDOW_MS);
      this.counts.clear();
    }
    const observed = (this.counts.get(client) ?? 0) + 1;
    this.counts.set(client, observed);
    return {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(RATE_LIMIT_PER_MINUTE),
      'ratelimit-observed': String(observed),
      'ratelimit-remaining': String(Math.max(0, RATE_LIMIT_PER_MINUTE - observed)),
      'ratelimit-reset': String(Math.ceil((this.windowStart + WINDOW_MS) / 1000)),
    };
  }
}
