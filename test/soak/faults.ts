// Random faults for the fake GitLab during the interrupted apply: each request
// draws against a probability, so faults land on random requests of the run.
import type { Fault, FakeGitLab } from '../fake-gitlab/server.js';
import type { Rng } from './rng.js';

/**
 * A path matcher that also draws a random number: the fake tests `rule.path.test(path)`
 * for every request, so a probabilistic "RegExp" gives faults on random requests
 * without changing the fake. `armed` turns the whole set off between applies.
 */
class ChanceMatcher extends RegExp {
  hits = 0;

  constructor(
    source: RegExp,
    private readonly probability: number,
    private readonly rng: Rng,
    private readonly switchboard: { armed: boolean },
  ) {
    super(source.source, source.flags);
  }

  override test(path: string): boolean {
    if (!this.switchboard.armed || !super.test(path)) return false;
    if (!this.rng.chance(this.probability)) return false;
    this.hits++;
    return true;
  }
}

export interface FaultProfile {
  /** One line for the table, e.g. "429 5xx lost-create". */
  label: string;
  /** The longest a late-applied request can still land after the apply ends (ms). */
  settleMs: number;
}

const CREATE = /^\/user\/runners$/;
const ANY = /./;
const RUNNER = /^\/runners\/\d+$/;
/** The live read asks GraphQL (POST, outside /api/v4) for most of what it reads. */
const GRAPHQL = /^\/api\/graphql$/;

export class FaultInjector {
  // A fresh switchboard per arm(): the fake keeps old rules, which must stay off.
  private switchboard = { armed: false };
  private matchers: Array<{ name: string; m: ChanceMatcher }> = [];

  constructor(private readonly fake: FakeGitLab) {}

  /**
   * Chooses this cycle's faults and arms them. Cheap faults (429 with Retry-After,
   * 5xx on reads and idempotent writes, lost answers that GitLab carried out) are
   * common; a create that GitLab did NOT carry out but whose answer is an error
   * costs the CLI's full ~30 s look before it creates again, so it is rare.
   */
  arm(rng: Rng, opts: { slowFaults: boolean }): FaultProfile {
    this.switchboard.armed = false;
    this.switchboard = { armed: false };
    this.matchers = [];
    const add = (name: string, method: string | undefined, path: RegExp, p: number, fault: Fault) => {
      const m = new ChanceMatcher(path, p, rng, this.switchboard);
      this.matchers.push({ name, m });
      this.fake.inject({ method, path: m, times: Number.MAX_SAFE_INTEGER, fault });
    };
    let settleMs = 0;
    if (rng.chance(0.7)) add('429', undefined, ANY, 0.04, { kind: 'status', status: 429, retryAfter: 1 });
    if (rng.chance(0.6)) add('5xx-read', 'GET', ANY, 0.05, { kind: 'status', status: rng.pick([500, 502, 503]) });
    if (rng.chance(0.5)) add('5xx-write', 'PUT', RUNNER, 0.15, { kind: 'status', status: rng.pick([502, 503]) });
    if (rng.chance(0.4)) add('lost-read', 'GET', ANY, 0.03, { kind: 'lost-response' });
    if (rng.chance(0.6)) add('5xx-graphql', 'POST', GRAPHQL, 0.08, { kind: 'status', status: rng.pick([500, 502, 503]) });
    if (rng.chance(0.4)) add('429-graphql', 'POST', GRAPHQL, 0.05, { kind: 'status', status: 429, retryAfter: 1 });
    if (rng.chance(0.4)) add('lost-graphql', 'POST', GRAPHQL, 0.04, { kind: 'lost-response' });
    if (rng.chance(0.4)) add('lost-update', 'PUT', RUNNER, 0.1, { kind: 'lost-response' });
    if (rng.chance(0.4)) add('lost-delete', 'DELETE', RUNNER, 0.2, { kind: 'lost-response' });
    // GitLab created the runner but the answer never came: found on the CLI's first looks.
    if (rng.chance(0.5)) add('lost-create', 'POST', CREATE, 0.15, { kind: 'lost-response' });
    if (rng.chance(0.3)) {
      const afterMs = rng.int(300, 2500);
      settleMs = afterMs + 500;
      add('late-create', 'POST', CREATE, 0.15, { kind: 'late-apply', afterMs });
    }
    if (opts.slowFaults) add('5xx-create', 'POST', CREATE, 0.1, { kind: 'status', status: rng.pick([500, 502]) });
    this.switchboard.armed = true;
    return { label: this.matchers.map((x) => x.name).join(' ') || '-', settleMs };
  }

  disarm(): void {
    this.switchboard.armed = false;
  }

  /** Faults that actually hit a request since arm(), e.g. "429×2 lost-create×1". */
  hits(): { total: number; text: string } {
    const parts = this.matchers.filter((x) => x.m.hits > 0).map((x) => `${x.name}×${x.m.hits}`);
    return { total: this.matchers.reduce((n, x) => n + x.m.hits, 0), text: parts.join(' ') || '-' };
  }
}
