// What the GraphQL reader adds to each runner node when health is asked for:
// its managers (app/graphql/types/ci/runner_manager_type.rb) and how it was
// created (runner_type.rb `creation_method`, 17.0+). Kept apart from the
// reader so the record read stays as it was when health is not asked for.
import type { LiveManager, ManagerStatus, RunnerHealthFacts } from '../model.js';
import type { Field } from './graphql-query.js';
import { isoTime } from './live-time.js';

/** Managers read per runner; a runner with more is reported as only partly read. */
export const MANAGERS_PAGE = 50;

const leaves = (...names: string[]): Field[] => names.map((name) => ({ name }));

/** The extra runner-node fields of a health read. */
export function healthNodeFields(): Field[] {
  return [
    leaf('creationMethod'),
    {
      name: 'managers',
      args: { first: MANAGERS_PAGE },
      resolver: { cost: 1, first: MANAGERS_PAGE },
      children: [
        { name: 'pageInfo', children: leaves('hasNextPage') },
        { name: 'nodes', children: leaves('systemId', 'version', 'revision', 'platformName', 'architectureName', 'status', 'contactedAt', 'jobExecutionStatus') },
      ],
    },
  ];
}

function leaf(name: string): Field {
  return { name };
}

interface ManagerNode {
  systemId: string;
  version: string | null;
  revision: string | null;
  platformName: string | null;
  architectureName: string | null;
  status: string;
  contactedAt: string | null;
  jobExecutionStatus?: string | null;
}

/** The health facts of a runner node; undefined when the node was read without the health fields. */
export function healthFactsOfNode(node: { creationMethod?: string | null; managers?: { pageInfo?: { hasNextPage: boolean }; nodes: (ManagerNode | null)[] } | null }): RunnerHealthFacts | undefined {
  if (!('managers' in node) && !('creationMethod' in node)) return undefined;
  const m = node.managers;
  return {
    managers: m ? m.nodes.filter((n): n is ManagerNode => n !== null).map(managerOfNode) : null,
    managers_truncated: m?.pageInfo?.hasNextPage ?? false,
    creation_method: creationMethodOf(node.creationMethod),
  };
}

function creationMethodOf(v: string | null | undefined): RunnerHealthFacts['creation_method'] {
  const s = v?.toLowerCase();
  return s === 'authenticated_user' || s === 'registration_token' ? s : null;
}

export function managerOfNode(n: ManagerNode): LiveManager {
  return {
    system_id: n.systemId,
    version: n.version ?? null,
    revision: n.revision ?? null,
    platform: n.platformName ?? null,
    architecture: n.architectureName ?? null,
    status: n.status.toLowerCase() as ManagerStatus,
    contacted_at: isoTime(n.contactedAt),
    job_execution_status: n.jobExecutionStatus === 'ACTIVE' ? 'active' : n.jobExecutionStatus === 'IDLE' ? 'idle' : null,
  };
}

/** A REST manager (GET /runners/:id/managers, lib/api/entities/ci/runner_manager.rb). */
export interface ApiRunnerManager {
  system_id: string;
  version: string | null;
  revision: string | null;
  platform: string | null;
  architecture: string | null;
  contacted_at: string | null;
  status: string;
  job_execution_status?: string | null;
}

export function managerOfRest(m: ApiRunnerManager): LiveManager {
  return managerOfNode({
    systemId: m.system_id,
    version: m.version,
    revision: m.revision,
    platformName: m.platform,
    architectureName: m.architecture,
    status: m.status,
    contactedAt: m.contacted_at,
    jobExecutionStatus: m.job_execution_status?.toUpperCase() ?? null,
  });
}
