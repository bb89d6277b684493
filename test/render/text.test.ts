import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { renderText } from '../../src/render/text.js';
import {
  GROUP,
  desired,
  desiredScope,
  emptyGitlabScenario,
  hostileScenario,
  live,
  liveRunner,
  liveScope,
  noChangesScenario,
  refOf,
  richScenario,
  want,
} from '../plan/fixtures.js';

const ANSI = /\u001b\[/;
const text = (s: { desired: any; live: any }, color = false, targets?: string[]) =>
  renderText(computePlan(s.desired, s.live, { targets }), { color, source: 'runners.yaml' });

describe('renderText', () => {
  it('ends with the summary line', () => {
    const out = text(richScenario());
    expect(out.endsWith('\nPlan: 2 to create, 2 to update, 2 to delete (2 unchanged, 1 unmanaged).\n')).toBe(true);
  });

  it('says "No changes" naming the source, and still lists unmanaged runners', () => {
    const out = renderText(computePlan(noChangesScenario().desired, noChangesScenario().live), { color: false, source: 'infra/runners.yaml' });
    expect(out.split('\n')[0]).toBe('No changes. GitLab matches infra/runners.yaml.');
    expect(out.endsWith('\nPlan: 0 to create, 0 to update, 0 to delete (1 unchanged, 1 unmanaged).\n')).toBe(true);
    expect(out).toContain('Unmanaged runners (kept');
    expect(out).toContain('group["acme/platform"].runner["laptop of bob"] (id 13, status offline, last contact 2025-12-24T18:00:00.000Z)');
  });

  it('puts deletions first, under a banner', () => {
    const out = text(richScenario());
    const banner = out.indexOf('WARNING: 2 runners will be DELETED from GitLab.');
    const firstDelete = out.indexOf('will be DELETED\n');
    const firstCreate = out.indexOf('will be created');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(firstDelete);
    expect(firstDelete).toBeLessThan(firstCreate);
    expect(out).toContain('a duplicate: the declared runner is the one with the lowest id, 21');
  });

  it('has no banner without deletions', () => {
    expect(text(emptyGitlabScenario())).not.toContain('DELETED');
  });

  it('shows only changed attributes with old -> new, and counts the hidden ones', () => {
    const out = text(richScenario());
    const block = out.slice(out.indexOf('instance.runner["shared-large"] will be updated'));
    expect(block).toContain('# (id 1, status online, last contact 2026-01-02T03:04:05.000Z)');
    expect(block).toContain('      ~ maximum_timeout = null -> 7200\n        # (6 unchanged attributes hidden)\n');
    expect(block).not.toContain('paused');
  });

  it('shows tag additions and removals per tag', () => {
    const out = text(richScenario());
    expect(out).toContain('      ~ tag_list         = [\n          + "graviton",\n          - "legacy",\n            # (3 unchanged tags hidden)\n        ]\n');
  });

  it('shows a multi-line note change as a line diff', () => {
    const out = text(richScenario());
    expect(out).toContain(
      '      ~ maintenance_note = <<-EOT\n            Owned by team platform.\n          - Rotated monthly.\n          + Rotated weekly.\n            Pager: #platform-oncall\n        EOT\n',
    );
  });

  it('shows single-line note changes inline', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('r', { maintenance_note: 'new' })])),
      live(liveScope(GROUP, [liveRunner(GROUP, 1, 'r', { maintenance_note: null })])),
    );
    expect(renderText(plan, { color: false, source: 'x' })).toContain('~ maintenance_note = null -> "new"');
  });

  it('shows creates with only the declared attributes', () => {
    const out = text(emptyGitlabScenario());
    expect(out).toContain('  + group["acme/platform"].runner["docker-arm64"] {\n      + paused   = true\n      + tag_list = ["arm64", "docker"]\n    }\n');
  });

  it('colours only when asked', () => {
    expect(text(richScenario(), false)).not.toMatch(ANSI);
    const coloured = text(richScenario(), true);
    expect(coloured).toContain('\u001b[32m+\u001b[0m');
    expect(coloured).toContain('\u001b[33m~\u001b[0m');
    expect(coloured).toContain('\u001b[31m-\u001b[0m');
    expect(coloured).toContain('\u001b[1;31m!! WARNING');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text(richScenario(), false));
  });

  // Determinism is tested across processes, time zones and locales in test/e2e/determinism.test.ts
  // (rendering twice in one process could not fail).

  it('mentions --target when the plan is limited', () => {
    const out = text(richScenario(), false, ['project[42]']);
    expect(out).toContain('Note: the plan is limited to --target project[42].');
    expect(out).not.toContain('will be DELETED');
  });

  it('never lets control characters or tokens through', () => {
    const out = text(hostileScenario());
    expect(out).not.toMatch(ANSI);
    expect(out).toContain('\\u001b[2Jcleared?');
    expect(out).not.toMatch(/glrt-[A-Za-z0-9]/);
    expect(out).toContain('glrt-[REDACTED]');
  });
});
