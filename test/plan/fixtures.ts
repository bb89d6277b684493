// Builders for DesiredState / LiveState fixtures, so tests say only what matters.
import type {
  DesiredRunner,
  DesiredScope,
  DesiredState,
  LiveAttrs,
  LiveRunner,
  LiveScope,
  LiveState,
  Ownership,
  RunnerAttrs,
  Scope,
  ScopeRef,
  TokenDestination,
  TokenEvidence,
} from '../../src/model.js';
import { GITLAB_DEFAULT_ATTRS, RUNNER_TYPE } from '../../src/model.js';

export const GITLAB_URL = 'https://gitlab.example.com';

export const GROUP: Scope = { type: 'group', id: 10, path: 'acme/platform' };
export const SUBGROUP: Scope = { type: 'group', id: 11, path: 'acme/platform/mobile' };
export const PROJECT: Scope = { type: 'project', id: 42, path: 'acme/platform/api' };
export const INSTANCE: Scope = { type: 'instance', id: null, path: null };

/** The ref a user would write for a resolved scope (by path). */
export function refOf(scope: Scope): ScopeRef {
  return scope.type === 'instance' ? { type: 'instance' } : { type: scope.type, path: scope.path! };
}

let line = 1;
function pos() {
  return { file: 'runners.yaml', line: line++, column: 5 };
}

export function want(description: string, attrs: RunnerAttrs = {}): DesiredRunner {
  return { description, attrs, source: pos(), token: null, renamed_from: [] };
}

export function desiredScope(ref: ScopeRef, runners: DesiredRunner[], prune = false): DesiredScope {
  return { ref, prune, runners, source: pos() };
}

export function desired(...scopes: DesiredScope[]): DesiredState {
  return { files: ['runners.yaml'], scopes };
}

export const DEFAULT_ATTRS: LiveAttrs = GITLAB_DEFAULT_ATTRS;

export function liveRunner(
  scope: Scope,
  id: number,
  description: string,
  attrs: Partial<LiveAttrs> = {},
  extra: Partial<Omit<LiveRunner, 'attrs'>> = {},
): LiveRunner {
  return {
    id,
    description,
    runner_type: RUNNER_TYPE[scope.type],
    attrs: { ...DEFAULT_ATTRS, ...attrs },
    status: 'online',
    contacted_at: '2026-01-02T03:04:05.000Z',
    ownership: 'owned',
    created_at: '2026-01-01T00:00:00.000Z',
    token_expires_at: null,
    ...extra,
  };
}

export function visible(runner: LiveRunner, ownership: Exclude<Ownership, 'owned'>): LiveRunner {
  return { ...runner, ownership };
}

export function liveScope(scope: Scope, owned: LiveRunner[] = [], seen: LiveRunner[] = [], ref: ScopeRef = refOf(scope)): LiveScope {
  return { ref, scope, owned: [...owned].sort((a, b) => a.id - b.id), visible: seen };
}

export function live(...scopes: LiveScope[]): LiveState {
  return { gitlabUrl: GITLAB_URL, scopes };
}

/**
 * One plan with every kind of line: create, update (flags, tags, a multi-line
 * note), delete under prune, a duplicate, no-ops, unmanaged runners, inherited
 * and instance runners that must be left alone. Used by the golden files.
 */
