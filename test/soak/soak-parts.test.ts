// The soak's own parts, without spawning the CLI (the soak itself is `npm run soak`):
// its desired states are valid runners.yaml, replayable from the seed, and its audit
// really counts lost tokens and duplicates from the fake GitLab's state.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { audit } from './audit.js';
import { DesiredModel, type Features } from './desired.js';
import { Rng } from './rng.js';
import { OWNER_PAT, soakSeed } from './seed.js';

const NO_FEATURES: Features = { renamedFrom: false, tokenCommand: false, tokenVariable: false };
const DEST = { commandArgv: ['node', 'append-stdin.js', '/tmp/out'], variableProject: 'soak/fleet' };

function yamlOfCycles(seed: number, cycles: number, features: Features): string[] {
  const root = new Rng(seed);
  const model = new DesiredModel(features, DEST);
  const out: string[] = [];
  for (let c = 1; c <= cycles; c++) {
    model.mutate(root.fork(`cycle-${c}`).fork('desired'));
    out.push(model.toYaml());
  }
  return out;
}

describe('soak desired state', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(yamlOfCycles(7, 25, NO_FEATURES)).toEqual(yamlOfCycles(7, 25, NO_FEATURES));
    expect(yamlOfCycles(8, 25, NO_FEATURES)).not.toEqual(yamlOfCycles(7, 25, NO_FEATURES));
  });

  it.each([
    ['without token features', NO_FEATURES],
    ['with renamed_from and token destinations', { renamedFrom: true, tokenCommand: true, tokenVariable: true }],
  ])('is a valid runners.yaml in every cycle, and changes every cycle (%s)', (_name, features) => {
    const docs = yamlOfCycles(3, 40, features);
    docs.forEach((text, i) => {
      const { problems } = parseDesiredState([{ file: `cycle-${i + 1}.yaml`, text }]);
      expect(problems.map(formatProblem)).toEqual([]);
      if (i > 0) expect(text).not.toBe(docs[i - 1]);
    });
  });
});

describe('soak audit', () => {
  let fake: FakeGitLab | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    fake = undefined;
    dir = undefined;
  });

  it('counts a runner whose current token is in no journal or destination as lost, and extra same-name runners as duplicates', async () => {
    fake = await startFakeGitLab(soakSeed());
    dir = mkdtempSync(join(tmpdir(), 'runnerform-soak-test-'));
    const stored = fake.addRunner({ runner_type: 'group_type', group: 'soak/g1', description: 'a' });
    const lost = fake.addRunner({ runner_type: 'group_type', group: 'soak/g1', description: 'a' });
    const viaCommand = fake.addRunner({ runner_type: 'project_type', projects: ['soak/g1/app'], description: 'b' });
    fake.addRunner({ runner_type: 'group_type', group: 'soak', description: 'outside the soak scopes' });
    const journal = join(dir, 'tokens.json');
    const commandOut = join(dir, 'out.txt');
    writeFileSync(journal, JSON.stringify([{ id: stored, token: fake.runnerToken(stored) }]));
    writeFileSync(commandOut, `${viaCommand} ${fake.runnerToken(viaCommand)}\n`);
    const places = {
      journalFile: journal,
      commandOutFile: commandOut,
      variableValues: () => [],
      hasDestination: (_scope: string, description: string) => description === 'a',
    };

    const result = audit(fake, places);
    expect(result.runners).toBe(3);
    expect(result.lost).toEqual([lost]);
    expect(result.duplicates).toBe(1);
    expect(result.duplicateText).toEqual([`group soak/g1 "a": #${stored}, #${lost}`]);
    // "a" declares a destination that never got its token; "b"'s command did.
    expect(result.undelivered).toEqual([stored]);

    // A stale token (before a reset) in the journal does not count as stored.
    writeFileSync(journal, JSON.stringify([{ id: stored, token: fake.runnerToken(stored) }, { id: lost, token: fake.runnerToken(lost) }]));
    expect(audit(fake, places).lost).toEqual([]);
    const res = await fetch(`${fake.url}/api/v4/runners/${lost}/reset_authentication_token`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': OWNER_PAT },
    });
    expect(res.status).toBe(201);
    expect(audit(fake, places).lost).toEqual([lost]);
  });
});
