// The pure core of loading: file texts in, DesiredState or problems out.
import type { DesiredState } from '../model.js';
import { buildDesiredState } from './build.js';
import { SourceDoc } from './document.js';
import { MAX_FILE_BYTES } from './limits.js';
import { redactSecrets, sortProblems, toPointer, type Problem } from './problem.js';
import { checkShape } from './schema.js';
import { checkDocument, checkScopesDeclaredOnce } from './semantic.js';
import { checkTokens, checkVariablesWrittenOnce } from './token.js';
import { checkAlsoIn } from './also-in.js';
import { YamlError, parseYaml } from './yaml-source.js';
import { LineIndex } from './lines.js';

export interface SourceText {
  file: string;
  text: string;
}

export interface LoadResult {
  /** null iff problems is not empty. */
  state: DesiredState | null;
  problems: Problem[];
}

export function parseDesiredState(inputs: readonly SourceText[]): LoadResult {
  const problems: Problem[] = [];
  const docs: SourceDoc[] = [];
  for (const input of inputs) {
    const parsed = parseOne(input);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const doc = parsed.doc;
    for (const issue of checkShape(doc.value)) problems.push(doc.problem(issue.segments, issue.message, issue.want));
    problems.push(...checkDocument(doc));
    problems.push(...checkTokens(doc));
    problems.push(...checkAlsoIn(doc));
    docs.push(doc);
  }
  problems.push(...checkScopesDeclaredOnce(docs));
  problems.push(...checkVariablesWrittenOnce(docs));
  if (inputs.length === 0) problems.push({ file: '', line: 0, column: 0, path: '', message: 'no desired-state files given' });
  if (problems.length > 0) {
    const safe = dedupe(problems).map((p) => ({ ...p, path: redactSecrets(p.path), message: redactSecrets(p.message) }));
    return { state: null, problems: sortProblems(safe, inputs.map((i) => i.file)) };
  }
  return { state: buildDesiredState(docs), problems: [] };
}

function parseOne({ file, text }: SourceText): { doc: SourceDoc } | { problem: Problem } {
  const whole = (message: string, line = 0, column = 0): { problem: Problem } => ({
    problem: { file, line, column, path: '', message },
  });
  if (text.length > MAX_FILE_BYTES) {
    return whole(`file is too large (${text.length} characters); desired-state files are limited to ${MAX_FILE_BYTES} bytes`);
  }
  try {
    const { value, root } = parseYaml(text, file);
    if (value === null || value === undefined) {
      return whole('file is empty: a desired-state file needs at least `version: 1`', 1, 1);
    }
    return { doc: new SourceDoc(file, text, value, root) };
  } catch (err) {
    if (!(err instanceof YamlError)) throw err;
    const pos = err.line !== undefined && err.column !== undefined ? { line: err.line, column: err.column } : new LineIndex(text).position(err.offset);
    return { problem: { file, line: pos.line, column: pos.column, path: toPointer([]), message: err.message } };
  }
}

// A value shared through an alias is checked once per use; report it once.
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\0${p.line}\0${p.column}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
