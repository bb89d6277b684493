// Builders for live-state fixtures of the export tests.
import type { LiveAttrs, LiveRunner, LiveScope, LiveState, Scope, ScopeRef } from '../../src/model.js';
import { GITLAB_DEFAULT_ATTRS, RUNNER_TYPE } from '../../src/model.js';

export const GITLAB_DEFAULTS: LiveAttrs = GITLAB_DEFAULT_ATTRS;

export function liveRunner(id: number, description: string, scope: Scope, attrs: Partial<LiveAttrs> = {}): LiveRunner {
  return {
    id,
    description,
    runner_type: RUNNER_TYPE[scope.type],
    attrs: { ...GITLAB_DEFAULTS, ...attrs },
    status: 'online',
    contacted_at: null,
    ownership: 'owned',
    created_at: null,
    token_expires_at: null,
  };
}

export const group = (id: number, path: string): Scope => ({ type: 'group', id, path });
export const project = (id: number, path: string): Scope => ({ type: 'project', id, path });
export const instance: Scope = { type: 'instance', id: null, path: null };

export function liveScope(scope: Scope, owned: LiveRunner[], visible: LiveRunner[] = []): LiveScope {
  const ref: ScopeRef = scope.type === 'instance' ? { type: 'instance' } : { type: scope.type, path: scope.path! };
  return { ref, scope, owned, visible };
}

export function liveState(scopes: LiveScope[]): LiveState {
  return { gitlabUrl: 'https://gitlab.example.com', scopes };
}
