// CI/CD variables of projects and groups: records, GitLab's model validations
// (Ci::HasVariable, Ci::Maskable, Ci::HidableVariable, the key's uniqueness per
// environment scope) and the seed loader. JSON shapes and HTTP live in
// handlers-variables.ts.
import type { SeedVariable } from './seed.js';
import { SeedError, type FakeState, type GroupRec, type ProjectRec } from './state.js';

export type VariableType = 'env_var' | 'file';
export const VARIABLE_TYPES: readonly VariableType[] = ['env_var', 'file'];

export type VariableOwner = { kind: 'project'; project: ProjectRec } | { kind: 'group'; group: GroupRec };

export interface VariableAttrs {
  key: string;
  value: string;
  variableType: VariableType;
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environmentScope: string;
  description: string | null;
}

export interface VariableRec extends VariableAttrs {
  id: number;
  owner: VariableOwner;
}

/** Rails' errors.messages: attribute → messages, in the order validations ran. */
export type ValidationErrors = Record<string, string[]>;

// Ruby's \A…\z: without the m flag, JS's ^ and $ anchor at the ends of the whole string too.
const KEY_FORMAT = /^[a-zA-Z0-9_]+$/;
const KEY_FORMAT_MESSAGE = "can contain only letters, digits and '_'.";
/** Ci::Maskable::REGEX: masked and expanded values (no variables, no spaces, Base64 alphabet plus @:.~). */
const MASK_REGEX = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
/** Ci::Maskable::MASK_AND_RAW_REGEX: masked raw values (single line, no whitespace, at least 8). */
const MASK_AND_RAW_REGEX = /^[^ \t\r\n\f\v]{8,}$/u; // Ruby's \s is ASCII whitespace only; u counts characters
const MAX_LENGTH = 255;
/** Gitlab::Regex.environment_scope_regex. */
const ENVIRONMENT_SCOPE = /^[a-zA-Z0-9_/${}. *-]+$/;
const ENVIRONMENT_SCOPE_MESSAGE = "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces";

export const HIDDEN_VISIBILITY_ERROR = 'The visibility setting cannot be changed for masked and hidden variables.';

function sameOwner(a: VariableOwner, b: VariableOwner): boolean {
  if (a.kind === 'project' && b.kind === 'project') return a.project === b.project;
  if (a.kind === 'group' && b.kind === 'group') return a.group === b.group;
  return false;
}

function add(errs: ValidationErrors, attr: string, message: string): void {
  (errs[attr] ??= []).push(message);
}

export class VariableStore {
  private readonly records: VariableRec[] = [];
  private nextId = 1;

  /** The owner's variables in creation order (GitLab lists them by id). */
  of(owner: VariableOwner): VariableRec[] {
    return this.records.filter((r) => sameOwner(r.owner, owner));
  }

  /** Ci::VariablesFinder: by key, and by environment scope when a filter is given. */
  find(owner: VariableOwner, key: string, environmentScope?: string): VariableRec[] {
    return this.of(owner).filter((r) => r.key === key && (environmentScope === undefined || r.environmentScope === environmentScope));
  }

  /** Validates like Ci::Variable / Ci::GroupVariable; `existing` is the record being updated. */
  validate(owner: VariableOwner, attrs: VariableAttrs, existing?: VariableRec): ValidationErrors {
    const errs: ValidationErrors = {};
    // Ci::HasVariable
    if (attrs.key === '') add(errs, 'key', "can't be blank");
    if (attrs.key.length > MAX_LENGTH) add(errs, 'key', `is too long (maximum is ${MAX_LENGTH} characters)`);
    if (!KEY_FORMAT.test(attrs.key)) add(errs, 'key', KEY_FORMAT_MESSAGE);
    // Ci::Maskable
    if (attrs.masked && !attrs.raw && !MASK_REGEX.test(attrs.value)) add(errs, 'value', 'is invalid');
    if (attrs.masked && attrs.raw && !MASK_AND_RAW_REGEX.test(attrs.value)) add(errs, 'value', 'is invalid');
    // Ci::HidableVariable
    if (!existing && attrs.hidden && !attrs.masked) add(errs, 'masked', 'should be true when variable is hidden');
    if (existing) {
      const maskedChanged = existing.masked !== attrs.masked;
      const hiddenChanged = existing.hidden !== attrs.hidden;
      if ((maskedChanged || hiddenChanged) && !(attrs.hidden === false && !hiddenChanged)) {
        add(errs, 'base', hiddenChanged ? 'Only new variables can be set as masked and hidden.' : HIDDEN_VISIBILITY_ERROR);
      }
    }
    // Ci::HasEnvironmentScope
    if (attrs.environmentScope === '') add(errs, 'environment_scope', "can't be blank");
    if (!ENVIRONMENT_SCOPE.test(attrs.environmentScope)) add(errs, 'environment_scope', ENVIRONMENT_SCOPE_MESSAGE);
    if (attrs.description !== null && attrs.description.length > MAX_LENGTH) {
      add(errs, 'description', `is too long (maximum is ${MAX_LENGTH} characters)`);
    }
    // uniqueness of key per owner and environment scope
    const clash = this.of(owner).some((r) => r !== existing && r.key === attrs.key && r.environmentScope === attrs.environmentScope);
    if (clash) add(errs, 'key', `(${attrs.key}) has already been taken`);
    return errs;
  }

