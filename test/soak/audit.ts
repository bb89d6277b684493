// What the soak counts, read from the fake GitLab's own state: duplicates (two
// owned runners with one description in a scope), lost tokens (a runner whose
// CURRENT token is neither stored in the journal nor delivered anywhere) and
// undelivered tokens (a runner whose declared destination lacks its current token).
import { readFileSync } from 'node:fs';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { SCOPE_PATHS, type SoakDestination } from './desired.js';

export interface TokenPlaces {
  /** The --tokens-out journal. */
  journalFile: string;
  /** Where the `command` destination appends "<runner id> <token>" lines. */
  commandOutFile: string;
  /** Every CI/CD variable value the destinations may have written. */
  variableValues: () => string[];
  /** The key of a CI/CD variable whose value is `token`, if any. */
  variableKeyHolding: (token: string) => string | undefined;
  /** The value of the CI/CD variable `key` of `project`, if it exists. */
  variableValue: (project: string, key: string) => string | undefined;
  /** The destination the desired state declares now for a runner (scope as "group soak/g1"); null: none or not declared. */
  destinationOf: (scope: string, description: string) => SoakDestination | null;
}

export interface Audit {
  runners: number;
  /** Runners beyond the first with the same description in a scope. */
  duplicates: number;
  duplicateText: string[];
  /** Runner ids whose current token is nowhere. */
  lost: number[];
  /** Runner ids whose declared destination does not hold their current token. */
  undelivered: number[];
  /** The same, with where the token is instead ("#7 (in RUNNER_TOKEN_OLD)"). */
  undeliveredText: string[];
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The soak's scope of an owned runner ("group soak/g1"), or null when it is outside the soak. */
function scopeOf(r: { runner_type: string; group?: string; projects?: string[] }): string | null {
  if (r.runner_type === 'group_type' && r.group && SCOPE_PATHS.groups.includes(r.group)) return `group ${r.group}`;
  const owner = r.projects?.[0];
  if (r.runner_type === 'project_type' && owner && SCOPE_PATHS.projects.includes(owner)) return `project ${owner}`;
  return null;
}

export function audit(fake: FakeGitLab, places: TokenPlaces): Audit {
  // Tokens are random 20-byte strings: finding one in a file is proof it was written there,
  // whatever the file's format (journal records change as the token features land).
  const journal = readText(places.journalFile);
  const commandOut = readText(places.commandOutFile);
  const variables = new Set(places.variableValues());
  const inDestination = (d: SoakDestination, id: number, token: string): boolean =>
    d.kind === 'command' ? commandOut.includes(`${id} ${token}\n`) : places.variableValue(d.project, d.key) === token;

  const byKey = new Map<string, number[]>();
  const lost: number[] = [];
  const undelivered: number[] = [];
  const undeliveredText: string[] = [];
  let runners = 0;
  for (const r of fake.runners()) {
    const scope = scopeOf(r);
    if (!scope) continue;
    runners++;
    const description = r.description ?? '';
    const key = `${scope} "${description}"`;
    byKey.set(key, [...(byKey.get(key) ?? []), r.id]);
    const token = fake.runnerToken(r.id);
    if (!token) continue;
    const stored = journal.includes(token);
    const deliveredSomewhere = commandOut.includes(token) || variables.has(token);
    if (!stored && !deliveredSomewhere) lost.push(r.id);
    const dest = places.destinationOf(scope, description);
    if (dest && !inDestination(dest, r.id, token)) {
      undelivered.push(r.id);
      const elsewhere = places.variableKeyHolding(token);
      undeliveredText.push(`#${r.id}${elsewhere ? ` (it is in ${elsewhere})` : stored ? ' (only in the journal)' : ''}`);
    }
  }
  const duplicateText: string[] = [];
  let duplicates = 0;
  for (const [key, ids] of byKey) {
    if (ids.length > 1) {
      duplicates += ids.length - 1;
      duplicateText.push(`${key}: #${ids.join(', #')}`);
    }
  }
  return { runners, duplicates, duplicateText, lost, undelivered, undeliveredText };
}
