// Tokens pasted into a desired-state file never come back out in problems.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';

const PAT = 'glpat-AbCdEf0123456789xyz';
const RUNNER = 'glrt-t1_AbCdEf0123456789';

describe('secrets in problems', () => {
  it('are redacted wherever a value or key is echoed', () => {
    const text = `version: 1
groups:
  - path: acme/platform
    runners:
      - description: ${RUNNER}
        access_level: ${PAT}
        maximum_timeout: ${PAT}
        ${RUNNER}: 1
        tag_list: ["${PAT},x"]
      - description: ${RUNNER}
`;
    const { problems } = parseDesiredState([{ file: 'r.yaml', text }]);
    expect(problems.length).toBeGreaterThanOrEqual(5);
    const everything = problems.map(formatProblem).join('\n') + inspect(problems, { depth: 5 }) + JSON.stringify(problems);
    expect(everything).not.toContain(PAT);
    expect(everything).not.toContain(RUNNER);
    expect(everything).not.toMatch(/gl(pat|rt)-[A-Za-z0-9]/);
    expect(everything).toContain('glpat-[REDACTED]');
  });

  it('are redacted in YAML errors that quote the source', () => {
    const { problems } = parseDesiredState([{ file: 'r.yaml', text: `version: 1\n${PAT}: 1\n${PAT}: 2\n` }]);
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toBe('r.yaml:3:1: YAML error: duplicated mapping key `glpat-[REDACTED]`');
  });
});

describe('tokens pasted as values', () => {
  it('are refused where they would travel on to plans and GitLab, at their position', () => {
    const text = `version: 1
defaults:
  maintenance_note: "token ${RUNNER}"
groups:
  - path: acme/platform
    runners:
      - description: ${RUNNER}
        tag_list: [docker, "${PAT}"]
        maintenance_note: "register with ${RUNNER}"
`;
    const { state, problems } = parseDesiredState([{ file: 'r.yaml', text }]);
    expect(state).toBeNull();
    const lines = problems.map(formatProblem);
    expect(lines.map((l) => l.split(': ')[0])).toEqual(['r.yaml:3:21', 'r.yaml:7:22', 'r.yaml:8:28', 'r.yaml:9:27']);
    for (const l of lines) expect(l).toContain('looks like a GitLab token');
    expect(lines.join('\n')).not.toMatch(/gl(pat|rt)-[A-Za-z0-9]/);
  });

  it('leave words that merely start like a token alone', () => {
    const text = 'version: 1\ngroups:\n  - path: a\n    runners:\n      - description: glrt-sync\n        tag_list: [glpat-rotation]\n';
    expect(parseDesiredState([{ file: 'r.yaml', text }]).problems).toEqual([]);
  });
});
