// TokenEvidence as apply/ gathers it: the journal read (never written) and, per
// declared gitlab_variable destination, the runner id the variable's description
// names — null when absent, and left out (unknown) when it cannot be read.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherEvidence } from '../../src/apply/evidence.js';
import { runnerIdOfDescription, variableDescription } from '../../src/apply/sinks/variable-description.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import type { DesiredState, TokenDestination } from '../../src/model.js';
import type { FakeGitLab } from '../fake-gitlab/server.js';
import { OWNER_TOKEN, freshFakeAndDir } from '../e2e/harness.js';

let fake: FakeGitLab;
let dir: string;
freshFakeAndDir((f, d) => {
  fake = f;
  dir = d;
});

const src = { file: 'runners.yaml', line: 1, column: 1 };
const variable = (project: string): TokenDestination => ({
  kind: 'gitlab_variable',
  owner: { type: 'project', path: project },
  key: 'RUNNER_TOKEN_{description}',
  protected: true,
  environment_scope: '*',
});
const desired: DesiredState = {
  files: ['runners.yaml'],
  scopes: [
    {
      ref: { type: 'group', path: 'acme/platform' },
      prune: false,
      source: src,
      runners: [
        { description: 'named', attrs: {}, source: src, token: variable('acme/platform/api'), renamed_from: [] },
        { description: 'by-hand', attrs: {}, source: src, token: variable('acme/platform/api'), renamed_from: [] },
        { description: 'absent', attrs: {}, source: src, token: variable('acme/platform/api'), renamed_from: [] },
        { description: 'hidden-project', attrs: {}, source: src, token: variable('acme/nowhere'), renamed_from: [] },
        { description: 'file-only', attrs: {}, source: src, token: null, renamed_from: [] },
      ],
    },
  ],
};

describe('variable descriptions', () => {
  it('round-trip the runner id and never read one from text runnerform did not write', () => {
    expect(runnerIdOfDescription(variableDescription(42, 'group["a"].runner["b"]'))).toBe(42);
    expect(runnerIdOfDescription('token of runner #42')).toBeNull();
    expect(runnerIdOfDescription(null)).toBeNull();
    expect(variableDescription(1, `group["a"].runner["${'x'.repeat(300)}"]`).length).toBe(255);
  });
});

describe('gatherEvidence', () => {
  it('reads the journal and what each declared variable names; an unreadable variable is unknown, not absent', async () => {
    fake.addVariable({ project: 'acme/platform/api', key: 'RUNNER_TOKEN_NAMED', value: 'glrt-aaaaaaaaaaaaaaaaaaaa', masked: true, hidden: true, description: variableDescription(7, 'x') });
    fake.addVariable({ project: 'acme/platform/api', key: 'RUNNER_TOKEN_BY_HAND', value: 'glrt-bbbbbbbbbbbbbbbbbbbb', description: 'pasted by hand' });
    const journalPath = join(dir, 'tokens.json');
    writeFileSync(journalPath, JSON.stringify([{ scope: { type: 'group', id: 11, path: 'acme/platform' }, description: 'x', id: null, token_expires_at: null, written_at: '2026-11-30T08:00:00.000Z', intent_at: '2026-11-30T08:00:00.000Z', delivered: false }]));
    const api = createGitLabClient({ gitlabUrl: fake.url, token: OWNER_TOKEN, retry: { limit: 0 } });
    const { evidence, unreadable } = await gatherEvidence(api, desired, journalPath);
    expect(evidence.variables).toEqual({
      'project:acme/platform/api:RUNNER_TOKEN_ABSENT:*': null,
      'project:acme/platform/api:RUNNER_TOKEN_BY_HAND:*': null,
      'project:acme/platform/api:RUNNER_TOKEN_NAMED:*': 7,
    });
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatch(/^CI\/CD variable RUNNER_TOKEN_HIDDEN_PROJECT of project acme\/nowhere holds: .*404/);
    expect(evidence.journal).toEqual([
      { scope: { type: 'group', id: 11, path: 'acme/platform' }, description: 'x', intent_at: '2026-11-30T08:00:00.000Z', runner_id: null, stored: false, delivered: false },
    ]);
    // No --tokens-out, or a file that does not exist: no journal, and nothing is created.
    expect((await gatherEvidence(api, desired, undefined)).evidence.journal).toBeNull();
    expect((await gatherEvidence(api, desired, join(dir, 'none.json'))).evidence.journal).toBeNull();
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });
});
