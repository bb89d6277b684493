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

const MANAGER_FIELDS = ['systemId', 'version', 'revision', 'platformName', 'architectureName', 'status', 'contactedAt', 'jobExecutionStatus'];

/** The fields of CiRunner and CiRunnerManager this GitLab has (from introspection); absent: assume all. */
export interface SchemaFields {
  runner: ReadonlySet<string>;
  manager: ReadonlySet<string>;
}

/**
 * The extra runner-node fields of a health read: only those this GitLab has, so an older GitLab
 * (no creationMethod before 17.0, no jobExecutionStatus before 16.3, no managers before 16.0)
 * still answers, and what it lacks reads as unknown.
 */
export function healthNodeFields(has?: SchemaFields): Field[] {
  const out: Field[] = [];
  if (!has || has.runner.has('creationMethod')) out.push(leaf('creationMethod'));
  const managerFields = MANAGER_FIELDS.filter((f) => !has || has.manager.has(f));
  if ((!has || has.runner.has('managers')) && managerFields.includes('systemId')) {
    out.push({
      name: 'managers',
      args: { first: MANAGERS_PAGE },
      resolver: { cost: 1, first: MANAGERS_PAGE },
      children: [
        { name: 'pageInfo', children: leaves('hasNextPage') },
        { name: 'nodes', children: leaves(...managerFields) },
      ],
    });
  }
  return out;
}

/** One introspection request: which CiRunner and CiRunnerManager fields exist. */
export const SCHEMA_FIELDS_QUERY = 'query RunnerformHealthFields { r: __type(name: "CiRunner") { fields { name } } m: __type(name: "CiRunnerManager") { fields { name } } }';

export function schemaFieldsFrom(data: unknown): SchemaFields | null {
  const d = data as { r?: { fields?: { name: string }[] } | null; m?: { fields?: { name: string }[] } | null } | null;
  if (!d?.r?.fields) return null;
  return { runner: new Set(d.r.fields.map((f) => f.name)), manager: new Set((d.m?.fields ?? []).map((f) => f.name)) };
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

/** The health facts of a runner node read for health; a field this GitLab lacks reads as null (unknown). */
export function healthFactsOfNode(node: { creationMethod?: string | null; managers?: { pageInfo?: { hasNextPage: boolean }; nodes: (ManagerNode | null)[] } | null }): RunnerHealthFacts {
  if (!('managers' in node) && !('creationMethod' in node)) return { managers: null, managers_truncated: false, creation_method: null };
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
    status: (n.status ?? 'NEVER_CONTACTED').toLowerCase() as ManagerStatus,
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
