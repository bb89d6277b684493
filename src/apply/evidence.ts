// What the planner may know about where tokens went (TokenEvidence), read before
// planning: the journal (--tokens-out, read only) and, for each declared runner
// whose token goes to a CI/CD variable, the runner id that variable's description
// names. The engine decides what to reset from it; nothing here writes.
import type { GitLabApi } from '../gitlab/api.js';
import type { DesiredState, TokenEvidence } from '../model.js';
import { redact } from '../secrets.js';
import { expandKey, variableKeyOf } from '../plan/token-dest.js';
import { variableNamesRunner } from './sinks/gitlab-variable.js';
import { journalRecords, readTokenEntries } from './journal.js';
import { verifyStoredTokens, type StoredTokenCheck } from './verify-stored.js';

export interface EvidenceResult {
  evidence: TokenEvidence;
  /** Variables that could not be read, as sentences ("CI/CD variable K of project P holds: why"); absent from `evidence.variables` (unknown, never "absent"). */
  unreadable: string[];
  /**
   * Asks GitLab whether it still accepts the stored tokens of these runners (POST /runners/verify,
   * a heartbeat: only for tokens a plan delivers or moves, verify-stored.ts). Without --tokens-out: none.
   */
  verifyStored(runnerIds: ReadonlySet<number>): Promise<StoredTokenCheck>;
}

export async function gatherEvidence(api: GitLabApi, desired: DesiredState, tokensOut: string | undefined): Promise<EvidenceResult> {
  const entries = tokensOut ? await readTokenEntries(tokensOut) : null;
  const variables: Record<string, number | null> = {};
  const unwritable: Record<string, string> = {};
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const reads: Promise<void>[] = [];
  for (const scope of desired.scopes) {
    for (const runner of scope.runners) {
      const dest = runner.token;
      if (dest?.kind !== 'gitlab_variable') continue;
      const key = variableKeyOf(dest, runner.description);
      if (seen.has(key)) continue;
      seen.add(key);
      reads.push(
        variableNamesRunner(api, dest, runner.description).then(
          (id) => {
            variables[key] = id;
          },
          (err: unknown) => {
            // Unknown is not absent: an unreadable variable must never make the plan reset a token.
            const where = `CI/CD variable ${expandKey(dest.key, runner.description)} of ${dest.owner.type} ${dest.owner.path}`;
            const why = redact(err instanceof Error ? err.message : String(err));
            unreadable.push(`${where} holds: ${why}`);
            // Reading and writing a variable need the same permission (admin_cicd_variables, lib/api/ci/variables.rb):
            // an owner this token cannot see (404) or whose variables it may not manage (403) cannot receive a token.
            if (isRefusal(err)) unwritable[key] = why;
          },
        ),
      );
    }
  }
  await Promise.all(reads);
  // Sorted keys: the same GitLab gives the same evidence object, whatever order the reads finished in.
  const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const journal = entries === null ? null : journalRecords(entries);
  return {
    evidence: { journal, variables: sorted(variables), unwritable: sorted(unwritable) },
    unreadable: unreadable.sort(),
    verifyStored: (ids) => (entries === null || ids.size === 0 ? Promise.resolve({ dead: [], unverified: [] }) : verifyStoredTokens(api, entries, ids)),
  };
}

/** GitLab's definite no (not a network fault or a 5xx, which say nothing about the destination). */
function isRefusal(err: unknown): boolean {
  const kind = (err as { kind?: unknown }).kind;
  return kind === 'not_found' || kind === 'forbidden';
}
