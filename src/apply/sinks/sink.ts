// One small interface for every place a runner token can go. The journal
// (--tokens-out) is not a sink: it stores every token first, whatever the destination.
import type { Scope } from '../../model.js';

/** A token GitLab just issued, with what a destination may need to name it. */
export interface DeliverableToken {
  runner_id: number;
  address: string;
  description: string;
  scope: Scope;
  token: string;
  tokenExpiresAt: string | null;
}

/** The runner whose token is about to be reset. */
export type RunnerRef = Omit<DeliverableToken, 'token' | 'tokenExpiresAt'>;

export interface TokenSink {
  /** Human description for messages, e.g. `CI/CD variable RUNNER_TOKEN_A of project acme/infra`. */
  describe(token: DeliverableToken): string;
  /** Resolves once the destination has the token; rejects with a message that holds no token. */
  deliver(token: DeliverableToken): Promise<void>;
  /**
   * Before a token reset: a destination that is the plan's evidence (a CI/CD variable naming the
   * runner) stops vouching for the token about to be voided, so a crash between the reset and
   * the delivery leaves evidence. A failure means nothing was reset.
   */
  withdraw?(runner: RunnerRef): Promise<void>;
}
