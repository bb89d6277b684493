import { describe, expect, it } from 'vitest';
import type { TokenDestination } from '../../src/model.js';
import {
  describeDestination,
  expandArgv,
  expandKey,
  keyPart,
  placeholdersOf,
  scopeText,
  variableKeyOf,
  type VariableDestination,
} from '../../src/plan/token-dest.js';
import { GROUP, INSTANCE, PROJECT } from './fixtures.js';

const VARIABLE: VariableDestination = {
  kind: 'gitlab_variable',
  owner: { type: 'project', path: 'acme/infra/runner-fleet' },
  key: 'RUNNER_TOKEN_{description}',
  protected: true,
  environment_scope: '*',
};

describe('variable keys', () => {
  it('upper-cases the description and turns every other character into _', () => {
    expect(keyPart('docker-amd64')).toBe('DOCKER_AMD64');
    expect(keyPart('gpu a100 (eu)')).toBe('GPU_A100__EU_');
    expect(keyPart('café 🚀')).toBe('CAF___'); // one _ per character, not per UTF-16 unit
    expect(expandKey('RUNNER_TOKEN_{description}', 'docker-amd64')).toBe('RUNNER_TOKEN_DOCKER_AMD64');
    expect(expandKey('{description}_{description}', 'a.b')).toBe('A_B_A_B');
  });

  it('finds only identifier placeholders', () => {
    expect(placeholdersOf('x/{description}/{id}/{"json": 1}/{ scope }')).toEqual(['description', 'id']);
  });

  it('keys TokenEvidence.variables by owner, key and environment scope; paths case-insensitively', () => {
    expect(variableKeyOf(VARIABLE, 'docker-amd64')).toBe('project:acme/infra/runner-fleet:RUNNER_TOKEN_DOCKER_AMD64:*');
    expect(variableKeyOf({ ...VARIABLE, owner: { type: 'project', path: 'ACME/Infra/runner-fleet' } }, 'docker-amd64')).toBe(
      variableKeyOf(VARIABLE, 'docker-amd64'),
    );
    expect(variableKeyOf({ ...VARIABLE, environment_scope: 'production' }, 'docker-amd64')).not.toBe(variableKeyOf(VARIABLE, 'docker-amd64'));
    expect(variableKeyOf({ ...VARIABLE, owner: { type: 'group', path: 'acme/infra/runner-fleet' } }, 'x')).toBe('group:acme/infra/runner-fleet:RUNNER_TOKEN_X:*');
  });
});

describe('command argv', () => {
  const argv = ['vault', 'kv', 'put', 'secret/runners/{scope}/{description}', 'id={id}', '{unknown}', '{"a": 1}'];

  it('replaces {description}, {id} and {scope} as plain text in each element', () => {
    expect(expandArgv(argv, { description: 'docker amd64; rm -rf /', scope: GROUP, id: 17 })).toEqual([
      'vault',
      'kv',
      'put',
      'secret/runners/acme/platform/docker amd64; rm -rf /',
      'id=17',
      '{unknown}',
      '{"a": 1}',
    ]);
  });

  it('keeps {id} until GitLab assigned one', () => {
    expect(expandArgv(['x-{id}'], { description: 'd', scope: GROUP, id: null })).toEqual(['x-{id}']);
  });

  it('names the scope by path, by id when the path is unknown, or instance', () => {
    expect(scopeText(PROJECT)).toBe('acme/platform/api');
    expect(scopeText({ type: 'group', id: 12, path: null })).toBe('12');
    expect(scopeText(INSTANCE)).toBe('instance');
  });
});

describe('describeDestination', () => {
  it('says which variable of which project or group', () => {
    expect(describeDestination(VARIABLE, { description: 'docker-amd64', scope: GROUP, id: null })).toBe(
      'CI/CD variable RUNNER_TOKEN_DOCKER_AMD64 of acme/infra/runner-fleet',
    );
    expect(describeDestination({ ...VARIABLE, environment_scope: 'prod env' }, { description: 'a', scope: GROUP, id: null })).toBe(
      'CI/CD variable RUNNER_TOKEN_A of acme/infra/runner-fleet, environment scope "prod env"',
    );
  });

  it('shows the command as it will run, quoting arguments with spaces or quotes and escaping control characters', () => {
    const dest: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{description}', 'token=-'] };
    expect(describeDestination(dest, { description: 'docker-amd64', scope: GROUP, id: null })).toBe('command vault kv put secret/runners/docker-amd64 token=-');
    const hostile: TokenDestination = { kind: 'command', argv: ['sh', '-c', 'echo {description}', ''] };
    expect(describeDestination(hostile, { description: 'a\u001b[2Jb\u202e', scope: GROUP, id: 3 })).toBe(
      'command sh -c "echo a\\u001b[2Jb\\u202e" ""',
    );
  });
});
