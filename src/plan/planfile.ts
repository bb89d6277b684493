// Reading a saved plan (the JSON that `plan --out` writes) back into a Plan.
// apply executes a saved plan exactly, so it is checked strictly: the schema,
// then the facts the schema cannot express (addresses, summary counts).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as generatedValidate } from '../generated/plan-validator.js';
import { UserError } from '../errors.js';
import { ACTIONS, type Plan } from '../model.js';
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
  const version = (data as { format_version: unknown }).format_version;
  if (version !== SUPPORTED_VERSION) {
    throw new UserError(
      `unsupported plan format_version ${JSON.stringify(version)}: this runnerform reads format_version ${SUPPORTED_VERSION}; make the plan again with this version`,
    );
  }
  if (!validate(data)) {
    throw new UserError(`invalid plan file:\n${describeErrors(validate.errors ?? [])}`);
  }
  const plan = data as unknown as Plan;
  checkConsistency(plan);
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

function checkConsistency(plan: Plan): void {
  const problems: string[] = [];
  plan.changes.forEach((c, i) => {
    const expected = formatAddress(c.scope, c.description);
    if (c.address !== expected) problems.push(`  /changes/${i}/address: is ${JSON.stringify(c.address)}, expected ${JSON.stringify(expected)}`);
  });
  plan.unmanaged.forEach((u, i) => {
    const expected = formatAddress(u.scope, u.description);
    if (u.address !== expected) problems.push(`  /unmanaged/${i}/address: is ${JSON.stringify(u.address)}, expected ${JSON.stringify(expected)}`);
  });
  for (const action of ACTIONS) {
    const key = action === 'no-op' ? 'no_op' : action === 'token-reset' ? 'token_reset' : action;
    const n = plan.changes.filter((c) => c.action === action).length;
    if (plan.summary[key] !== n) problems.push(`  /summary/${key}: is ${plan.summary[key]}, but the plan has ${n}`);
  }
  if (plan.summary.unmanaged !== plan.unmanaged.length) {
    problems.push(`  /summary/unmanaged: is ${plan.summary.unmanaged}, but the plan lists ${plan.unmanaged.length}`);
  }
  if (problems.length > 0) throw new UserError(`invalid plan file (was it edited?):\n${problems.join('\n')}`);
}
