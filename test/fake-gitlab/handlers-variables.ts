// CI/CD variables API of projects and groups (lib/api/ci/variables.rb,
// lib/api/group_variables.rb): list, get, create, update, delete.
// Project variables need Maintainer, group variables Owner (admin_cicd_variables);
// a hidden variable's value is null in every answer.
import { isGroupOwner, isProjectMaintainer } from './access.js';
import { arg, me, visibleGroup, visibleProject, type Ctx, type Reply } from './context.js';
import { ApiError, errors, present, toBool, type Params } from './http-io.js';
import { paginate } from './pagination.js';
import {
  isErrors,
  VARIABLE_TYPES,
  type VariableAttrs,
  type VariableOwner,
  type VariableRec,
  type VariableType,
} from './variables.js';

/** Entities::Ci::Variable, in GitLab's field order. */
export function variableEntity(v: VariableRec) {
  return {
    variable_type: v.variableType,
    key: v.key,
    value: v.hidden ? null : v.value,
    hidden: v.hidden,
    protected: v.protected,
    masked: v.masked,
    raw: v.raw,
    environment_scope: v.environmentScope,
    description: v.description,
  };
}

// ------------------------------------------------------------ owners and lookups

function projectOwner(ctx: Ctx): VariableOwner {
  const project = visibleProject(ctx, arg(ctx, 0));
  if (!isProjectMaintainer(ctx.state, me(ctx), project)) throw errors.forbidden();
  return { kind: 'project', project };
}

function groupOwner(ctx: Ctx): VariableOwner {
  const group = visibleGroup(ctx, arg(ctx, 0));
  if (!isGroupOwner(ctx.state, me(ctx), group)) throw errors.forbidden();
  return { kind: 'group', group };
}

/** `filter[environment_scope]` from the query string (Rack's nested form) or a JSON body's `filter` object. */
function scopeFilter(ctx: Ctx): string | undefined {
  const flat = ctx.params['filter[environment_scope]'];
  if (typeof flat === 'string') return flat;
  const filter = ctx.params.filter;
  if (typeof filter === 'object' && filter !== null && typeof (filter as Params).environment_scope === 'string') {
    return (filter as Params).environment_scope as string;
  }
  return undefined;
}

/** find_variable: 404 when none matches, 409 when several keys differ only in environment scope. */
function findVariable(ctx: Ctx, owner: VariableOwner): VariableRec {
  const [found, ...others] = ctx.state.variables.find(owner, arg(ctx, 1), scopeFilter(ctx));
  if (others.length > 0) {
    throw new ApiError(409, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });
  }
  if (!found) throw errors.notFound(owner.kind === 'project' ? 'Variable' : 'GroupVariable');
  return found;
}

// ------------------------------------------------------------ Grape parameter coercion

interface Declared {
  key?: string;
  value?: string;
  protected?: boolean;
  masked?: boolean;
  masked_and_hidden?: boolean;
  raw?: boolean;
  variable_type?: VariableType;
  environment_scope?: string;
  description?: string | null;
}

/** Grape's String: numbers and booleans become text, anything else is invalid. */
function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const STRING_PARAMS = ['key', 'value', 'environment_scope', 'description'] as const;
const BOOLEAN_PARAMS = ['protected', 'masked', 'masked_and_hidden', 'raw'] as const;

/**
 * declared_params(include_missing: false) for the parameters `allowed`; `required` ones
 * must be present. A JSON null counts as not given (python-gitlab sends `value: null` when
 * it saves a hidden variable, whose value it never saw), except for `description`.
 */
function declared(p: Params, allowed: readonly string[], required: readonly string[]): Declared {
  const bad: string[] = [];
  for (const k of required) if (!present(p, k) || p[k] === null) bad.push(`${k} is missing`);
  const out: Declared = {};
  for (const k of STRING_PARAMS) {
    if (!allowed.includes(k) || !present(p, k)) continue;
    if (p[k] === null) {
      if (k === 'description') out.description = null;
      continue;
    }
    const t = toText(p[k]);
    if (t === undefined) bad.push(`${k} is invalid`);
    else out[k] = t;
  }
  for (const k of BOOLEAN_PARAMS) {
    if (!allowed.includes(k) || !present(p, k) || p[k] === null) continue;
    const b = toBool(p[k]);
    if (b === undefined) bad.push(`${k} is invalid`);
    else out[k] = b;
  }
  if (allowed.includes('variable_type') && present(p, 'variable_type') && p.variable_type !== null) {
    const t = toText(p.variable_type);
    if (t === undefined || !(VARIABLE_TYPES as readonly string[]).includes(t)) bad.push('variable_type does not have a valid value');
    else out.variable_type = t as VariableType;
  }
  if (bad.length) throw errors.param(bad.join(', '));
  return out;
}

