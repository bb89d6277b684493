// `also_in:` of a project runner: kept as written with its position, absent when not written,
// and the problems the schema cannot see (group runners, duplicates, the owner project itself).
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';

const project = (runner: string) => `version: 1\nprojects:\n  - path: acme/api\n    runners:\n${runner}`;

describe('also_in', () => {
  it('keeps paths and ids as written, with their line and column', () => {
    const { state, problems } = parseDesiredState([
      { file: 'a.yaml', text: project('      - description: pool\n        also_in: [acme/web, 42]\n      - description: alone\n        also_in: []\n      - description: plain\n') },
    ]);
    expect(problems).toEqual([]);
    const runners = state!.scopes[0]!.runners;
    expect(runners).toHaveLength(3);
    const [pool, alone, plain] = runners;
    expect(pool?.also_in).toEqual([
      { ref: 'acme/web', source: { file: 'a.yaml', line: 6, column: 19 } },
      { ref: 42, source: { file: 'a.yaml', line: 6, column: 29 } },
    ]);
    expect(alone?.also_in).toEqual([]);
    expect(plain).not.toHaveProperty('also_in');
  });

  it('reports group runners, a project listed twice and the owner project, all at once', () => {
    const text =
      'version: 1\ngroups:\n  - path: acme\n    runners:\n      - description: g\n        also_in: [acme/web]\n' +
      'projects:\n  - path: acme/api\n    runners:\n      - description: pool\n        also_in: [acme/web, ACME/Web, acme/API]\n';
    const { state, problems } = parseDesiredState([{ file: 'a.yaml', text }]);
    expect(state).toBeNull();
    expect(problems.map(formatProblem)).toEqual([
      'a.yaml:6:18: `also_in` is only for project runners: a group runner cannot be enabled in a project (GitLab refuses it)',
      'a.yaml:11:29: `also_in` lists "ACME/Web" twice (first at line 11)',
      'a.yaml:11:39: `also_in` lists "acme/API", the owner project this runner is declared under; list only the other projects',
    ]);
  });
});
