// Runner attributes in requests: Grape-style coercion (400 {"error": …}) and
// the Ci::Runner model validations (400 with GitLab's messages).
import { errors, present, toBool, toInt, toTagList, type Params } from './http-io.js';
import type { AccessLevelName, RunnerRec } from './state.js';

export const TAG_LIST_MAX = 50;
export const TEXT_MAX = 1024;
export const MIN_TIMEOUT = 600;
export const ACCESS_LEVEL_VALUES: readonly AccessLevelName[] = ['not_protected', 'ref_protected'];

/** The writable attributes of a runner (every field optional). */
export interface RunnerPatch {
  description?: string;
  paused?: boolean;
  locked?: boolean;
  runUntagged?: boolean;
  tagList?: string[];
  accessLevel?: AccessLevelName;
  maximumTimeout?: number | null;
  maintenanceNote?: string | null;
}

/** Coerces request params; throws one Grape-style 400 naming every bad parameter. */
export function coerceRunnerParams(p: Params, opts: { allowActive: boolean }): RunnerPatch {
  const bad: string[] = [];
  const out: RunnerPatch = {};
  const str = (key: string): string | undefined => {
    const v = p[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    bad.push(`${key} is invalid`);
    return undefined;
  };
  if (present(p, 'description')) out.description = p.description === null ? '' : str('description');
  if (present(p, 'maintenance_note')) out.maintenanceNote = p.maintenance_note === null ? null : str('maintenance_note');
  for (const [key, field] of [
    ['paused', 'paused'],
    ['locked', 'locked'],
    ['run_untagged', 'runUntagged'],
  ] as const) {
    if (!present(p, key)) continue;
    const b = toBool(p[key]);
    if (b === undefined) bad.push(`${key} is invalid`);
    else out[field] = b;
  }
  if (opts.allowActive && present(p, 'active')) {
    if (present(p, 'paused')) bad.push('active, paused are mutually exclusive');
    const b = toBool(p.active);
    if (b === undefined) bad.push('active is invalid');
    else if (!present(p, 'paused')) out.paused = !b;
  }
  if (present(p, 'tag_list')) {
    const t = toTagList(p.tag_list);
    if (t === undefined) bad.push('tag_list is invalid');
    else out.tagList = t;
  }
  if (present(p, 'access_level')) {
    const v = p.access_level;
    if (typeof v === 'string' && (ACCESS_LEVEL_VALUES as readonly string[]).includes(v)) out.accessLevel = v as AccessLevelName;
    else bad.push('access_level does not have a valid value');
  }
  if (present(p, 'maximum_timeout')) {
    const v = p.maximum_timeout;
    if (v === null || v === '') out.maximumTimeout = null;
    else {
      const n = toInt(v);
      if (n === undefined) bad.push('maximum_timeout is invalid');
      else out.maximumTimeout = n;
    }
  }
  if (bad.length) throw errors.param(bad.join(', '));
  return out;
}

export type RunnerAttrState = Pick<
  RunnerRec,
  'description' | 'paused' | 'locked' | 'runUntagged' | 'tagList' | 'accessLevel' | 'maximumTimeout' | 'maintenanceNote'
>;

export function applyPatch(base: RunnerAttrState, patch: RunnerPatch): RunnerAttrState {
  return {
    description: patch.description ?? base.description,
    paused: patch.paused ?? base.paused,
    locked: patch.locked ?? base.locked,
    runUntagged: patch.runUntagged ?? base.runUntagged,
    tagList: patch.tagList ?? base.tagList,
    accessLevel: patch.accessLevel ?? base.accessLevel,
    maximumTimeout: patch.maximumTimeout !== undefined ? patch.maximumTimeout : base.maximumTimeout,
    maintenanceNote: patch.maintenanceNote !== undefined ? patch.maintenanceNote : base.maintenanceNote,
  };
}

/** Ci::Runner validations: attribute → messages (empty when valid). */
export function validateRunner(a: RunnerAttrState): Record<string, string[]> {
  const errs: Record<string, string[]> = {};
  const add = (attr: string, msg: string) => (errs[attr] ??= []).push(msg);
  if (a.tagList.length === 0 && !a.runUntagged) add('tags_list', 'can not be empty when runner is not allowed to pick untagged jobs');
  if (a.tagList.length > TAG_LIST_MAX) add('tags_list', `Too many tags specified. Please limit the number of tags to ${TAG_LIST_MAX}`);
  if (a.maximumTimeout !== null && a.maximumTimeout < MIN_TIMEOUT) add('maximum_timeout', 'needs to be at least 10 minutes');
  if (a.description.length > TEXT_MAX) add('description', `is too long (maximum is ${TEXT_MAX} characters)`);
  if (a.maintenanceNote !== null && a.maintenanceNote.length > TEXT_MAX) {
    add('maintenance_note', `is too long (maximum is ${TEXT_MAX} characters)`);
  }
  return errs;
}

/** Rails full messages: "Maximum timeout needs to be at least 10 minutes". */
export function fullMessages(errs: Record<string, string[]>): string[] {
  return Object.entries(errs).flatMap(([attr, msgs]) => {
    const human = attr.replace(/_/g, ' ');
    const label = human.charAt(0).toUpperCase() + human.slice(1);
    return msgs.map((m) => `${label} ${m}`);
  });
}
