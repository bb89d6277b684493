// Unit tests of the pure export: LiveState → runners.yaml text.
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildExport, commonAttrs, exportDesiredState, SCHEMA_COMMENT } from '../../src/config/export.js';
import { parseDesiredState } from '../../src/config/index.js';
import { hasChanges, type LiveState } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { group, instance, liveRunner, liveScope, liveState, project } from './fixtures.js';

const platform = group(11, 'acme/platform');
const data = group(12, 'acme/data');
const api = project(100, 'acme/platform/api');

/** Parses the export as the loader does; fails the test with the problems if it is invalid. */
function reload(text: string) {
  const result = parseDesiredState([{ file: 'runners.yaml', text }]);
  expect(result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([]);
  return result.state!;
}

function roundTrip(live: LiveState) {
  const text = exportDesiredState(live);
  const plan = computePlan(reload(text), live);
  return { text, plan };
}

describe('exportDesiredState', () => {
  it('starts with the schema comment and version 1', () => {
    const text = exportDesiredState(liveState([liveScope(platform, [])]));
    expect(text.split('\n')[0]).toBe(SCHEMA_COMMENT);
    expect(load(text)).toMatchObject({ version: 1 });
  });

  it('sorts groups and projects by path, instance last, runners by description, tags', () => {
    const live = liveState([
      liveScope(instance, [liveRunner(1, 'shared', instance)]),
      liveScope(api, [liveRunner(30, 'api-e2e', api)]),
      liveScope(platform, [
        liveRunner(21, 'zeta', platform, { tag_list: ['b', 'a', 'c'] }),
        liveRunner(20, 'alpha', platform),
      ]),
      liveScope(data, [liveRunner(40, 'data-gpu', data)]),
    ]);
    const doc = load(exportDesiredState(live)) as any;
    expect(Object.keys(doc)).toEqual(['version', 'defaults', 'groups', 'projects', 'instance']);
    expect(doc.groups.map((g: any) => g.path)).toEqual(['acme/data', 'acme/platform']);
    expect(doc.groups[1].runners.map((r: any) => r.description)).toEqual(['alpha', 'zeta']);
    expect(doc.groups[1].runners[1].tag_list).toEqual(['a', 'b', 'c']);
    expect(doc.projects).toEqual([{ path: 'acme/platform/api', prune: false, runners: [{ description: 'api-e2e', tag_list: [] }] }]);
    expect(doc.instance).toEqual({ prune: false, runners: [{ description: 'shared', tag_list: [] }] });
  });

  it('writes prune: false for every scope, empty ones too', () => {
    const doc = load(exportDesiredState(liveState([liveScope(platform, []), liveScope(instance, [])]))) as any;
    expect(doc.groups).toEqual([{ path: 'acme/platform', prune: false, runners: [] }]);
    expect(doc.instance).toEqual({ prune: false, runners: [] });
  });

  it('factors out defaults where every runner agrees and omits them from the runners', () => {
    const live = liveState([
      liveScope(platform, [
        liveRunner(1, 'a', platform, { run_untagged: false, tag_list: ['docker'], maximum_timeout: 3600, paused: true }),
        liveRunner(2, 'b', platform, { run_untagged: false, tag_list: ['docker', 'gpu'], maximum_timeout: 3600 }),
      ]),
      liveScope(api, [liveRunner(3, 'c', api, { run_untagged: false, tag_list: ['docker'], maximum_timeout: 3600 })]),
    ]);
    const doc = load(exportDesiredState(live)) as any;
    expect(doc.defaults).toEqual({
      locked: false,
      run_untagged: false,
      access_level: 'not_protected',
      maximum_timeout: 3600,
    });
    expect(doc.groups[0].runners).toEqual([
      { description: 'a', paused: true, tag_list: ['docker'] },
      { description: 'b', paused: false, tag_list: ['docker', 'gpu'] },
    ]);
    expect(doc.projects[0].runners).toEqual([{ description: 'c', paused: false, tag_list: ['docker'] }]);
  });

  it('does not factor an attribute that some runner leaves unmanaged', () => {
    const live = liveState([
      liveScope(platform, [
        liveRunner(1, 'a', platform, { maximum_timeout: 3600, maintenance_note: 'x' }),
        liveRunner(2, 'b', platform, { maximum_timeout: null, maintenance_note: '' }),
        liveRunner(3, 'c', platform, { maximum_timeout: 3600, maintenance_note: 'x' }),
      ]),
    ]);
    const doc = load(exportDesiredState(live)) as any;
    expect(doc.defaults.maximum_timeout).toBeUndefined();
    expect(doc.defaults.maintenance_note).toBeUndefined();
    expect(doc.groups[0].runners[1]).toEqual({ description: 'b' });
    expect(doc.groups[0].runners[0]).toEqual({ description: 'a', maximum_timeout: 3600, maintenance_note: 'x' });
  });

  it('keeps every attribute on the runner when there is only one (no defaults block)', () => {
    const text = exportDesiredState(liveState([liveScope(platform, [liveRunner(1, 'solo', platform, { locked: true })])]));
    const doc = load(text) as any;
    expect(doc.defaults).toBeUndefined();
    expect(doc.groups[0].runners[0]).toEqual({
      description: 'solo',
      paused: false,
      locked: true,
      run_untagged: true,
      tag_list: [],
      access_level: 'not_protected',
    });
  });

  it('exports only owned runners', () => {
    const inherited = { ...liveRunner(9, 'from-parent', group(10, 'acme')), ownership: 'inherited' as const };
    const doc = load(exportDesiredState(liveState([liveScope(platform, [liveRunner(1, 'mine', platform)], [inherited])]))) as any;
    expect(doc.groups[0].runners.map((r: any) => r.description)).toEqual(['mine']);
  });

  it('exports the lowest id of duplicate descriptions and says so in a comment', () => {
    const live = liveState([
      liveScope(platform, [
        liveRunner(7, 'dup', platform, { tag_list: ['late'] }),
        liveRunner(5, 'dup', platform, { tag_list: ['early'] }),
        liveRunner(6, 'other', platform),
      ]),
    ]);
    const result = buildExport(live);
    expect(result.runners).toBe(2);
    expect(result.skipped).toEqual([{ scope: platform, id: 7, reason: 'same description as runner 5' }]);
    const lines = result.text.split('\n');
    const at = lines.findIndex((l) => l.includes('description: dup'));
    expect(lines[at - 1]).toMatch(/^\s+# Runner 5; this scope also owns runner 7 with this description\. .*only the lowest id is exported/);
    const doc = reload(result.text);
    expect(doc.scopes[0]?.runners.find((r) => r.description === 'dup')?.attrs.tag_list).toEqual(['early']);
    expect(hasChanges(computePlan(doc, live))).toBe(false);
  });

  it('leaves out runners without a description, with a comment', () => {
    const result = buildExport(liveState([liveScope(platform, [liveRunner(3, '', platform), liveRunner(4, 'ok', platform)])]));
    expect(result.runners).toBe(1);
    expect(result.text).toContain('# Runner 3 is not exported');
    reload(result.text);
  });

  it('still validates when GitLab holds run_untagged: false without tags', () => {
    const live = liveState([
      liveScope(platform, [
        liveRunner(1, 'odd', platform, { run_untagged: false, tag_list: [] }),
        liveRunner(2, 'normal', platform, { run_untagged: false, tag_list: ['x'] }),
      ]),
    ]);
    const { text, plan } = roundTrip(live);
    expect(text).toContain('run_untagged is left unmanaged');
    const doc = load(text) as any;
    expect(doc.defaults.run_untagged).toBeUndefined();
    expect(doc.groups[0].runners[0]).toEqual({ description: 'normal', run_untagged: false, tag_list: ['x'] });
    expect(hasChanges(plan)).toBe(false);
  });

  it('round-trips awkward strings: multi-line notes, quotes, YAML look-alikes, unicode', () => {
    const cases: [description: string, note: string][] = [
      ['true', 'owned by team platform\nescalate: #platform-oncall\n  indented line\n\nlast line'],
      ['123', 'trailing spaces   \nand a tab\there'],
      ['a: b', "it's \"quoted\" and: colon"],
      ['#hash', 'yes'],
      ['null', '- starts like a list'],
      ['ok', 'ünïcødé ✓'],
    ];
    const runners = cases.map(([description, note], i) =>
      liveRunner(i + 1, description, platform, {
        maintenance_note: note,
        tag_list: ['needs quote: yes', 'x y', '*star', 'on'],
        run_untagged: false,
      }),
    );
    const live = liveState([liveScope(platform, runners)]);
    const { text, plan } = roundTrip(live);
    expect(hasChanges(plan)).toBe(false);
    const declared = reload(text).scopes[0]?.runners ?? [];
    for (const r of runners) {
      const d = declared.find((x) => x.description === r.description)!;
      expect(d.attrs.maintenance_note).toBe(r.attrs.maintenance_note);
      expect(d.attrs.tag_list).toEqual([...r.attrs.tag_list].sort());
    }
  });

  it('round-trips every attribute across groups, projects and the instance with no changes', () => {
    const live = liveState([
      liveScope(platform, [
        liveRunner(1, 'docker-amd64', platform, { tag_list: ['docker', 'amd64'], run_untagged: false, maximum_timeout: 3600 }),
        liveRunner(2, 'docker-arm64', platform, { tag_list: ['docker', 'arm64'], paused: true, access_level: 'ref_protected' }),
      ]),
      liveScope(api, [liveRunner(3, 'api-e2e', api, { locked: true, maintenance_note: 'e2e\nonly' })]),
      liveScope(instance, [liveRunner(4, 'shared-large', instance, { tag_list: ['shared'], maximum_timeout: 7200 })]),
    ]);
    const { plan } = roundTrip(live);
    expect(plan.summary).toMatchObject({ create: 0, update: 0, delete: 0, no_op: 4, unmanaged: 0 });
  });

  it('detects drift after a round trip (the export states every attribute)', () => {
    const live = liveState([liveScope(platform, [liveRunner(1, 'a', platform), liveRunner(2, 'b', platform)])]);
    const desired = reload(exportDesiredState(live));
    const drifted = liveState([
      liveScope(platform, [liveRunner(1, 'a', platform, { paused: true }), liveRunner(2, 'b', platform)]),
    ]);
    const plan = computePlan(desired, drifted);
    expect(plan.changes.filter((c) => c.action === 'update').map((c) => c.changed)).toEqual([['paused']]);
  });

  it('writes each scope once even when the live state lists it twice', () => {
    const live = liveState([liveScope(platform, [liveRunner(1, 'a', platform)]), liveScope(platform, [liveRunner(1, 'a', platform)])]);
    const result = buildExport(live);
    expect(result.scopes).toBe(1);
    reload(result.text);
  });

  it('does not leak URL credentials into the header comment', () => {
    const text = exportDesiredState({ gitlabUrl: 'https://user:secret@gitlab.example.com', scopes: [liveScope(platform, [])] });
    expect(text).not.toContain('secret');
    expect(text).toContain('https://gitlab.example.com');
  });
});

describe('commonAttrs', () => {
  it('compares tag lists as sets and needs two runners', () => {
    expect(commonAttrs([{ tag_list: ['a', 'b'] }])).toEqual({});
    expect(commonAttrs([{ tag_list: ['a', 'b'] }, { tag_list: ['b', 'a'] }])).toEqual({ tag_list: ['a', 'b'] });
    expect(commonAttrs([{ paused: true }, { paused: false }])).toEqual({});
  });
});
