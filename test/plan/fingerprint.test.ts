import { describe, expect, it } from 'vitest';
import type { LiveRunner, LiveScope } from '../../src/model.js';
import { fingerprintLive } from '../../src/plan/fingerprint.js';
import { GROUP, INSTANCE, PROJECT, SUBGROUP, liveRunner, liveScope, visible } from './fixtures.js';

function scopes(): LiveScope[] {
  return [
    liveScope(GROUP, [liveRunner(GROUP, 1, 'a', { tag_list: ['x', 'y'] }), liveRunner(GROUP, 2, 'b', { maintenance_note: 'n' })]),
    liveScope(PROJECT, [liveRunner(PROJECT, 3, 'c')]),
    liveScope(INSTANCE, []),
  ];
}

/** Scope k of a copy of the fixture above, which has it. */
function scope(s: LiveScope[], k: number): LiveScope {
  const found = s[k];
  if (!found) throw new Error(`the fixture has no scope ${k}`);
  return found;
}

/** Owned runner i of scope k of a copy of the fixture above. */
function owned(s: LiveScope[], k: number, i: number): LiveRunner {
  const found = scope(s, k).owned[i];
  if (!found) throw new Error(`the fixture has no runner ${i} in scope ${k}`);
  return found;
}

describe('fingerprintLive', () => {
  it('is a sha256 hex digest that every process and version computes alike', () => {
    // Pinned: a plan saved by one process is checked against this digest by another,
    // perhaps a later runnerform. Computing it twice here could never fail; this can
    // (a timestamp, a random salt, an unsorted map). Change it only with the plan format.
    expect(fingerprintLive(scopes())).toBe('59e88f98812be790fb3f64dfdaac238a0dc27fa3c01319de90ccb129c41fddb6');
  });

  it('ignores scope order, runner order, tag order, status and last contact', () => {
    const base = fingerprintLive(scopes());
    const s = scopes().reverse();
    const [a, b] = [owned(s, 2, 0), owned(s, 2, 1)];
    s[2] = {
      ...scope(s, 2),
      owned: [
        { ...b, status: 'offline', contacted_at: '2030-01-01T00:00:00Z' },
        { ...a, attrs: { ...a.attrs, tag_list: ['y', 'x'] } },
      ],
    };
    expect(fingerprintLive(s)).toBe(base);
  });

  it('ignores runners a scope only sees', () => {
    const s = scopes();
    s[1] = { ...scope(s, 1), visible: [visible(liveRunner(GROUP, 1, 'a'), 'inherited')] };
    expect(fingerprintLive(s)).toBe(fingerprintLive(scopes()));
  });

  const mutations: [string, (s: LiveScope[]) => void][] = [
    ['a runner appears', (s) => scope(s, 1).owned.push(liveRunner(PROJECT, 4, 'd'))],
    ['a runner disappears', (s) => scope(s, 0).owned.pop()],
    ['a description changes', (s) => (owned(s, 0, 0).description = 'a2')],
    ['an id changes', (s) => (owned(s, 1, 0).id = 30)],
    ['paused changes', (s) => (owned(s, 0, 0).attrs.paused = true)],
    ['locked changes', (s) => (owned(s, 0, 0).attrs.locked = true)],
    ['run_untagged changes', (s) => (owned(s, 0, 0).attrs.run_untagged = false)],
    ['a tag is added', (s) => (owned(s, 0, 0).attrs.tag_list = ['x', 'y', 'z'])],
    ['access_level changes', (s) => (owned(s, 0, 0).attrs.access_level = 'ref_protected')],
    ['maximum_timeout changes', (s) => (owned(s, 0, 0).attrs.maximum_timeout = 600)],
    ['the note changes', (s) => (owned(s, 0, 1).attrs.maintenance_note = 'm')],
    ['an empty scope is added', (s) => s.push(liveScope(SUBGROUP, []))],
    ['an empty scope is removed', (s) => s.pop()],
    ['a runner moves to another scope', (s) => scope(s, 1).owned.push(scope(s, 0).owned.pop()!)],
  ];
  for (const [what, mutate] of mutations) {
    it(`changes when ${what}`, () => {
      const s = structuredClone(scopes());
      mutate(s);
      expect(fingerprintLive(s)).not.toBe(fingerprintLive(scopes()));
    });
  }

  it('tells an empty read of nothing apart from an empty read of a scope', () => {
    expect(fingerprintLive([])).not.toBe(fingerprintLive([liveScope(GROUP, [])]));
  });
});
