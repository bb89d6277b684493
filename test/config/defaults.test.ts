// Defaults merging: the runner's own value wins, tag_list is replaced, and an
// attribute set by neither is absent (not managed).
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';
import type { DesiredState } from '../../src/model.js';

function load(text: string): DesiredState {
  const { state, problems } = parseDesiredState([{ file: 'runners.yaml', text }]);
  expect(problems.map(formatProblem)).toEqual([]);
  return state as DesiredState;
}

const FILE = `
version: 1
defaults:
  run_untagged: false
  tag_list: [docker, linux]
  maximum_timeout: 3600
groups:
  - path: acme/platform
    runners:
      - description: inherits
      - description: overrides
        tag_list: [arm64]
        maximum_timeout: 7200
        run_untagged: true
      - description: own-extra
        paused: true
`;

describe('defaults', () => {
  const [inherits, overrides, ownExtra] = load(FILE).scopes[0]?.runners ?? [];
  if (!inherits || !overrides || !ownExtra) throw new Error('FILE declares three runners in its first scope');

  it('apply to a runner that does not set the attribute', () => {
    expect(inherits.attrs).toEqual({ run_untagged: false, tag_list: ['docker', 'linux'], maximum_timeout: 3600 });
  });

  it("lose to the runner's own value; tag_list is replaced, not merged", () => {
    expect(overrides.attrs).toEqual({ run_untagged: true, tag_list: ['arm64'], maximum_timeout: 7200 });
  });

  it('leave attributes set by neither absent (not managed)', () => {
    expect(Object.keys(ownExtra.attrs)).toEqual(['paused', 'run_untagged', 'tag_list', 'maximum_timeout']);
    for (const name of ['locked', 'access_level', 'maintenance_note']) expect(name in ownExtra.attrs).toBe(false);
  });

  it('give every runner its own copy of a default tag list', () => {
    expect(inherits.attrs.tag_list).not.toBe(ownExtra.attrs.tag_list);
  });

  it('apply only within their own file', () => {
    const { state } = parseDesiredState([
      { file: 'a.yaml', text: 'version: 1\ndefaults:\n  locked: true\ngroups:\n  - path: a\n    runners: [{description: x}]\n' },
      { file: 'b.yaml', text: 'version: 1\ngroups:\n  - path: b\n    runners: [{description: y}]\n' },
    ]);
    expect(state?.scopes.map((s) => s.runners[0]?.attrs)).toEqual([{ locked: true }, {}]);
  });

  it('without any defaults, a runner manages only what it states', () => {
    const state = load('version: 1\nprojects:\n  - id: 7\n    prune: true\n    runners:\n      - description: bare\n');
    expect(state.scopes[0]).toMatchObject({ ref: { type: 'project', id: 7 }, prune: true, runners: [{ description: 'bare', attrs: {} }] });
  });

  it('scopes default to prune: false', () => {
    const state = load('version: 1\ngroups:\n  - path: a\ninstance:\n  runners: []\n');
    expect(state.scopes.map((s) => [s.ref.type, s.prune])).toEqual([
      ['group', false],
      ['instance', false],
    ]);
  });
});
