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
import { DesiredModel, type Features, type SoakDestination } from './desired.js';
import { misplacedSecrets, startRedirector } from './redirector.js';
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

  it('counts lost tokens (nowhere), undelivered ones (not in the declared destination) and duplicates', async () => {
    fake = await startFakeGitLab(soakSeed());
    dir = mkdtempSync(join(tmpdir(), 'runnerform-soak-test-'));
    const f = fake;
    const stored = f.addRunner({ runner_type: 'group_type', group: 'soak/g1', description: 'a' });
    const lost = f.addRunner({ runner_type: 'group_type', group: 'soak/g1', description: 'a' });
    const viaCommand = f.addRunner({ runner_type: 'project_type', projects: ['soak/g1/app'], description: 'b' });
    const viaVariable = f.addRunner({ runner_type: 'group_type', group: 'soak/g2', description: 'c' });
    f.addRunner({ runner_type: 'group_type', group: 'soak', description: 'outside the soak scopes' });
    const journal = join(dir, 'tokens.json');
    const commandOut = join(dir, 'out.txt');
    writeFileSync(journal, JSON.stringify([{ id: stored, token: f.runnerToken(stored) }]));
    writeFileSync(commandOut, `${viaCommand} ${f.runnerToken(viaCommand)}\n`);
    f.addVariable({ project: 'soak/fleet', key: 'OLD_KEY_OF_C', value: f.runnerToken(viaVariable)!, masked: true, hidden: true });
    const destinations: Record<string, SoakDestination> = {
      'group soak/g1 "a"': { kind: 'command', argv: [] },
      'project soak/g1/app "b"': { kind: 'command', argv: [] },
      'group soak/g2 "c"': { kind: 'gitlab_variable', project: 'soak/fleet', key: 'RUNNER_TOKEN_C' },
    };
    const places = {
      journalFile: journal,
      commandOutFile: commandOut,
      variableValues: () => f.variables({ project: 'soak/fleet' }).map((v) => v.value),
      variableValue: (project: string, key: string) => f.variable({ project }, key)?.value,
      variableKeyHolding: (token: string) => f.variables({ project: 'soak/fleet' }).find((v) => v.value === token)?.key,
      destinationOf: (scope: string, description: string) => destinations[`${scope} "${description}"`] ?? null,
    };

    const result = audit(f, places);
    expect(result.runners).toBe(4);
    expect(result.lost).toEqual([lost]);
    expect(result.duplicates).toBe(1);
    expect(result.duplicateText).toEqual([`group soak/g1 "a": #${stored}, #${lost}`]);
    // "a" never reached its command; "c" sits in another variable than the one declared now.
    expect(result.undelivered).toEqual([stored, lost, viaVariable]);
    expect(result.undeliveredText).toEqual([`#${stored} (only in the journal)`, `#${lost}`, `#${viaVariable} (it is in OLD_KEY_OF_C)`]);
    f.addVariable({ project: 'soak/fleet', key: 'RUNNER_TOKEN_C', value: f.runnerToken(viaVariable)!, masked: true, hidden: true });
    expect(audit(f, places).undelivered).toEqual([stored, lost]);

    // A stale token (before a reset) in the journal does not count as stored.
    writeFileSync(journal, JSON.stringify([{ id: stored, token: f.runnerToken(stored) }, { id: lost, token: f.runnerToken(lost) }]));
    expect(audit(f, places).lost).toEqual([]);
    const res = await fetch(`${f.url}/api/v4/runners/${lost}/reset_authentication_token`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': OWNER_PAT },
    });
    expect(res.status).toBe(201);
    expect(audit(f, places).lost).toEqual([lost]);
  });
});

describe('soak redirector', () => {
  let f: FakeGitLab | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('passes requests to the fake with its mark, redirects to the fake\'s own port when armed, and counts a secret that went around it', async () => {
    f = await startFakeGitLab(soakSeed());
    const front = await startRedirector(f.url);
    try {
      const get = (path: string) => fetch(`${front.url}/api/v4${path}`, { headers: { 'PRIVATE-TOKEN': OWNER_PAT }, redirect: 'manual' });
      expect((await get('/user')).status).toBe(200);
      front.arm(new Rng(1), 1);
      const redirected = await get('/user');
      expect([301, 302, 303, 307, 308]).toContain(redirected.status);
      expect(redirected.headers.get('location')).toBe(`${f.url}/api/v4/user`);
      expect(front.hits()).toMatch(/^30\d×1$/);
      front.disarm();
      // Through the proxy: marked, not misplaced. Straight to the fake with the PAT (a followed redirect): misplaced.
      expect(misplacedSecrets(f.requests, [OWNER_PAT])).toBe(0);
      await fetch(`${f.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': OWNER_PAT } });
      await fetch(`${f.url}/api/v4/projects/1/variables`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":"glrt-abcdefghijklmnop"}' });
      expect(misplacedSecrets(f.requests, [OWNER_PAT])).toBe(2);
    } finally {
      await front.close();
    }
  });
});
