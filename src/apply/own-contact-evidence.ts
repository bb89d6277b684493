// Which runners GitLab shows as contacted only because runnerform's own POST /runners/verify did
// (plan/own-contact.ts): their managers are read (GET /runners/:id/managers) only for the few that
// could be such a runner — GitLab says contacted_at yet status never_contacted (a verify, and no host
// ever asked for a job). Not only runners the tokens file names: `tokens prune` drops delivered ones.
// Read only; an unreadable answer is "unknown", which counts as a host's contact (the safe side).
import type { ApiRunnerManager } from '../gitlab/health-fields.js';
import { managerOfRest } from '../gitlab/health-fields.js';
import type { GitLabApi } from '../gitlab/api.js';
import type { LiveState } from '../model.js';
import { ownContactOnly } from '../plan/own-contact.js';

type ManagersApi = GitLabApi & { runnerManagers?: (id: number) => Promise<ApiRunnerManager[]> };

export async function readOwnContact(api: GitLabApi, live: LiveState): Promise<number[]> {
  const list = (api as ManagersApi).runnerManagers?.bind(api);
  if (!list) return [];
  const candidates = live.scopes.flatMap((s) => s.owned).filter((r) => r.contacted_at !== null && r.status === 'never_contacted');
  const own = await Promise.all(
    candidates.map((r) =>
      list(r.id).then(
        (managers) => (ownContactOnly(r, managers.map(managerOfRest)) ? r.id : null),
        () => null,
      ),
    ),
  );
  return own.filter((id): id is number => id !== null).sort((a, b) => a - b);
}
