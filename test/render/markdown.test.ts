import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { code, escapeText, renderGitlabReport, renderMarkdown } from '../../src/render/markdown.js';
import { emptyGitlabScenario, hostileScenario, noChangesScenario, richScenario } from '../plan/fixtures.js';

const md = (s: { desired: any; live: any }) => renderMarkdown(computePlan(s.desired, s.live), { source: 'runners.yaml' });

/** The Markdown with every fenced block and code span cut out: what a renderer would treat as Markdown/HTML. */
function outsideCode(markdown: string): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    if (fence !== null) {
      // CommonMark: the block ends at a line of at least as many backticks and nothing else.
      if (new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(line)) {
        expect(line).toBe(fence);
        fence = null;
      }
      continue;
    }
    const open = /^(`{3,})/.exec(line)?.[1];
    if (open !== undefined) {
      fence = open;
      continue;
    }
    kept.push(line.replace(/(`+)(?:(?!\1)[\s\S])*?\1(?!`)/g, ''));
  }
  expect(fence, 'fence is closed').toBeNull();
  return kept.join('\n');
}

describe('renderMarkdown', () => {
  it('puts the summary first and the details in a collapsible diff block', () => {
    const out = md(richScenario());
    const lines = out.split('\n');
    expect(lines[0]).toBe('#### runnerform plan');
    expect(lines[2]).toBe('**Plan: 2 to create, 2 to update, 2 to delete (2 unchanged, 1 unmanaged).**');
    expect(out).toContain('<details><summary>Show plan (6 changes)</summary>\n\n```diff\n');
    expect(out).toContain('\n```\n\n</details>\n');
    expect(out.indexOf('Plan:')).toBeLessThan(out.indexOf('<details>'));
  });

  it('calls out deletions before the details', () => {
    const out = md(richScenario());
    const warning = out.indexOf(':warning: **2 runners will be DELETED.**');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(out.indexOf('<details>'));
    expect(out).toContain('- `group["acme/platform"].runner["old-builder"]` (id 17, status offline, last contact 2025-11-30T08:00:00.000Z)');
  });

  it('puts signs in column 0 for diff highlighting', () => {
    const out = md(richScenario());
    expect(out).toContain('\n+   group["acme/platform"].runner["docker-amd64"] {\n+       paused          = false\n');
    expect(out).toContain('\n!   instance.runner["shared-large"] {\n!       maximum_timeout = null -> 7200\n');
    expect(out).toContain('\n-   group["acme/platform"].runner["old-builder"] {\n');
  });

  it('says when there is nothing to do', () => {
    const out = md(noChangesScenario());
    expect(out).toContain('**No changes.** GitLab matches `runners.yaml`.');
    expect(out).not.toContain('<details>');
    expect(out).toContain('**Unmanaged runners**');
  });

  it('cannot be broken out of by descriptions, notes or timestamps', () => {
    const out = md(hostileScenario());
    const markdown = outsideCode(out);
    expect(markdown).not.toMatch(/<script|<img|<i>|@all|```/);
    expect(markdown.match(/<\/details>/g)).toHaveLength(1);
    expect(markdown.match(/<details>/g)).toHaveLength(1);
    expect(out).not.toMatch(/\u001b/);
    expect(out).not.toMatch(/glrt-[A-Za-z0-9]/);
  });

  it('builds code spans no backtick can close', () => {
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(escapeText('<b>@all</b> & #1')).toBe('&lt;b&gt;\\@all&lt;/b&gt; &amp; \\#1');
  });
});

describe('renderGitlabReport', () => {
  it('is the terraform report artifact GitLab reads', () => {
    expect(renderGitlabReport(computePlan(richScenario().desired, richScenario().live))).toBe('{"create":2,"update":2,"delete":2}');
    expect(renderGitlabReport(computePlan(emptyGitlabScenario().desired, emptyGitlabScenario().live))).toBe(
      '{"create":3,"update":0,"delete":0}',
    );
  });
});
