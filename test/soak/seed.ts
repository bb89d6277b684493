// The soak's GitLab: one owner of group `soak`, three subgroups and three projects
// (soak/fleet holds the CI/CD variables that gitlab_variable destinations write).
import type { Seed } from '../fake-gitlab/seed.js';

export const OWNER_PAT = 'glpat-soak-owner-token-00000000000';
export const VARIABLE_PROJECT = 'soak/fleet';

export function soakSeed(): Seed {
  return {
    users: [{ id: 2, username: 'owner', groups: { soak: 'owner' } }],
    tokens: [{ token: OWNER_PAT, user: 'owner', scopes: ['api'] }],
    groups: [{ full_path: 'soak' }, { full_path: 'soak/g1' }, { full_path: 'soak/g2' }, { full_path: 'soak/g3' }],
    projects: [{ path_with_namespace: 'soak/g1/app' }, { path_with_namespace: 'soak/g2/svc' }, { path_with_namespace: VARIABLE_PROJECT }],
  };
}