  /** Creates the variable, or returns the validation errors and creates nothing. */
  create(owner: VariableOwner, attrs: VariableAttrs): VariableRec | ValidationErrors {
    const errs = this.validate(owner, attrs);
    if (Object.keys(errs).length) return errs;
    const rec: VariableRec = { id: this.nextId++, owner, ...attrs };
    this.records.push(rec);
    return rec;
  }

  /** Applies `attrs` to `rec` when valid; otherwise leaves it unchanged and returns the errors. */
  update(rec: VariableRec, attrs: VariableAttrs): VariableRec | ValidationErrors {
    const errs = this.validate(rec.owner, attrs, rec);
    if (Object.keys(errs).length) return errs;
    Object.assign(rec, attrs);
    return rec;
  }

  delete(rec: VariableRec): void {
    const i = this.records.indexOf(rec);
    if (i >= 0) this.records.splice(i, 1);
  }

  /** Seed variables go through the same validations; an invalid one is a seed error. */
  loadSeed(state: FakeState, seed: SeedVariable[]): void {
    for (const v of seed) {
      const owner = ownerOfSeed(state, v);
      const result = this.create(owner, attrsOfSeed(v));
      if (!('id' in result)) {
        throw new SeedError(`variable ${v.key} of ${v.project ?? v.group}: ${JSON.stringify(result)}`);
      }
    }
  }
}

export function isErrors(r: VariableRec | ValidationErrors): r is ValidationErrors {
  return !('id' in r && 'owner' in r);
}

function ownerOfSeed(state: FakeState, v: SeedVariable): VariableOwner {
  if ((v.project === undefined) === (v.group === undefined)) {
    throw new SeedError(`variable ${v.key} needs exactly one of project or group`);
  }
  if (v.project !== undefined) {
    const project = state.projectByPath(v.project);
    if (!project) throw new SeedError(`variable ${v.key} of unknown project ${v.project}`);
    return { kind: 'project', project };
  }
  const group = state.groupByPath(v.group as string);
  if (!group) throw new SeedError(`variable ${v.key} of unknown group ${String(v.group)}`);
  return { kind: 'group', group };
}

function attrsOfSeed(v: SeedVariable): VariableAttrs {
  const hidden = v.hidden ?? false;
  return {
    key: v.key.trim(),
    value: v.value,
    variableType: v.variable_type ?? 'env_var',
    protected: v.protected ?? false,
    masked: v.masked ?? hidden,
    hidden,
    raw: v.raw ?? false,
    environmentScope: (v.environment_scope ?? '*').trim(),
    description: v.description ?? null,
  };
}

/** What a test may read in-process (never over HTTP): the real value, also of hidden variables. */
export interface VariableSnapshot {
  key: string;
  value: string;
  variable_type: VariableType;
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

export function variableSnapshot(r: VariableRec): VariableSnapshot {
  return {
    key: r.key,
    value: r.value,
    variable_type: r.variableType,
    protected: r.protected,
    masked: r.masked,
    hidden: r.hidden,
    raw: r.raw,
    environment_scope: r.environmentScope,
    description: r.description,
  };
}

// ------------------------------------------------------------ in-process accessors for tests (server.ts)

export type VariableOwnerPath = { project: string } | { group: string };

function ownerByPath(state: FakeState, where: VariableOwnerPath): VariableOwner {
  return ownerOfSeed(state, { ...where, key: '', value: '' });
}

/** Every variable of a project or group, real values included, in creation order. */
export function variablesOf(state: FakeState, where: VariableOwnerPath): VariableSnapshot[] {
  return state.variables.of(ownerByPath(state, where)).map(variableSnapshot);
}

/** One variable by key (and environment scope, default `*`), real value included. */
export function variableOf(state: FakeState, where: VariableOwnerPath, key: string, environmentScope = '*'): VariableSnapshot | undefined {
  const rec = state.variables.find(ownerByPath(state, where), key, environmentScope)[0];
  return rec && variableSnapshot(rec);
}

/** Adds a variable from a seed-style record (test set-up); invalid ones throw like a bad seed. */
export function addVariable(state: FakeState, v: SeedVariable): void {
  state.variables.loadSeed(state, [v]);
}