export function richScenario(): { desired: DesiredState; live: LiveState } {
  const inherited = liveRunner(GROUP, 3, 'docker-arm64', { tag_list: ['arm64'] });
  const shared = liveRunner(INSTANCE, 1, 'shared-large', { tag_list: ['large'] });
  return {
    desired: desired(
      desiredScope(
        refOf(GROUP),
        [
          want('docker-amd64', { paused: false, run_untagged: false, tag_list: ['linux', 'docker', 'amd64'], maximum_timeout: 3600 }),
          want('docker-arm64', {
            paused: true,
            run_untagged: false,
            tag_list: ['arm64', 'docker', 'linux', 'graviton'],
            maintenance_note: 'Owned by team platform.\nRotated weekly.\nPager: #platform-oncall',
          }),
          want('windows', { access_level: 'ref_protected', locked: true }),
        ],
        true,
      ),
      desiredScope(
        refOf(SUBGROUP),
        [want('docker-arm64', { tag_list: ['arm64'] })],
        false,
      ),
      desiredScope(
        refOf(PROJECT),
        [want('api-e2e', { tag_list: ['e2e', 'api'], maximum_timeout: 1800, maintenance_note: '' })],
        false,
      ),
      desiredScope({ type: 'instance' }, [want('shared-large', { tag_list: ['large'], maximum_timeout: 7200 })], false),
    ),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 21, 'docker-arm64', {
          tag_list: ['linux', 'arm64', 'docker', 'legacy'],
          run_untagged: false,
          maintenance_note: 'Owned by team platform.\nRotated monthly.\nPager: #platform-oncall',
        }),
        liveRunner(GROUP, 17, 'old-builder', { tag_list: ['docker'], maximum_timeout: 3600 }, { status: 'offline', contacted_at: '2025-11-30T08:00:00.000Z' }),
        liveRunner(GROUP, 25, 'docker-arm64', { tag_list: ['arm64'] }, { status: 'never_contacted', contacted_at: null }),
        liveRunner(GROUP, 30, 'windows', { access_level: 'ref_protected', locked: true, paused: true }),
      ]),
      // The subgroup owns nothing; it merely sees its parent's runner (same description!).
      liveScope(SUBGROUP, [], [visible(inherited, 'inherited'), visible(shared, 'instance')]),
      liveScope(
        PROJECT,
        [
          liveRunner(PROJECT, 40, 'api-e2e', { tag_list: ['api', 'e2e'], maximum_timeout: 1800, maintenance_note: null }),
          liveRunner(PROJECT, 41, 'hand-made', {}, { status: 'stale', contacted_at: '2025-06-01T00:00:00.000Z' }),
        ],
        [visible(shared, 'instance')],
      ),
      liveScope(INSTANCE, [shared]),
    ),
  };
}

/** Nothing in GitLab yet: every declared runner is created. */
export function emptyGitlabScenario(): { desired: DesiredState; live: LiveState } {
  return {
    desired: desired(
      desiredScope(refOf(GROUP), [
        want('docker-amd64', { tag_list: ['docker', 'amd64'], run_untagged: false, maximum_timeout: 3600, maintenance_note: 'owned by team platform' }),
        want('docker-arm64', { tag_list: ['docker', 'arm64'], paused: true }),
      ]),
      desiredScope({ type: 'project', id: 42 }, [want('api-e2e', { access_level: 'ref_protected', maintenance_note: 'E2E only.\nAsk #api before pausing.' })]),
    ),
    live: live(liveScope(GROUP), liveScope(PROJECT, [], [], { type: 'project', id: 42 })),
  };
}

/** GitLab already matches; one hand-made runner is kept. */
export function noChangesScenario(): { desired: DesiredState; live: LiveState } {
  return {
    desired: desired(desiredScope(refOf(GROUP), [want('docker-amd64', { tag_list: ['docker', 'amd64'] })])),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 12, 'docker-amd64', { tag_list: ['amd64', 'docker'] }),
        liveRunner(GROUP, 13, 'laptop of bob', {}, { status: 'offline', contacted_at: '2025-12-24T18:00:00.000Z' }),
      ]),
    ),
  };
}

/** Descriptions and notes written to break out of Markdown, HTML and terminals, plus a pasted token. */
export function hostileScenario(): { desired: DesiredState; live: LiveState } {
  const nasty = 'x```\n</details><script>alert(1)</script> @all #1 !2 ~label';
  return {
    desired: desired(
      desiredScope(
        refOf(GROUP),
        [
          want(nasty, { tag_list: ['`tick`', '<b>'] }),
          want('note', { maintenance_note: 'line one\n```\n</details>\n\u001b[2Jcleared?\ntoken glrt-AbCdEfGhIjKlMnOpQrStUv123' }),
        ],
        true,
      ),
    ),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 5, 'note', { maintenance_note: 'line one\nold' }),
        liveRunner(GROUP, 6, '````` <img src=x onerror=alert(1)>', {}, { contacted_at: '<i>2026</i>' }),
      ]),
    ),
  };
}

