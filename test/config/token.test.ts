// `token:` and `renamed_from` load into DesiredRunner.token / renamed_from, with
// defaults filled in; the checks the schema cannot express report line:col.
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDesiredState } from '../../src/config/index.js';

const load = (text: string) => parseDesiredState([{ file: 'runners.yaml', text }]);
const problems = (text: string) => load(text).problems.map(formatProblem);

const FILE = `version: 1
defaults:
  token:
    gitlab_variable:
      group: acme/infra
      key: RUNNER_TOKEN_{description}
groups:
  - path: acme/platform
    runners:
      - description: docker-amd64
      - description: gpu-a100
        renamed_from: gpu
        token:
          command: ["vault", "kv", "put", "secret/runners/{scope}/{description}", "token=-", '{"a": 1}']
      - description: windows
        renamed_from: [win-2019, win]
        token:
          gitlab_variable: {project: acme/infra/fleet, key: WIN_TOKEN, protected: false, environment_scope: production}
projects:
  - path: acme/platform/api
    runners:
      - description: api-e2e
`;

describe('token destinations in the desired state', () => {
  it('fills DesiredRunner.token from the runner or from defaults, with protected true and environment_scope "*" by default', () => {
    const { state, problems: found } = load(FILE);
    expect(found).toEqual([]);
    const runners = Object.fromEntries(state!.scopes.flatMap((s) => s.runners).map((r) => [r.description, r]));
    expect(runners['docker-amd64']?.token).toEqual({
      kind: 'gitlab_variable',
      owner: { type: 'group', path: 'acme/infra' },
      key: 'RUNNER_TOKEN_{description}',
      protected: true,
      environment_scope: '*',
    });
    expect(runners['gpu-a100']?.token).toEqual({
      kind: 'command',
      argv: ['vault', 'kv', 'put', 'secret/runners/{scope}/{description}', 'token=-', '{"a": 1}'],
    });
    expect(runners.windows?.token).toEqual({
      kind: 'gitlab_variable',
      owner: { type: 'project', path: 'acme/infra/fleet' },
      key: 'WIN_TOKEN',
      protected: false,
      environment_scope: 'production',
    });
    expect(runners['api-e2e']?.token).toEqual(runners['docker-amd64']?.token);
  });

  it('reads renamed_from as a list, a single string being a list of one', () => {
    const { state } = load(FILE);
    const runners = Object.fromEntries(state!.scopes.flatMap((s) => s.runners).map((r) => [r.description, r.renamed_from]));
    expect(runners).toEqual({ 'docker-amd64': [], 'gpu-a100': ['gpu'], windows: ['win-2019', 'win'], 'api-e2e': [] });
  });

  it('leaves token null without a destination', () => {
    const { state } = load('version: 1\ngroups:\n  - path: a\n    runners:\n      - description: r\n');
    expect(state!.scopes[0]?.runners[0]?.token).toBeNull();
  });

  it('lets defaults apply to every file-local runner, so a shared key without {description} collides', () => {
    expect(
      problems(`version: 1
defaults:
  token: {gitlab_variable: {project: acme/fleet, key: RUNNER_TOKEN}}
groups:
  - path: a
    runners:
      - description: one
      - description: two
`),
    ).toEqual([
      'runners.yaml:8:22: this runner\'s token would go to the same CI/CD variable RUNNER_TOKEN of project acme/fleet as the runner "one" of group a at line 7; each runner needs its own variable: give one of them its own `token.gitlab_variable.key`',
    ]);
  });

  it('finds the same variable written from two files', () => {
    const a = 'version: 1\ngroups:\n  - path: a\n    runners:\n      - description: r\n        token: {gitlab_variable: {group: acme, key: "T_{description}"}}\n';
    const b = 'version: 1\ngroups:\n  - path: b\n    runners:\n      - description: R\n        token: {gitlab_variable: {group: ACME, key: "T_{description}"}}\n';
    const result = parseDesiredState([
      { file: 'a.yaml', text: a },
      { file: 'b.yaml', text: b },
    ]);
    expect(result.problems.map(formatProblem)).toEqual([
      'b.yaml:5:22: this runner\'s token would go to the same CI/CD variable T_R of group ACME as the runner "r" of group a at a.yaml:5:22; each runner needs its own variable: give one of them its own `token.gitlab_variable.key`',
    ]);
  });

  it('refuses token-shaped text anywhere in a destination, without echoing it', () => {
    const token = 'glpat-AbCdEfGhIjKlMnOpQrStUv';
    const out = problems(`version: 1
defaults:
  token: {gitlab_variable: {project: acme/fleet, key: "K_{description}", environment_scope: "${token}"}}
groups:
  - path: a
    runners:
      - description: r
`);
    expect(out).toEqual([
      'runners.yaml:3:93: this looks like a GitLab token (glpat-…/glrt-…): never put tokens in the desired state; remove it and revoke or reset that token',
    ]);
    expect(out.join('\n')).not.toContain(token);
  });
});
