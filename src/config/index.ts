// Loading the desired state: read files (read.ts), then the pure parse (parse.ts).
import type { DesiredState } from '../model.js';
import { parseDesiredState, type LoadResult } from './parse.js';
import { sortProblems, type Problem } from './problem.js';
import { readInputs } from './read.js';

export { formatProblem, type Problem } from './problem.js';
export { parseDesiredState, type LoadResult, type SourceText } from './parse.js';
export { effectiveAttrs } from './defaults.js';
export { SUPPORTED_VERSIONS } from './semantic.js';
export { schema as desiredStateSchema } from './schema.js';
export { MAX_FILE_BYTES, MAX_EXPANDED_NODES, MAX_DEPTH } from './limits.js';

/**
 * Loads and validates files or directories of `*.yaml`/`*.yml` into one
 * desired state. `state` is null iff `problems` is not empty.
 */
export function loadDesiredState(inputs: string[]): { state: DesiredState | null; problems: Problem[] } {
  const read = readInputs(inputs);
  const parsed: LoadResult =
    read.sources.length > 0 || read.problems.length === 0 ? parseDesiredState(read.sources) : { state: null, problems: [] };
  const problems = [...read.problems, ...parsed.problems];
  if (problems.length === 0) return parsed;
  return { state: null, problems: sortProblems(problems, [...inputs, ...read.sources.map((s) => s.file)]) };
}
