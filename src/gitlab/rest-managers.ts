// GET /runners/:id/managers (lib/api/ci/runners.rb): only `runnerform health` over REST asks.
import { runnerRole } from './errors.js';
import type { ApiRunnerManager } from './health-fields.js';
import type { Transport } from './transport.js';

export function runnerManagersEndpoint(t: Transport): (id: number) => Promise<ApiRunnerManager[]> {
  return (id) =>
    t.list<ApiRunnerManager>({ path: `runners/${id}/managers`, context: { subject: `runner #${id}`, action: `read the managers of runner #${id}`, role: runnerRole(undefined) } });
}
