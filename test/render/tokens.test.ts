// Rendering of what issue 8 adds: destinations, token resets, renames, reasons
// and warnings, in text, Markdown and the GitLab report; hostile text stays inert.
import { describe, expect, it } from 'vitest';
import type { Plan, TokenDestination } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderGitlabReport, renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { GROUP, desired, desiredScope, live, liveRunner, liveScope, refOf, tokensScenario, want } from '../plan/fixtures.js';

const plain = (plan: Plan) => renderText(plan, { color: false, source: 'runners.yaml' });
const tokensPlan = () => {
  const { desired: d, live: l, now, evidence } = tokensScenario();
  return computePlan(d, l, { now, evidence });
};

describe('text', () => {
  it('shows each create and token reset with its destination, never a token', () => {
    const out = plain(tokensPlan());
    expect(out).toContain(
      '  # group["acme/platform"].runner["docker-amd64"] will be created\n  # token → CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet\n',
    );
    expect(out).toContain('  # token → command vault kv put secret/runners/acme/platform/gpu-a100 token=-\n');
    expect(out).toContain(
      '  ~ token of group["acme/platform"].runner["docker-arm64"] will be reset: created by an interrupted apply, its token was never stored\n',
    );
    expect(out).not.toMatch(/glrt-/);
  });

  it('shows a rename as a description change of the same runner', () => {
    const out = plain(tokensPlan());
    expect(out).toContain('  # (renamed in place from "windows": same id, same token)\n  # (id 30,');
    expect(out).toContain('      ~ description = "windows" -> "windows-2022"\n');
    expect(out).not.toContain('runner["windows"] will be DELETED');
  });

  it('counts token resets in the summary only when there are any', () => {
    expect(plain(tokensPlan()).endsWith('\nPlan: 2 to create, 1 to update, 1 to delete, 2 tokens to reset (5 unchanged, 0 unmanaged).\n')).toBe(true);
    const none = computePlan(desired(desiredScope(refOf(GROUP), [want('a')])), live(liveScope(GROUP)));
    expect(plain(none)).toContain('Plan: 1 to create, 0 to update, 0 to delete (0 unchanged, 0 unmanaged).');
  });

  it('lists warnings before the summary, also when nothing changes, in yellow on a terminal', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('a')])),
      live(liveScope(GROUP, [liveRunner(GROUP, 1, 'a', {}, { status: 'stale', contacted_at: '2026-01-01T00:00:00.000Z' })])),
    );
    const out = plain(plan);
    expect(out).toMatch(/^No changes\./);
    expect(out).toContain(
      '\nWarnings:\n  group["acme/platform"].runner["a"]: GitLab marks it stale (last contact 2026-01-01T00:00:00.000Z): its host may be gone or no longer hold a working token\n\nPlan:',
    );
    expect(renderText(plan, { color: true, source: 'runners.yaml' })).toContain('\u001b[1;33mWarnings:\u001b[0m');
  });

  it('prints the engine reason of each delete', () => {
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [want('a')], true)),
      live(liveScope(GROUP, [liveRunner(GROUP, 1, 'a'), liveRunner(GROUP, 2, 'a'), liveRunner(GROUP, 3, 'x')])),
    );
    const out = plain(plan);
    expect(out).toContain('# (a duplicate: the declared runner is the one with the lowest id, 1; its scope has prune: true)');
    expect(out).toContain('runner["x"] will be DELETED\n  # (not declared, and its scope has prune: true)');
  });

  it('escapes control characters in destinations and warnings', () => {
    const nasty = 'evil\u001b[2J\u202e';
    const dest: TokenDestination = { kind: 'command', argv: ['put', '{description}'] };
    const old = `old ${nasty}`;
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [{ ...want(nasty), token: dest }, { ...want('b'), renamed_from: [old] }])),
      live(liveScope(GROUP, [liveRunner(GROUP, 1, 'b', {}, { status: 'stale' }), liveRunner(GROUP, 2, old)])),
    );
    const out = plain(plan);
    expect(out).not.toMatch(/[\u001b\u202e]/);
    expect(out).toContain('# token → command put evil\\u001b[2J\\u202e\n');
    expect(out).toContain('renamed_from "old evil\\u001b[2J\\u202e" can be removed');
  });
});

describe('markdown', () => {
  it('puts warnings outside the folded details, after the summary, and folds health findings on their own', () => {
    const out = renderMarkdown(tokensPlan(), { source: 'runners.yaml' });
    const at = out.indexOf(':warning: **2 warnings:**');
    expect(at).toBeGreaterThan(out.indexOf('**Plan: 2 to create, 1 to update, 1 to delete, 2 tokens to reset'));
    expect(at).toBeLessThan(out.indexOf('<details>'));
    const health = out.indexOf('<details><summary>:warning: Health: 4 findings (runnerform health tells more)</summary>');
    expect(health).toBeGreaterThan(at);
    const idle = out.indexOf('- `group["acme/platform"].runner["idle"]`: has never contacted GitLab since it was created at');
    expect(idle).toBeGreaterThan(health);
    expect(idle).toBeLessThan(out.indexOf('</details>', health));
    expect(out).toContain('\n!   token of group["acme/platform"].runner["build"] will be reset: its token never reached its destination');
    expect(out).toContain('\n  # token → CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet\n');
  });

  it('keeps hostile descriptions inert in warnings', () => {
    const nasty = '`x` <img src=x onerror=alert(1)> @all #1';
    const plan = computePlan(
      desired(desiredScope(refOf(GROUP), [{ ...want('b'), renamed_from: [nasty] }])),
      live(liveScope(GROUP, [liveRunner(GROUP, 1, 'b'), liveRunner(GROUP, 2, nasty)])),
    );
    const out = renderMarkdown(plan, { source: 'runners.yaml' });
    const line = out.split('\n').find((l) => l.includes('can be removed'))!;
    expect(line).toContain('\\`x\\` &lt;img src=x onerror=alert(1)&gt; \\@all \\#1');
    expect(line).not.toMatch(/<img|[^\\]@all|[^\\]#1/);
  });

  it('the GitLab report counts token resets as updates', () => {
    expect(JSON.parse(renderGitlabReport(tokensPlan()))).toEqual({ create: 2, update: 3, delete: 1 });
  });
});