const CREATE_PARAMS = ['key', 'value', 'protected', 'masked', 'masked_and_hidden', 'raw', 'variable_type', 'environment_scope', 'description'];
// GitLab's update declares `key` too but drops it: a variable cannot be renamed.
const UPDATE_PARAMS = ['value', 'protected', 'masked', 'raw', 'variable_type', 'environment_scope', 'description'];

function validationFailed(errs: Record<string, string[]>): ApiError {
  return errors.validation(errs);
}

// ------------------------------------------------------------ handlers (owner-generic)

function list(ctx: Ctx, owner: VariableOwner): Reply {
  const page = paginate(ctx.state.variables.of(owner), ctx.query, ctx.selfUrl);
  return { status: 200, body: page.items.map(variableEntity), headers: page.headers };
}

function get(ctx: Ctx, owner: VariableOwner): Reply {
  return { status: 200, body: variableEntity(findVariable(ctx, owner)) };
}

function create(ctx: Ctx, owner: VariableOwner): Reply {
  const d = declared(ctx.params, CREATE_PARAMS, ['key', 'value']);
  // Ci::ChangeVariableService: masked_and_hidden sets both, and only on create.
  const hidden = d.masked_and_hidden === true;
  const attrs: VariableAttrs = {
    key: (d.key as string).trim(), // Ci::HasVariable#key= strips
    value: d.value as string,
    variableType: d.variable_type ?? 'env_var',
    protected: d.protected ?? false,
    masked: hidden ? true : (d.masked ?? false),
    hidden,
    raw: d.raw ?? false,
    environmentScope: (d.environment_scope ?? '*').trim(), // HasEnvironmentScope#environment_scope= strips
    description: d.description ?? null,
  };
  const result = ctx.state.variables.create(owner, attrs);
  if (isErrors(result)) throw validationFailed(result);
  return { status: 201, body: variableEntity(result) };
}

function update(ctx: Ctx, owner: VariableOwner): Reply {
  const d = declared(ctx.params, UPDATE_PARAMS, []); // Grape validates parameters before the endpoint runs
  const rec = findVariable(ctx, owner);
  const attrs: VariableAttrs = {
    key: rec.key,
    value: d.value ?? rec.value,
    variableType: d.variable_type ?? rec.variableType,
    protected: d.protected ?? rec.protected,
    masked: d.masked ?? rec.masked,
    hidden: rec.hidden,
    raw: d.raw ?? rec.raw,
    environmentScope: d.environment_scope?.trim() ?? rec.environmentScope,
    description: d.description !== undefined ? d.description : rec.description,
  };
  const result = ctx.state.variables.update(rec, attrs);
  if (isErrors(result)) throw validationFailed(result);
  return { status: 200, body: variableEntity(result) };
}

function remove(ctx: Ctx, owner: VariableOwner): Reply {
  ctx.state.variables.delete(findVariable(ctx, owner));
  return { status: 204 };
}

export const listProjectVariables = (ctx: Ctx) => list(ctx, projectOwner(ctx));
export const getProjectVariable = (ctx: Ctx) => get(ctx, projectOwner(ctx));
export const createProjectVariable = (ctx: Ctx) => create(ctx, projectOwner(ctx));
export const updateProjectVariable = (ctx: Ctx) => update(ctx, projectOwner(ctx));
export const deleteProjectVariable = (ctx: Ctx) => remove(ctx, projectOwner(ctx));

export const listGroupVariables = (ctx: Ctx) => list(ctx, groupOwner(ctx));
export const getGroupVariable = (ctx: Ctx) => get(ctx, groupOwner(ctx));
export const createGroupVariable = (ctx: Ctx) => create(ctx, groupOwner(ctx));
export const updateGroupVariable = (ctx: Ctx) => update(ctx, groupOwner(ctx));
export const deleteGroupVariable = (ctx: Ctx) => remove(ctx, groupOwner(ctx));