/** The CI/CD variable destination of the README's example. */
export const FLEET_VARIABLE: TokenDestination = {
  kind: 'gitlab_variable',
  owner: { type: 'project', path: 'acme/infra/runner-fleet' },
  key: 'RUNNER_TOKEN_{description}',
  protected: true,
  environment_scope: '*',
};

/**
 * Token destinations, a rename, token resets (journal and variable evidence)
 * and every health warning, judged at a fixed `now`. Used by the golden files.
 */
export function tokensScenario(): { desired: DesiredState; live: LiveState; now: Date; evidence: TokenEvidence } {
  const vault: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{scope}/{description}', 'token=-'] };
  const withToken = (r: DesiredRunner, token: TokenDestination | null, renamed_from: string[] = []): DesiredRunner => ({ ...r, token, renamed_from });
  const never = { status: 'never_contacted', contacted_at: null } as const;
  return {
    now: new Date('2026-03-01T12:00:00.000Z'),
    desired: desired(
      desiredScope(
        refOf(GROUP),
        [
          withToken(want('docker-amd64', { tag_list: ['docker', 'amd64'] }), FLEET_VARIABLE),
          withToken(want('gpu-a100', { tag_list: ['gpu'] }), vault),
          withToken(want('windows-2022', { locked: true }), FLEET_VARIABLE, ['windows']),
          withToken(want('docker-arm64', { paused: false, tag_list: ['arm64'] }), FLEET_VARIABLE),
          withToken(want('build'), FLEET_VARIABLE),
          withToken(want('contacted'), FLEET_VARIABLE),
          withToken(want('macos', {}), null, ['mac']),
          want('idle'),
          want('expiring'),
          want('stale one'),
        ],
        true,
      ),
    ),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 30, 'windows', { locked: false }),
        liveRunner(GROUP, 21, 'docker-arm64', { paused: true, tag_list: ['arm64'] }, { ...never, created_at: '2026-03-01T11:00:05.000Z' }),
        liveRunner(GROUP, 22, 'build', {}, { ...never, created_at: '2026-02-27T09:00:00.000Z' }),
        liveRunner(GROUP, 23, 'contacted', {}, { contacted_at: '2026-03-01T11:58:00.000Z' }),
        liveRunner(GROUP, 24, 'macos'),
        liveRunner(GROUP, 25, 'mac', {}, { status: 'offline', contacted_at: '2026-02-01T00:00:00.000Z' }),
        liveRunner(GROUP, 26, 'idle', {}, { ...never, created_at: '2026-03-01T09:00:00.000Z' }),
        liveRunner(GROUP, 27, 'expiring', {}, { token_expires_at: '2026-03-04T00:00:00.000Z' }),
        liveRunner(GROUP, 28, 'stale one', {}, { status: 'stale', contacted_at: '2026-01-10T00:00:00.000Z', token_expires_at: '2026-02-28T00:00:00.000Z' }),
      ]),
    ),
    evidence: {
      journal: [{ scope: { ...GROUP }, description: 'docker-arm64', intent_at: '2026-03-01T11:00:00.000Z', runner_id: null, stored: false, delivered: false }],
      variables: {
        'project:acme/infra/runner-fleet:RUNNER_TOKEN_BUILD:*': null,
        'project:acme/infra/runner-fleet:RUNNER_TOKEN_CONTACTED:*': 99,
      },
    },
  };
}

