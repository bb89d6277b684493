// `also_in:` — the projects a project runner is enabled in besides its owner
// project (the scope it is declared under). What the schema cannot check:
// only project runners have it, each project once, never the owner itself.
// Whether a project exists is known only at plan time (gitlab/enabled-projects.ts).
import { alsoInKey, type SourcePos } from '../model.js';
import { isRecord, rawRunners, rawScopes, type RawScope, type SourceDoc } from './document.js';
import type { Problem } from './problem.js';
import { show } from './schema.js';

/** The entries of a well-formed `also_in:` list, with where each is written. */
export function alsoInOf(doc: SourceDoc, at: (string | number)[], raw: unknown): { ref: string | number; source: SourcePos }[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.flatMap((v, i) => (typeof v === 'string' || typeof v === 'number' ? [{ ref: v, source: doc.at([...at, i]) }] : []));
}

/** Per-file checks of `also_in:`. */
export function checkAlsoIn(doc: SourceDoc): Problem[] {
  return rawScopes(doc.value).flatMap((scope) =>
    rawRunners(scope).flatMap(({ index, body }) =>
      Object.hasOwn(body, 'also_in') ? checkOne(doc, scope, [...scope.segments, 'runners', index, 'also_in'], body.also_in) : [],
    ),
  );
}

function checkOne(doc: SourceDoc, scope: RawScope, at: (string | number)[], raw: unknown): Problem[] {
  if (scope.type !== 'project') {
    return [doc.problem(at, `\`also_in\` is only for project runners: a ${scope.type} runner cannot be enabled in a project (GitLab refuses it)`)];
  }
  if (!Array.isArray(raw)) return []; // the schema reports the shape
  const problems: Problem[] = [];
  const first = new Map<string, number>();
  const owner = isRecord(scope.body) ? scope.body : {};
  const ownerKeys = [owner.path, owner.id].filter((v) => typeof v === 'string' || typeof v === 'number').map((v) => alsoInKey(v));
  raw.forEach((v, i) => {
    if (typeof v !== 'string' && typeof v !== 'number') return;
    const key = alsoInKey(v);
    if (ownerKeys.includes(key)) {
      problems.push(doc.problem([...at, i], `\`also_in\` lists ${show(v)}, the owner project this runner is declared under; list only the other projects`));
      return;
    }
    const seen = first.get(key);
    if (seen !== undefined) problems.push(doc.problem([...at, i], `\`also_in\` lists ${show(v)} twice (first at line ${doc.at([...at, seen]).line})`));
    else first.set(key, i);
  });
  return problems;
}
