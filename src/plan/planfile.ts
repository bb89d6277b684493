// Reading a saved plan (the JSON that `plan --out` writes) back into a Plan.
// apply executes a saved plan exactly, so it is checked strictly: the schema,
// then the facts the schema cannot express (addresses, summary counts).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as generatedValidate } from '../generated/plan-validator.js';
import { UserError } from '../errors.js';
import { ACTIONS, onlyEnablements, type Plan } from '../model.js';
import { formatAddress } from './address.js';

const SUPPORTED_VERSION = 1;

// Compiled at build time (scripts/validators.mjs): compiling it here cost every command 60-75 ms.
const validate = generatedValidate as ValidateFunction;

/** Parses and validates a plan file; throws a UserError that says what is wrong. */
export function parsePlan(text: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`not a runnerform plan file: it is not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('format_version' in data)) {
    throw new UserError('not a runnerform plan file: it has no format_version (make one with `runnerform plan --out FILE`)');
  }
  const version = data.format_version;
  if (version !== SUPPORTED_VERSION) {
    throw new UserError(
      `unsupported plan format_version ${JSON.stringify(version)}: this runnerform reads format_version ${SUPPORTED_VERSION}; make the plan again with this version`,
    );
  }
  if (!validate(data)) {
    throw new UserError(`invalid plan file:\n${describeErrors(validate.errors ?? [])}`);
  }
  const raw = data as unknown as Plan;
  // Plans written before deliveries were part of the plan have none.
  const plan: Plan = { ...raw, deliveries: raw.deliveries ?? [], summary: { ...raw.summary, deliver: raw.summary.deliver ?? 0 } };
  checkConsistency(plan);
  // A plan written before enable-only changes left `update` counted them there: read it as counted now,
  // so its summary agrees with its headers and with what apply reports.
  plan.summary.update = plan.changes.filter((c) => c.action === 'update' && !onlyEnablements(c)).length;
  return plan;
}

function describeErrors(errors: ErrorObject[]): string {
  // if/then and oneOf wrappers repeat what their inner errors say.
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const lines = (useful.length > 0 ? useful : errors).map((e) => `  ${e.instancePath || '/'}: ${explain(e)}`);
  return [...new Set(lines)].slice(0, 20).join('\n');
}

function explain(e: ErrorObject): string {
  const params = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'additionalProperties') return `unknown key ${JSON.stringify(params.additionalProperty)}`;
  if (e.keyword === 'enum') return `must be one of ${params.allowedValues!.map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? e.keyword;
}

/** The address of a runner, plain or with its id as the deposed key (a runner sharing a declared runner's description). */
function addressProblem(where: string, item: { address: string; scope: Plan['scopes'][number]; description: string; runner_id: number | null }): string | null {
  const expected = formatAddress(item.scope, item.description);
  if (item.address === expected || (item.runner_id !== null && item.address === `${expected}#${item.runner_id}`)) return null;
  return `  ${where}/address: is ${JSON.stringify(item.address)}, expected ${JSON.stringify(expected)}`;
}

function checkConsistency(plan: Plan): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const items = [
    ...plan.changes.map((c, i) => ({ where: `/changes/${i}`, item: c })),
    ...plan.unmanaged.map((u, i) => ({ where: `/unmanaged/${i}`, item: u })),
  ];
  for (const { where, item } of items) {
    const problem = addressProblem(where, item);
    if (problem) problems.push(problem);
    if (seen.has(item.address)) problems.push(`  ${where}/address: ${JSON.stringify(item.address)} names two runners of the plan`);
    seen.add(item.address);
  }
  plan.deliveries.forEach((d, i) => {
    const problem = addressProblem(`/deliveries/${i}`, d);
    if (problem) problems.push(problem);
  });
  if (plan.summary.deliver !== plan.deliveries.length) {
    problems.push(`  /summary/deliver: is ${plan.summary.deliver}, but the plan lists ${plan.deliveries.length}`);
  }
  for (const action of ACTIONS) {
    const key = action === 'no-op' ? 'no_op' : action === 'token-reset' ? 'token_reset' : action;
    const of = plan.changes.filter((c) => c.action === action);
    // A change that only enables or disables the runner in projects is not counted as an update
    // (plan/project-enablement.ts); a plan file written before that counted it: both read true.
    const n = action === 'update' ? of.filter((c) => !onlyEnablements(c)).length : of.length;
    if (plan.summary[key] !== n && plan.summary[key] !== of.length) problems.push(`  /summary/${key}: is ${plan.summary[key]}, but the plan has ${n}`);
  }
  if (plan.summary.unmanaged !== plan.unmanaged.length) {
    problems.push(`  /summary/unmanaged: is ${plan.summary.unmanaged}, but the plan lists ${plan.unmanaged.length}`);
  }
  if (problems.length > 0) throw new UserError(`invalid plan file (was it edited?):\n${problems.join('\n')}`);
}
