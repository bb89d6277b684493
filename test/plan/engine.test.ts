import { describe, expect, it } from 'vitest';
import { hasChanges, type Plan } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { fingerprintLive } from '../../src/plan/fingerprint.js';
import {
  GITLAB_URL,
  GROUP,
  INSTANCE,
  PROJECT,
  SUBGROUP,
  desired,
  desiredScope,
  live,
  liveRunner,
  liveScope,
  refOf,
  richScenario,
  visible,
  want,
} from './fixtures.js';

// Action, address and runner id (`#id`: a deposed address already ends with it).
const actions = (plan: Plan) =>
  plan.changes.map((c) => `${c.action} ${c.address}${c.runner_id && !c.address.endsWith(`#${c.runner_id}`) ? `#${c.runner_id}` : ''}`);

describe('computePlan', () => {
  it('creates declared runners that GitLab does not have, with only the declared attributes', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('docker-amd64', { tag_list: ['linux', 'docker'], paused: true })])),
      live(liveScope(GROUP)),
    );
    expect(plan.changes).toEqual([
      {
        address: 'group["acme/platform"].runner["docker-amd64"]',
        action: 'create',
        scope: GROUP,
        description: 'docker-amd64',
        runner_id: null,
        before: null,
        after: { paused: true, tag_list: ['docker', 'linux'] },
        changed: ['paused', 'tag_list'],
        status: null,
        contacted_at: null,
        reason: null,
        token: null,
        refused: null,
      },
    ]);
    expect(plan.summary).toEqual({ create: 1, update: 0, delete: 0, no_op: 0, token_reset: 0, deliver: 0, unmanaged: 0, refused: 0 });
    expect(plan.gitlab_url).toBe(GITLAB_URL);
    expect(plan.format_version).toBe(1);
    expect(hasChanges(plan)).toBe(true);
  });

  it('updates in place only the managed attributes that differ', () => {
    const runner = liveRunner(GROUP, 7, 'r', { paused: false, tag_list: ['b', 'a'], maximum_timeout: 3600, locked: true });
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { paused: true, tag_list: ['a', 'b', 'c'], maximum_timeout: 3600 })])),
      live(liveScope(GROUP, [runner])),
    );
    const [change] = plan.changes;
    if (!change) throw new Error('no change planned');
    expect(change.action).toBe('update');
    expect(change.runner_id).toBe(7);
    expect(change.changed).toEqual(['paused', 'tag_list']);
    expect(change.before).toEqual({ ...runner.attrs, tag_list: ['a', 'b'] });
    expect(change.after).toEqual({ ...runner.attrs, paused: true, tag_list: ['a', 'b', 'c'] });
    expect(Object.keys(change.before!)).toEqual(['paused', 'locked', 'run_untagged', 'tag_list', 'access_level', 'maximum_timeout', 'maintenance_note']);
    expect(change.status).toBe('online');
    expect(change.contacted_at).toBe(runner.contacted_at);
  });

  it('is a no-op when the runner matches; tag order, null vs "" notes and unmanaged attributes do not count', () => {
    const runner = liveRunner(GROUP, 7, 'r', { tag_list: ['z', 'a'], maintenance_note: null, paused: true, access_level: 'ref_protected' });
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { tag_list: ['a', 'z'], maintenance_note: '' })])),
      live(liveScope(GROUP, [runner])),
    );
    expect(plan.changes.map((c) => c.action)).toEqual(['no-op']);
    expect(plan.changes[0]?.changed).toEqual([]);
    expect(plan.changes[0]?.after).toEqual(plan.changes[0]?.before);
    expect(plan.summary.no_op).toBe(1);
    expect(hasChanges(plan)).toBe(false);
  });

  it('refuses an update GitLab would refuse: no tags while the unmanaged live run_untagged is false', () => {
    const runner = liveRunner(GROUP, 7, 'r', { run_untagged: false, tag_list: ['spark'] });
    const plan = () =>
      computePlan(desired(desiredScope(refOf(GROUP), [want('r', { tag_list: [] })])), live(liveScope(GROUP, [runner])));
    expect(plan).toThrow(/runners\.yaml:\d+:\d+: group\["acme\/platform"\]\.runner\["r"\] would have no tags and run_untagged: false \(run_untagged is not managed/);
    // The conflict does not block a --target on another runner.
    const other = liveRunner(GROUP, 8, 'healthy');
    const targeted = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { tag_list: [] }), want('healthy', { paused: true })])),
      live(liveScope(GROUP, [runner, other])),
      { targets: ['group["acme/platform"].runner["healthy"]'] },
    );
    expect(targeted.changes.map((c) => `${c.action} ${c.description}`)).toEqual(['update healthy']);
    // Managing run_untagged in the same change makes it valid.
    const ok = computePlan(desired(desiredScope(refOf(GROUP), [want('r', { tag_list: [], run_untagged: true })])), live(liveScope(GROUP, [runner])));
    expect(ok.changes[0]?.changed).toEqual(['run_untagged', 'tag_list']);
  });

  it('compares maximum_timeout exactly (null is not 600)', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { maximum_timeout: 600 })])),
      live(liveScope(GROUP, [liveRunner(GROUP, 7, 'r', { maximum_timeout: null })])),
    );
    expect(plan.changes[0]?.changed).toEqual(['maximum_timeout']);
  });

  it('treats a note change from "" to text as a change', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { maintenance_note: 'hello' })])),
      live(liveScope(GROUP, [liveRunner(GROUP, 7, 'r', { maintenance_note: '' })])),
    );
    expect(plan.changes[0]?.changed).toEqual(['maintenance_note']);
  });

  it('keeps undeclared owned runners as unmanaged without prune', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(PROJECT), [], false)),
      live(liveScope(PROJECT, [liveRunner(PROJECT, 9, 'manual', {}, { status: 'stale', contacted_at: null })])),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged).toEqual([
      {
        address: 'project["acme/platform/api"].runner["manual"]',
        scope: PROJECT,
        description: 'manual',
        runner_id: 9,
        status: 'stale',
        contacted_at: null,
      },
    ]);
    expect(plan.summary.unmanaged).toBe(1);
  });

  it('deletes undeclared owned runners with prune: true', () => {
    const plan = computePlan(desired(desiredScope(refOf(PROJECT), [], true)), live(liveScope(PROJECT, [liveRunner(PROJECT, 9, 'manual')])));
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'delete', runner_id: 9, after: null, changed: [], status: 'online' });
    expect(plan.changes[0]?.before).not.toBeNull();
    expect(plan.unmanaged).toEqual([]);
  });

  it('matches the lowest id among duplicates; the others count as undeclared', () => {
    const scope = liveScope(GROUP, [liveRunner(GROUP, 30, 'r'), liveRunner(GROUP, 12, 'r'), liveRunner(GROUP, 20, 'r')]);
    const kept = computePlan(desired(desiredScope(refOf(GROUP), [want('r', { paused: true })])), live(scope));
    expect(actions(kept)).toEqual(['update group["acme/platform"].runner["r"]#12']);
    expect(kept.unmanaged.map((u) => u.runner_id)).toEqual([20, 30]);

    const pruned = computePlan(desired(desiredScope(refOf(GROUP), [want('r', { paused: true })], true)), live(scope));
    expect(actions(pruned)).toEqual([
      'delete group["acme/platform"].runner["r"]#20',
      'delete group["acme/platform"].runner["r"]#30',
      'update group["acme/platform"].runner["r"]#12',
    ]);
  });

  it('never matches, updates or deletes runners a scope only sees (inherited, instance, borrowed)', () => {
    const parent = liveRunner(GROUP, 3, 'docker', { paused: true });
    const shared = liveRunner(INSTANCE, 1, 'docker');
    const borrowed = liveRunner(PROJECT, 5, 'docker');
    const plan = computePlan(
      desired(desiredScope(refOf(SUBGROUP), [want('docker', { paused: false })], true)),
      live(liveScope(SUBGROUP, [], [visible(parent, 'inherited'), visible(shared, 'instance'), visible(borrowed, 'borrowed')])),
    );
    expect(actions(plan)).toEqual(['create group["acme/platform/mobile"].runner["docker"]']);
    expect(plan.unmanaged).toEqual([]);
  });

  it('matches descriptions exactly and scopes by path case-insensitively', () => {
    const plan = computePlan(
      desired(desiredScope({ type: 'group', path: 'ACME/Platform' }, [want('Docker')])),
      live(liveScope(GROUP, [liveRunner(GROUP, 4, 'docker')], [], { type: 'group', path: 'acme/platform' })),
    );
    expect(actions(plan)).toEqual(['create group["acme/platform"].runner["Docker"]']);
    expect(plan.unmanaged.map((u) => u.runner_id)).toEqual([4]);
  });

  it('pairs scopes declared by id', () => {
    const plan = computePlan(
      desired(desiredScope({ type: 'project', id: 42 }, [want('r', { locked: true })])),
      live(liveScope(PROJECT, [liveRunner(PROJECT, 8, 'r')], [], { type: 'project', id: 42 })),
    );
    expect(actions(plan)).toEqual(['update project["acme/platform/api"].runner["r"]#8']);
  });

  it('refuses a scope declared twice under two names (path and id)', () => {
    expect(() =>
      computePlan(
        desired(desiredScope(refOf(GROUP), [want('a')]), desiredScope({ type: 'group', id: 10 }, [want('b')])),
        live(liveScope(GROUP), liveScope(GROUP, [], [], { type: 'group', id: 10 })),
      ),
    ).toThrow(/declared twice/);
  });

  it('refuses a description declared twice in one scope', () => {
    expect(() => computePlan(desired(desiredScope(refOf(GROUP), [want('a'), want('a')])), live(liveScope(GROUP)))).toThrow(
      /declared twice/,
    );
  });

  it('fails loudly when a declared scope was not read', () => {
    expect(() => computePlan(desired(desiredScope(refOf(GROUP), [want('a')])), live(liveScope(PROJECT)))).toThrow(/no live state/);
  });

  it('orders deletions first, then scope (group, project, instance; path), description, runner id', () => {
    const { desired: d, live: l } = richScenario();
    const plan = computePlan(d, l);
    expect(actions(plan)).toEqual([
      'delete group["acme/platform"].runner["docker-arm64"]#25',
      'delete group["acme/platform"].runner["old-builder"]#17',
      'create group["acme/platform"].runner["docker-amd64"]',
      'update group["acme/platform"].runner["docker-arm64"]#21',
      'no-op group["acme/platform"].runner["windows"]#30',
      'create group["acme/platform/mobile"].runner["docker-arm64"]',
      'no-op project["acme/platform/api"].runner["api-e2e"]#40',
      'update instance.runner["shared-large"]#1',
    ]);
    expect(plan.scopes).toEqual([GROUP, SUBGROUP, PROJECT, INSTANCE]);
    expect(plan.summary).toEqual({ create: 2, update: 2, delete: 2, no_op: 2, token_reset: 0, deliver: 0, unmanaged: 1, refused: 0 });
  });

  it('is deterministic whatever the input order', () => {
    const { desired: d, live: l } = richScenario();
    const shuffled = {
      desired: { ...d, scopes: [...d.scopes].reverse().map((s) => ({ ...s, runners: [...s.runners].reverse() })) },
      live: { ...l, scopes: [...l.scopes].reverse().map((s) => ({ ...s, owned: [...s.owned].reverse() })) },
    };
    expect(computePlan(shuffled.desired, shuffled.live)).toEqual(computePlan(d, l));
  });

  it('does not modify its inputs', () => {
    const { desired: d, live: l } = richScenario();
    const before = JSON.stringify([d, l]);
    computePlan(d, l);
    expect(JSON.stringify([d, l])).toBe(before);
  });

  it('records the fingerprint of all live scopes, targets or not', () => {
    const { desired: d, live: l } = richScenario();
    expect(computePlan(d, l).fingerprint).toBe(fingerprintLive(l.scopes));
    expect(computePlan(d, l, { targets: ['instance'] }).fingerprint).toBe(fingerprintLive(l.scopes));
  });

  describe('targets', () => {
    const { desired: d, live: l } = richScenario();

    it('limits changes and unmanaged runners to a runner address', () => {
      const plan = computePlan(d, l, { targets: ['group["acme/platform"].runner["docker-arm64"]'] });
      expect(actions(plan)).toEqual([
        'delete group["acme/platform"].runner["docker-arm64"]#25',
        'update group["acme/platform"].runner["docker-arm64"]#21',
      ]);
      expect(plan.unmanaged).toEqual([]);
      expect(plan.targets).toEqual(['group["acme/platform"].runner["docker-arm64"]']);
      expect(plan.summary).toEqual({ create: 0, update: 1, delete: 1, no_op: 0, token_reset: 0, deliver: 0, unmanaged: 0, refused: 0 });
      expect(plan.scopes).toHaveLength(4);
    });

    it('selects a whole scope by path or id, and several targets add up', () => {
      const byPath = computePlan(d, l, { targets: ['project["acme/platform/api"]', 'instance'] });
      const byId = computePlan(d, l, { targets: ['project[42]', 'instance.runner["shared-large"]'] });
      const expected = ['no-op project["acme/platform/api"].runner["api-e2e"]#40', 'update instance.runner["shared-large"]#1'];
      expect(actions(byPath)).toEqual(expected);
      expect(actions(byId)).toEqual(expected);
      expect(byPath.unmanaged.map((u) => u.runner_id)).toEqual([41]);
    });

    it('rejects an invalid target', () => {
      expect(() => computePlan(d, l, { targets: ['acme/platform'] })).toThrow(/invalid target/);
    });

    it('refuses a target that matches nothing (a typo must not pass a drift check)', () => {
      expect(() => computePlan(d, l, { targets: ['group["nope"]'] })).toThrow('--target group["nope"] matches no runner');
      // An in-sync runner is a valid target: it matches, and the plan is empty.
      const inSync = computePlan(
        desired(desiredScope(refOf(GROUP), [want('same', {})])),
        live(liveScope(GROUP, [liveRunner(GROUP, 3, 'same')])),
        { targets: ['group["acme/platform"].runner["same"]'] },
      );
      expect(inSync.changes.map((c) => c.action)).toEqual(['no-op']);
    });
  });
});
