// Turns validated documents into the DesiredState of src/model.ts.
import type { DesiredRunner, DesiredScope, DesiredState, ScopeRef } from '../model.js';
import { effectiveAttrs } from './defaults.js';
import { isRecord, rawRunners, rawScopes, type RawScope, type SourceDoc } from './document.js';
import { destinationOf, effectiveToken, renamedFromOf } from './token.js';
import { runnerHealth, scopeHealth } from './health.js';
import { alsoInOf } from './also-in.js';

/** Only call with documents that passed the shape and semantic checks. */
export function buildDesiredState(docs: SourceDoc[]): DesiredState {
  return {
    files: docs.map((d) => d.file),
    scopes: docs.flatMap((doc) => rawScopes(doc.value).map((scope) => buildScope(doc, scope))),
  };
}

function buildScope(doc: SourceDoc, scope: RawScope): DesiredScope {
  const value = doc.value as Record<string, unknown>;
  const defaults = isRecord(value.defaults) ? value.defaults : undefined;
  const health = scopeHealth(value, scope.body);
  const runners: DesiredRunner[] = rawRunners(scope).map(({ index, body }) => {
    const alsoIn = alsoInOf(doc, [...scope.segments, 'runners', index, 'also_in'], body.also_in);
    return {
      description: body.description as string,
      attrs: effectiveAttrs(defaults, body),
      source: doc.at([...scope.segments, 'runners', index]),
      token: destinationOf(effectiveToken(defaults, body)?.raw),
      renamed_from: renamedFromOf(body.renamed_from).map((r) => r.value),
      health: runnerHealth(health, body),
      // Only when written: absent means "not managed".
      ...(alsoIn ? { also_in: alsoIn } : {}),
    };
  });
  return {
    ref: refOf(scope),
    prune: scope.body.prune === true,
    health,
    runners,
    source: doc.at(scope.segments, scope.type === 'instance' ? 'key' : 'value'),
  };
}

function refOf(scope: RawScope): ScopeRef {
  if (scope.type === 'instance') return { type: 'instance' };
  const { path, id } = scope.body;
  return typeof path === 'string' ? { type: scope.type, path } : { type: scope.type, id: id as number };
}
