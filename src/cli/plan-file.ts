// Reading a plan saved by `plan --out` (apply PLANFILE, show PLANFILE). Its own module: the
// plan-file validator it loads is large, and `runnerform plan` never reads a plan file.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { Plan } from '../model.js';
import { parsePlan } from '../plan/planfile.js';

/** Reads and checks a plan saved by `plan --out`. */
export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read plan file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePlan(text);
}
