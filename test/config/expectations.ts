// Fixtures state their own expected problems in `# expect: LINE:COL: message` comments.
import { readFileSync } from 'node:fs';

export interface Expected {
  line: number;
  column: number;
  /** The message must start with this text. */
  message: string;
}

export function expectationsOf(file: string): Expected[] {
  const out: Expected[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(/^# expect: (\d+):(\d+): (.+)$/gm)) {
    out.push({ line: Number(m[1]), column: Number(m[2]), message: m[3]! });
  }
  return out;
}