/** One declared runner whose token `runnerform rotate` resets: online, its token delivered. */
export function rotateScenario(): { desired: DesiredState; live: LiveState; addresses: string[] } {
  return {
    desired: desired(desiredScope(refOf(GROUP), [{ ...want('docker-amd64', { tag_list: ['docker'] }), token: FLEET_VARIABLE }])),
    live: live(liveScope(GROUP, [liveRunner(GROUP, 21, 'docker-amd64', { tag_list: ['docker'] })])),
    addresses: ['group["acme/platform"].runner["docker-amd64"]'],
  };
}

/**
 * The plan after an apply whose deliveries failed: a stored token a command refused, a token the
 * journal says was delivered to a CI/CD variable that is gone now, and a new runner whose variable
 * lives in a project this token cannot see (refused, never created). Used by the golden files.
 */
export function failedDeliveryScenario(): { desired: DesiredState; live: LiveState; evidence: TokenEvidence } {
  const vault: TokenDestination = { kind: 'command', argv: ['vault', 'kv', 'put', 'secret/runners/{description}', 'token=-'] };
  const nowhere = { ...FLEET_VARIABLE, owner: { type: 'project', path: 'acme/nope' } } as TokenDestination;
  const record = (description: string, id: number, delivered: boolean, destination: TokenDestination) => ({
    scope: { ...GROUP },
    description,
    intent_at: '2026-03-01T10:00:00.000Z',
    runner_id: id,
    stored: true,
    delivered,
    destination,
  });
  return {
    desired: desired(
      desiredScope(refOf(GROUP), [
        { ...want('gpu-a100', { tag_list: ['gpu'] }), token: vault },
        { ...want('docker-amd64', { tag_list: ['docker'] }), token: FLEET_VARIABLE },
        { ...want('new-one'), token: nowhere },
      ]),
    ),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 31, 'gpu-a100', { tag_list: ['gpu'] }, { status: 'never_contacted', contacted_at: null }),
        liveRunner(GROUP, 32, 'docker-amd64', { tag_list: ['docker'] }),
      ]),
    ),
    evidence: {
      journal: [record('gpu-a100', 31, false, vault), record('docker-amd64', 32, true, FLEET_VARIABLE)],
      variables: { 'project:acme/infra/runner-fleet:RUNNER_TOKEN_DOCKER_AMD64:*': null, 'project:acme/nope:RUNNER_TOKEN_NEW_ONE:*': null },
      unwritable: {
        'project:acme/nope:RUNNER_TOKEN_NEW_ONE:*':
          'Project acme/nope not found or not visible to this token (GET /projects/acme%2Fnope/variables/RUNNER_TOKEN_NEW_ONE → 404 Project Not Found).',
      },
    },
  };
}

/** Duplicates: a declared runner's twin deleted under prune, a renamed runner's twin, and twins kept unmanaged. */
export function duplicateScenario(): { desired: DesiredState; live: LiveState } {
  return {
    desired: desired(
      desiredScope(refOf(GROUP), [want('docker-arm64', { tag_list: ['arm64'] }), { ...want('windows-2022'), renamed_from: ['windows'] }], true),
      desiredScope(refOf(PROJECT), [want('api-e2e')], false),
    ),
    live: live(
      liveScope(GROUP, [
        liveRunner(GROUP, 21, 'docker-arm64', { tag_list: ['arm64'] }),
        liveRunner(GROUP, 25, 'docker-arm64', { tag_list: ['arm64'] }, { status: 'never_contacted', contacted_at: null }),
        liveRunner(GROUP, 30, 'windows'),
        liveRunner(GROUP, 33, 'windows', {}, { status: 'offline', contacted_at: '2026-01-01T00:00:00.000Z' }),
      ]),
      liveScope(PROJECT, [
        liveRunner(PROJECT, 40, 'api-e2e'),
        liveRunner(PROJECT, 41, 'api-e2e'),
        liveRunner(PROJECT, 42, 'laptop'),
        liveRunner(PROJECT, 43, 'laptop'),
      ]),
    ),
  };
}
