// Every shipped example and the top-level runners.yaml are valid, and load into
// the desired state they are meant to describe.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadDesiredState } from '../../src/config/index.js';
import type { DesiredState } from '../../src/model.js';

function valid(inputs: string[]): DesiredState {
  const { state, problems } = loadDesiredState(inputs);
  expect(problems.map(formatProblem)).toEqual([]);
  expect(state).not.toBeNull();
  return state as DesiredState;
}

describe('examples', () => {
  const files = readdirSync('examples').filter((f) => /\.ya?ml$/.test(f));

  it('include a minimal and a multi-team file', () => {
    expect(files).toEqual(expect.arrayContaining(['minimal.yaml', 'multi-team.yaml']));
  });

  for (const f of files) {
    it(`${f} is valid`, () => {
      expect(valid([`examples/${f}`]).scopes.length).toBeGreaterThan(0);
    });
  }

  it('the multi-file directory merges all its files', () => {
    const state = valid(['examples/multi-file']);
    expect(state.files).toEqual([
      'examples/multi-file/data.yaml',
      'examples/multi-file/instance.yml',
      'examples/multi-file/platform.yaml',
    ]);
    expect(state.scopes.map((s) => s.ref)).toEqual([
      { type: 'group', path: 'acme/data' },
      { type: 'instance' },
      { type: 'group', path: 'acme/platform' },
      { type: 'project', path: 'acme/platform/api' },
    ]);
  });

  it('multi-team shares tag lists through anchors and names a group by id', () => {
    const state = valid(['examples/multi-team.yaml']);
    const platform = state.scopes.find((s) => s.ref.path === 'acme/platform');
    const [first, second] = platform?.runners ?? [];
    if (!first || !second) throw new Error('acme/platform declares two runners');
    expect(second.attrs.tag_list).toEqual(first.attrs.tag_list);
    expect(second.attrs.tag_list).not.toBe(first.attrs.tag_list); // each runner owns its array
    expect(state.scopes.some((s) => s.ref.id === 4242)).toBe(true);
  });
});

describe('runners.yaml (the demo organisation)', () => {
  const state = valid(['runners.yaml']);
  const scope = (path: string) => state.scopes.find((s) => s.ref.path === path);

  it('declares acme/platform (prune false), acme/data (prune true) and acme/platform/api', () => {
    expect(scope('acme/platform')).toMatchObject({ ref: { type: 'group' }, prune: false });
    expect(scope('acme/platform')?.runners.length).toBeGreaterThanOrEqual(2);
    expect(scope('acme/platform')?.runners.length).toBeLessThanOrEqual(3);
    expect(scope('acme/data')).toMatchObject({ ref: { type: 'group' }, prune: true });
    expect(scope('acme/platform/api')).toMatchObject({ ref: { type: 'project' } });
    expect(scope('acme/platform/api')?.runners).toHaveLength(1);
  });

  it('carries source positions for scopes and runners', () => {
    const lines = readFileSync('runners.yaml', 'utf8').split('\n');
    const where = (text: string) => {
      const index = lines.findIndex((l) => l.endsWith(text));
      const found = lines[index];
      if (found === undefined) throw new Error(`no line of runners.yaml ends with ${text}`);
      return { file: 'runners.yaml', line: index + 1, column: found.indexOf(text) + 1 };
    };
    const platform = scope('acme/platform');
    expect(platform?.source).toEqual(where('path: acme/platform'));
    expect(platform?.runners[0]?.source).toEqual(where(`description: ${platform?.runners[0]?.description}`));
  });
});
